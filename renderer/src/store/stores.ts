import type { HookboxApi } from '../../../main/shared/api-contract.ts';
import { createConfigStore, type ConfigStore } from './config-store.ts';
import { createEventsStore, type EventsStore } from './events-store.ts';
import { createHooksStore, type HooksStore } from './hooks-store.ts';
import { createInboxStore, type InboxStore } from './inbox-store.ts';
import { createNavigationStore, type NavigationStore } from './navigation-store.ts';
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
  navigation: NavigationStore;
}

export function createStores(
  api: HookboxApi,
  options: {
    storage?: { getItem(k: string): string | null; setItem(k: string, v: string): void };
    view?: ViewName;
  } = {},
): Stores {
  const ui = createUiStore(options);
  const events = createEventsStore(api);
  const inbox = createInboxStore(api);
  const hooks = createHooksStore(api);
  return {
    ui,
    events,
    inbox,
    hooks,
    config: createConfigStore(api),
    notifications: createNotificationsStore(api),
    shell: createShellStore(api),
    navigation: createNavigationStore(api, { ui, events, inbox, hooks }),
  };
}
