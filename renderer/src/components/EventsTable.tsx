import type { RecordedEvent } from '../../../main/shared/api-contract.ts';
import { formatDuration, formatTime } from '../format.ts';
import { SelectableTable, useScrollIntoView, type TableColumn } from './common.tsx';

const EVENT_COLUMNS: TableColumn[] = [
  { label: 'Kind' },
  { label: 'Command' },
  { label: 'Exit', numeric: true },
  { label: 'Duration', numeric: true },
  { label: 'Time' },
];

function Row({
  event,
  selected,
  onSelect,
}: {
  event: RecordedEvent;
  selected: boolean;
  onSelect: (id: string) => void;
}) {
  const ref = useScrollIntoView<HTMLTableRowElement>(selected);
  return (
    <tr
      ref={ref}
      className={selected ? 'selected' : undefined}
      aria-selected={selected}
      onClick={() => onSelect(event.id)}
      data-event-id={event.id}
    >
      <td>
        <span className={`kind kind-${event.kind}`}>{event.kind}</span>
      </td>
      <td className="command" title={event.command}>
        <code>{event.command}</code>
      </td>
      <td className={`numeric exit ${event.exit_code === 0 ? 'ok' : 'failed'}`}>{event.exit_code}</td>
      <td className="numeric">{formatDuration(event.duration_ms)}</td>
      <td>
        <time dateTime={event.received_at} title={event.received_at}>
          {formatTime(event.received_at)}
        </time>
      </td>
    </tr>
  );
}

export function EventsTable({
  events,
  selectedId = null,
  onSelect = () => undefined,
}: {
  events: readonly RecordedEvent[];
  selectedId?: string | null;
  onSelect?: (id: string | null) => void;
}) {
  return (
    <SelectableTable
      className="events"
      label="Events"
      columns={EVENT_COLUMNS}
      items={events}
      selectedId={selectedId}
      onSelect={onSelect}
      row={(event, selected) => <Row key={event.id} event={event} selected={selected} onSelect={onSelect} />}
    />
  );
}
