import type { NotificationSettings } from '../config/settings-schema.ts';
import type { RecordedEvent } from '../events/event-schema.ts';
import { formatDuration } from '../../shared/format-duration.ts';
import { basename, coreArgv } from '../lifecycle/guard/wrappers.ts';
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

/** The exit codes isFailure counts as not failed, besides 0 (for the event store's SQL). */
export const INTERRUPTED_EXIT_CODES: readonly number[] = [...USER_INTERRUPTED];

/**
 * What "failed" means everywhere (the failure notification, the window's and the MCP's "failed"
 * filter): an exit code other than 0 that is not the user stopping the command.
 */
export function isFailure(event: Pick<RecordedEvent, 'exit_code'>): boolean {
  return event.exit_code !== 0 && !USER_INTERRUPTED.has(event.exit_code);
}

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

/** Programs on the ignore list never notify, as failures either (quitting vim with :cq, a dropped ssh). */
export function isIgnored(
  event: Pick<RecordedEvent, 'command'>,
  settings: Pick<NotificationSettings, 'longRunningIgnore'>,
): boolean {
  return settings.longRunningIgnore.includes(programOf(event.command));
}

/** The program a command line runs: the first word after env assignments and wrappers, as a basename. */
export function programOf(command: string): string {
  // Wrappers run another program: the ignore list must see `vim` in `sudo -E vim x`.
  return basename(coreArgv(command.trim().split(/\s+/))[0] ?? '');
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

/** How a command ended, before its duration: "Done in", "Failed (exit 2) after", "Stopped (exit 130) after". */
export function finishedText(event: Pick<RecordedEvent, 'exit_code'>): string {
  if (event.exit_code === 0) return 'Done in';
  return `${isFailure(event) ? 'Failed' : 'Stopped'} (exit ${event.exit_code}) after`;
}

/**
 * agentd's eligibility rules, each switchable: a non-zero exit (except user interrupts), or a
 * run longer than the threshold (except interactive programs on the ignore list). A failure that
 * also ran long is one notification, not two.
 */
export function evaluateRules(event: RecordedEvent, settings: NotificationSettings): RuleDecision | null {
  if (isIgnored(event, settings)) return null;
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
    const status = finishedText(event);
    return {
      rule: 'long_running',
      title: `${subject} finished`,
      message: `${status} ${formatDuration(event.duration_ms)}: ${what}`,
      priority: failed ? 'high' : 'normal',
    };
  }
  return null;
}
