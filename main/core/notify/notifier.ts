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
}

/** The fallback when no desktop is reachable: the notification becomes a log line. */
export function createLogNotifier(logger: Logger): Notifier {
  return {
    channel: 'log',
    async notify(n) {
      logger.info({ notification: { title: n.title, priority: n.priority, event_id: n.eventId } }, `notification: ${n.title}: ${n.message}`);
    },
  };
}
