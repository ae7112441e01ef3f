import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HookboxApi, NotificationSettingsView } from '../../../main/shared/api-contract.ts';
import { messageOf } from './errors.ts';

// The Notifications view: the rules (written to the config file's [notifications] table and hot
// reloaded) and the pause (the hub's state, shared with the tray).

export interface NotificationsState {
  view: NotificationSettingsView | null;
  saving: boolean;
  /** What the last change did ("Saved to …"), shown until the next one. */
  notice: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  connect(): () => void;
  load(): Promise<void>;
  update(
    change: Partial<
      Pick<
        NotificationSettingsView,
        | 'on_failure'
        | 'on_long_running'
        | 'long_running_threshold_ms'
        | 'long_running_ignore'
        | 'failure_when'
        | 'long_running_when'
      >
    >,
  ): Promise<boolean>;
  pause(minutes: number | null): Promise<void>;
  resume(): Promise<void>;
}

export type NotificationsStore = StoreApi<NotificationsState>;

export function createNotificationsStore(api: HookboxApi): NotificationsStore {
  return createStore<NotificationsState>()((set, get) => ({
    view: null,
    saving: false,
    notice: null,
    status: 'idle',
    error: null,
    connect() {
      const offPause = api.onPauseChanged((pause) => {
        const view = get().view;
        if (view) set({ view: { ...view, pause } });
      });
      const offConfig = api.onConfigChanged(() => void get().load());
      void get().load();
      return () => {
        offPause();
        offConfig();
      };
    },
    async load() {
      if (!get().view) set({ status: 'loading' });
      try {
        set({ view: await api.getNotificationSettings(), status: 'ready' });
      } catch (error) {
        set({ status: 'error', error: messageOf(error) });
      }
    },
    async update(change) {
      set({ saving: true, error: null, notice: null });
      try {
        const view = await api.updateNotificationSettings(change);
        set({ view, notice: `Saved to ${view.config_path} and applied.` });
        return true;
      } catch (error) {
        set({ error: messageOf(error) });
        return false;
      } finally {
        set({ saving: false });
      }
    },
    async pause(minutes) {
      try {
        const pause = await api.pauseNotifications(minutes === null ? {} : { minutes });
        const view = get().view;
        if (view) set({ view: { ...view, pause } });
      } catch (error) {
        set({ error: messageOf(error) });
      }
    },
    async resume() {
      try {
        const pause = await api.resumeNotifications();
        const view = get().view;
        if (view) set({ view: { ...view, pause } });
      } catch (error) {
        set({ error: messageOf(error) });
      }
    },
  }));
}
