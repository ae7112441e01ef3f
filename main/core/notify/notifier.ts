import type { Logger } from 'pino';

// The notifier port. The desktop shell injects Electron's Notification, `hookbox serve` injects
// libnotify's notify-send when a session bus is there, and a log line otherwise.

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface DesktopNotification {
  title: string;
  message: string;
  priority: Priority;
  /** The event (or message) it is about, so a click can open it. */
  eventId: string;
}

export interface Notifier {
  /** Where notifications go, as recorded with each one: 'electron', 'libnotify', 'log'. */
  readonly channel: string;
  /** Resolves when shown; rejects with a reason when the desktop refused it. */
  notify(notification: DesktopNotification): Promise<void>;
  /** Lets go of notifications still waiting for a click (the shell is stopping). */
  close?(): void;
}

/** Full log lines per second before the log notifier only counts the rest. */
export const LOG_NOTIFIER_LINES_PER_SECOND = 20;
const WINDOW_MS = 1_000;

/**
 * The fallback when no desktop is reachable: the notification becomes a log line. A flood (a
 * script failing in a loop) is coalesced: after `linesPerSecond` lines in a second the rest of
 * that second is one summary line with their number. Each one is still recorded with its event
 * (`hookbox events show`). Measured: at thousands of failures a second, pretty-printing and
 * writing one line each took about a third of the server's CPU per event.
 */
export function createLogNotifier(
  logger: Logger,
  options: { linesPerSecond?: number; now?: () => number } = {},
): Notifier {
  const limit = options.linesPerSecond ?? LOG_NOTIFIER_LINES_PER_SECOND;
  const now = options.now ?? Date.now;
  let windowStart = -Infinity;
  let shown = 0;
  let held = 0;
  let timer: NodeJS.Timeout | undefined;
  const reportHeld = () => {
    clearTimeout(timer);
    timer = undefined;
    if (held === 0) return;
    logger.info(
      { notifications_not_shown: held },
      `notification: ${held} more in the last second, not shown one by one (each is recorded with its event)`,
    );
    held = 0;
  };
  return {
    channel: 'log',
    async notify(n) {
      const t = now();
      if (t - windowStart >= WINDOW_MS) {
        reportHeld();
        windowStart = t;
        shown = 0;
      }
      if (shown < limit) {
        shown += 1;
        logger.info(
          { notification: { title: n.title, priority: n.priority, event_id: n.eventId } },
          `notification: ${n.title}: ${n.message}`,
        );
        return;
      }
      held += 1;
      timer ??= setTimeout(reportHeld, windowStart + WINDOW_MS - t).unref();
    },
  };
}
