import type { NotificationSettings } from '../config/settings-schema.ts';
import type { RecordedEvent } from '../events/event-schema.ts';
import type { Priority } from './notifier.ts';

export type RuleName = 'failure' | 'long_running';

export interface RuleDecision {
  rule: RuleName;
  title: string;
  message: string;
  priority: Priority;
}

// Exit statuses that mean the user stopped the command on purpose (Ctrl-C, a kill's SIGTERM,
// Ctrl-Z): telling them it "failed" would be noise.
const USER_INTERRUPTED = new Set([130, 143, 148]);

/**
 * What "failed" means everywhere (the failure notification, the window's and the MCP's "failed"
 * filter): an exit code other than 0 that is not the user stopping the command.
 */
export function isFailure(event: Pick<RecordedEvent, 'exit_code'>): boolean {
  return event.exit_code !== 0 && !USER_INTERRUPTED.has(event.exit_code);
}

/** The exit codes isFailure counts as not failed, besides 0 (for the event store's SQL). */
export const INTERRUPTED_EXIT_CODES: readonly number[] = [...USER_INTERRUPTED];

/**
 * What "long-running" means everywhere: longer than the threshold, unless the program is on the
 * ignore list (editors, pagers, ssh: open long on purpose).
 */
export function isLongRunning(
  event: Pick<RecordedEvent, 'duration_ms' | 'command'>,
  settings: Pick<NotificationSettings, 'longRunningThresholdMs' | 'longRunningIgnore'>,
): boolean {
  return (
    event.duration_ms > settings.longRunningThresholdMs &&
    !settings.longRunningIgnore.includes(programOf(event.command))
  );
}

// Words that run another program: the ignore list must see `vim` in `sudo -E vim x`.
const WRAPPERS = new Set(['sudo', 'doas', 'time', 'nohup', 'command', 'exec', 'env', 'nice', 'builtin', 'noglob']);
const WRAPPER_OPTIONS_WITH_VALUE = new Set(['-u', '-g', '-n', '-C', '-U']);

/** The program a command line runs: the first word after env assignments and wrappers, as a basename. */
export function programOf(command: string): string {
  const words = command.trim().split(/\s+/);
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    if (word.startsWith('-')) {
      // A wrapper's option that takes a value (`sudo -u root`, `nice -n 5`): skip the value too.
      if (WRAPPER_OPTIONS_WITH_VALUE.has(word)) i += 1;
      continue;
    }
    const name = word.split('/').pop() ?? word;
    if (WRAPPERS.has(name)) continue;
    return name;
  }
  return '';
}

/** "400 ms", "45 s", "1m 5s", "2h 3m". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0 ? `${hours}h ${minutes}m` : `${minutes}m ${seconds}s`;
}

/** The command as shown in a notification: first line, at most 80 characters. */
export function shortCommand(command: string): string {
  const lines = command.trim().split('\n');
  let first = lines[0] ?? '';
  const more = lines.length > 1;
  if (first.length > 80) first = `${first.slice(0, 79)}…`;
  else if (more) first = `${first} …`;
  return first;
}

/**
 * agentd's eligibility rules, each switchable: a non-zero exit (except user interrupts), or a
 * run longer than the threshold (except interactive programs on the ignore list). A failure that
 * also ran long is one notification, not two.
 */
export function evaluateRules(event: RecordedEvent, settings: NotificationSettings): RuleDecision | null {
  const failed = isFailure(event);
  const longRunning = isLongRunning(event, settings);
  const what = shortCommand(event.command);
  const subject = event.kind === 'git' ? 'Git hook' : event.kind === 'system' ? 'Task' : 'Command';

  if (failed && settings.onFailure) {
    const after = event.duration_ms >= 1_000 ? ` after ${formatDuration(event.duration_ms)}` : '';
    return {
      rule: 'failure',
      title: `${subject} failed`,
      message: `Failed (exit ${event.exit_code})${after}: ${what}`,
      priority: 'high',
    };
  }
  if (longRunning && settings.onLongRunning) {
    const status = failed ? `Failed (exit ${event.exit_code}) after` : 'Done in';
    return {
      rule: 'long_running',
      title: `${subject} finished`,
      message: `${status} ${formatDuration(event.duration_ms)}: ${what}`,
      priority: failed ? 'high' : 'normal',
    };
  }
  return null;
}
