import type { RecordedEvent } from '../core/events/event-schema.ts';
import type { InboxMessage } from '../core/inbox/inbox-store.ts';
import type { HookRunSummary } from '../core/webhooks/hook-run-store.ts';

// What the tray icon says while the window is not looked at (no Electron here, so it is tested
// under plain Node): a badge for inbox messages that arrived and are still unread, and a stronger
// one for failures (a command that failed, a webhook hook run that failed). Both count from the
// last time the window was opened or focused, and clear then; while the window is in front,
// nothing is counted (the user sees it there). app-tray.ts picks the icon file from the badge.

export type TrayBadge = 'none' | 'unread' | 'failure';

/** Hook run outcomes that are not a failure (as the Hooks view colours them: done, or a warning about the caller). */
const HOOK_RUN_OK = new Set<HookRunSummary['outcome']>([
  'injected',
  'empty',
  'queue_full',
  'bad_signature',
  'method_not_allowed',
  'duplicate',
  'filtered',
]);

export function isFailedHookRun(run: Pick<HookRunSummary, 'outcome'>): boolean {
  return !HOOK_RUN_OK.has(run.outcome);
}

export interface TrayAttentionState {
  /** Messages that arrived since the window was last seen and are not handled yet. */
  unread: number;
  /** Failed commands and hook runs since the window was last seen. */
  failures: number;
  badge: TrayBadge;
}

export interface TrayAttention {
  message(message: Pick<InboxMessage, 'id' | 'state'>): void;
  /** A message was handled (acknowledged) somewhere: it no longer waits. */
  handled(message: Pick<InboxMessage, 'id'>): void;
  event(event: Pick<RecordedEvent, 'exit_code'>): void;
  hookRun(run: Pick<HookRunSummary, 'outcome'>): void;
  /** The window was opened or focused: everything so far has been seen. */
  seen(): void;
  state(): TrayAttentionState;
}

export function badgeOf(unread: number, failures: number): TrayBadge {
  if (failures > 0) return 'failure';
  if (unread > 0) return 'unread';
  return 'none';
}

/**
 * `looking` says whether the window is visible and focused; `onChange` is called with the new
 * state whenever the badge or the counts change (the tray swaps its icon and tooltip).
 */
export function createTrayAttention(options: {
  looking: () => boolean;
  onChange: (state: TrayAttentionState) => void;
}): TrayAttention {
  const unread = new Set<string>();
  let failures = 0;
  const state = (): TrayAttentionState => ({ unread: unread.size, failures, badge: badgeOf(unread.size, failures) });
  const changed = () => options.onChange(state());

  return {
    message(message) {
      if (options.looking() || message.state === 'acked' || unread.has(message.id)) return;
      unread.add(message.id);
      changed();
    },
    handled(message) {
      if (unread.delete(message.id)) changed();
    },
    event(event) {
      if (options.looking() || event.exit_code === 0) return;
      failures += 1;
      changed();
    },
    hookRun(run) {
      if (options.looking() || !isFailedHookRun(run)) return;
      failures += 1;
      changed();
    },
    seen() {
      if (unread.size === 0 && failures === 0) return;
      unread.clear();
      failures = 0;
      changed();
    },
    state,
  };
}

/** The tooltip's second half: "2 new messages, 1 failure", or '' when there is nothing. */
export function attentionSummary(state: TrayAttentionState): string {
  const parts: string[] = [];
  if (state.unread > 0) parts.push(`${state.unread} new ${state.unread === 1 ? 'message' : 'messages'}`);
  if (state.failures > 0) parts.push(`${state.failures} ${state.failures === 1 ? 'failure' : 'failures'}`);
  return parts.join(', ');
}

/**
 * The icon file for a panel and a badge. tray-dark* is a dark glyph for light panels, tray-light*
 * a light glyph for dark ones. macOS gets the plain dark glyph as a template image (the menu bar
 * recolours it), but a template is drawn in one colour, so a badged icon is the coloured file.
 */
export function trayIconFile(options: { platform: NodeJS.Platform; darkPanel: boolean; badge: TrayBadge }): {
  file: string;
  template: boolean;
} {
  const suffix = options.badge === 'none' ? '' : `-${options.badge}`;
  if (options.platform === 'darwin' && options.badge === 'none') return { file: 'tray-dark.png', template: true };
  return { file: `${options.darkPanel ? 'tray-light' : 'tray-dark'}${suffix}.png`, template: false };
}
