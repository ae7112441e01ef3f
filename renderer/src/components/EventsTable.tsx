import type { RecordedEvent } from '../../../main/shared/api-contract.ts';
import { formatDuration, formatTime } from '../format.ts';
import { listKeyHandler, useScrollIntoView } from './common.tsx';

function Row({ event, selected, onSelect }: { event: RecordedEvent; selected: boolean; onSelect: (id: string) => void }) {
  const ref = useScrollIntoView<HTMLTableRowElement>(selected);
  return (
    <tr ref={ref} className={selected ? 'selected' : undefined} aria-selected={selected} onClick={() => onSelect(event.id)} data-event-id={event.id}>
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
    <table className="events" tabIndex={0} aria-label="Events" onKeyDown={listKeyHandler(events, selectedId, onSelect)}>
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Command</th>
          <th scope="col" className="numeric">
            Exit
          </th>
          <th scope="col" className="numeric">
            Duration
          </th>
          <th scope="col">Time</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <Row key={event.id} event={event} selected={event.id === selectedId} onSelect={onSelect} />
        ))}
      </tbody>
    </table>
  );
}
