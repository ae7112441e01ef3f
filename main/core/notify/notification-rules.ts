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

// Exit statuses that mean the user stopped the command on purpose (Ctrl-C, Ctrl-Z): telling
// them it "failed" would be noise.
const USER_INTERRUPTED = new Set([130, 148]);

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

/**
 * agentd's eligibility rules, each switchable: a non-zero exit (except user interrupts), or a
 * run longer than the threshold (except interactive programs on the ignore list). A failure that
 * also ran long is one notification, not two.
 */
export function evaluateRules(event: RecordedEvent, settings: NotificationSettings): RuleDecision | null {
  const failed = event.exit_code !== 0 && !USER_INTERRUPTED.has(event.exit_code);
  const longRunning =
    event.duration_ms > settings.longRunningThresholdMs &&
    !settings.longRunningIgnore.includes(programOf(event.command));
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
