import { formatDuration } from '../../main/shared/format-duration.ts';

// How the window words numbers and times. Durations read as in notifications and the CLI.

export { formatDuration };

/** The time of day for today's events, the date and time for older ones. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return at.toDateString() === now.toDateString() ? time : `${at.toLocaleDateString()} ${time}`;
}
