import type { NotificationSettings, RouteGroup } from '../config/settings-schema.ts';
import { inQuietHours } from './ntfy.ts';

// Where a notification goes: notifications.routes maps each rule group to desktop, ntfy, both or
// none. The groups: the command rules (failure, long_running; the analysis server's decisions count
// as failure), a coding agent asking for the user (agent: Claude Code's Notification …) and
// lifecycle events (lifecycle: task.failed …). Without a route the default is both when ntfy is
// configured, desktop otherwise.

export function routeGroup(rule: string): RouteGroup {
  if (rule === 'failure' || rule === 'long_running') return rule;
  if (rule.startsWith('lifecycle:')) return 'lifecycle';
  if (rule.includes(':')) return 'agent';
  return 'failure';
}

export interface RouteDecision {
  desktop: boolean;
  ntfy: boolean;
  /** ntfy inside quiet hours: sent at priority 1 (no sound, no vibration). */
  quiet: boolean;
  /** Why ntfy is skipped although routed there (the desktop is in use), for the log. */
  skipped: string | null;
}

/**
 * `idleMs` is the desktop's idle time, null where the platform does not tell it (then the user
 * counts as away: a push too many beats a question never seen). `now` gives the local time.
 */
export function routeNotification(
  settings: NotificationSettings,
  rule: string,
  context: { now: Date; idleMs: number | null },
): RouteDecision {
  const ntfy = settings.ntfy;
  const route = settings.routes?.[routeGroup(rule)] ?? (ntfy ? 'both' : 'desktop');
  const desktop = route === 'desktop' || route === 'both';
  let toNtfy = Boolean(ntfy) && (route === 'ntfy' || route === 'both');
  let skipped: string | null = null;
  if (toNtfy && ntfy?.awayAfterMs !== undefined && context.idleMs !== null && context.idleMs < ntfy.awayAfterMs) {
    toNtfy = false;
    skipped = `the desktop was in use (idle ${Math.round(context.idleMs / 1000)} s)`;
  }
  const minute = context.now.getHours() * 60 + context.now.getMinutes();
  const quiet = toNtfy && ntfy?.quietHours !== undefined && inQuietHours(ntfy.quietHours, minute);
  return { desktop, ntfy: toNtfy, quiet, skipped };
}
