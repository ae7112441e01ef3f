import { Notification } from 'electron';
import type { DesktopNotification, Notifier, Priority } from '../core/notify/notifier.ts';

const URGENCY: Record<Priority, 'low' | 'normal' | 'critical'> = {
  low: 'low',
  normal: 'normal',
  high: 'critical',
  urgent: 'critical',
};

// 'show' is not emitted on every platform; past this the notification counts as handed over.
const SHOW_WAIT_MS = 2_000;
// Electron drops the click handler of a Notification object that was garbage collected, so the
// latest ones are kept.
const KEEP_RECENT = 20;

/** The desktop shell's notifier: Electron's Notification; a click brings the window forward. */
export function createElectronNotifier(options: { onClick: (eventId: string) => void; icon?: string }): Notifier {
  const recent: Notification[] = [];

  return {
    channel: 'electron',
    notify(n: DesktopNotification) {
      if (!Notification.isSupported()) return Promise.reject(new Error('this desktop does not support notifications'));
      const notification = new Notification({
        title: n.title,
        body: n.message,
        urgency: URGENCY[n.priority],
        silent: n.priority === 'low',
        ...(options.icon ? { icon: options.icon } : {}),
      });
      recent.push(notification);
      if (recent.length > KEEP_RECENT) recent.shift();
      notification.on('click', () => options.onClick(n.eventId));
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, SHOW_WAIT_MS);
        notification.once('show', () => {
          clearTimeout(timer);
          resolve();
        });
        notification.once('failed', (_event, error) => {
          clearTimeout(timer);
          reject(new Error(error));
        });
        notification.show();
      });
    },
  };
}
