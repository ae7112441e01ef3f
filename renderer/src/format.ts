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

/** A word as a POSIX shell reads it back unchanged (single-quoted when it needs to be). */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A `hookbox` command that reaches the hub this window shows, as a user can paste it: the hub's
 * global flags (`--config`, `--data-dir`) when not the defaults, then the subcommand, its `--port`
 * when the hub is not on the default port, then the arguments.
 */
export function hookboxCommand(
  cli: { globals: string[]; port: number | null } | undefined,
  subcommand: string[],
  args: string[] = [],
): string {
  const port = cli?.port != null ? ['--port', String(cli.port)] : [];
  return ['hookbox', ...(cli?.globals ?? []), ...subcommand, ...port, ...args].map(shellWord).join(' ');
}
