import type { HookboxApi } from '../../../main/shared/api-contract.ts';
import { createConfigStore, type ConfigStore } from './config-store.ts';
import { createEventsStore, type EventsStore } from './events-store.ts';
import { createHooksStore, type HooksStore } from './hooks-store.ts';
import { createInboxStore, type InboxStore } from './inbox-store.ts';
import { createNotificationsStore, type NotificationsStore } from './notifications-store.ts';
import { createShellStore, type ShellStore } from './shell-store.ts';
import { createUiStore, type UiStore, type ViewName } from './ui-store.ts';

/** Every store of the window, each fed through the contract (whatever implements it). */
export interface Stores {
  ui: UiStore;
  events: EventsStore;
  inbox: InboxStore;
  hooks: HooksStore;
  config: ConfigStore;
  notifications: NotificationsStore;
  shell: ShellStore;
}

export function createStores(api: HookboxApi, options: { storage?: { getItem(k: string): string | null; setItem(k: string, v: string): void }; view?: ViewName } = {}): Stores {
  return {
    ui: createUiStore(options),
    events: createEventsStore(api),
    inbox: createInboxStore(api),
    hooks: createHooksStore(api),
    config: createConfigStore(api),
    notifications: createNotificationsStore(api),
    shell: createShellStore(api),
  };
}
