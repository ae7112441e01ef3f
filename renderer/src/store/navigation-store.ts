import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HookboxApi, NavigateTarget } from '../../../main/shared/api-contract.ts';
import type { EventsStore } from './events-store.ts';
import type { HooksStore } from './hooks-store.ts';
import type { InboxStore } from './inbox-store.ts';
import type { UiStore } from './ui-store.ts';

// Where the desktop shell sends the window (a notification was clicked): the view, then the item
// in it, through the stores that own them. Over HTTP the hub never sends one (see the contract).

export interface NavigationState {
  /** The last place the shell asked for (for tests and for whoever wants to know). */
  last: NavigateTarget | null;
  /** Listens for the shell's requests. Returns the unsubscribe. */
  connect(): () => void;
  open(target: NavigateTarget): Promise<void>;
}

export type NavigationStore = StoreApi<NavigationState>;

export function createNavigationStore(
  api: HookboxApi,
  stores: { ui: UiStore; events: EventsStore; inbox: InboxStore; hooks: HooksStore },
): NavigationStore {
  return createStore<NavigationState>()((set, get) => ({
    last: null,
    connect() {
      return api.onNavigate((target) => void get().open(target));
    },
    async open(target) {
      set({ last: target });
      stores.ui.getState().setView(target.view);
      switch (target.view) {
        case 'events':
          await stores.events.getState().select(target.event_id);
          break;
        case 'hooks':
          await stores.hooks.getState().selectLifecycleEvent(target.lifecycle_event_id);
          break;
        case 'inbox':
          await stores.inbox.getState().selectSession(target.session);
          stores.inbox.getState().selectMessage(target.message_id);
          break;
      }
    },
  }));
}
