import type { RecordedEvent } from '../../../main/shared/api-contract.ts';
import { formatDuration, formatTime } from '../format.ts';

export function EventsTable({ events }: { events: readonly RecordedEvent[] }) {
  return (
    <table className="events">
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Command</th>
          <th scope="col" className="numeric">Exit</th>
          <th scope="col" className="numeric">Duration</th>
          <th scope="col">Time</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id}>
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
        ))}
      </tbody>
    </table>
  );
}
