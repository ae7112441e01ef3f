import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HookboxApi, HubHealth, RecordedEvent } from '../../../main/shared/api-contract.ts';

/** How many recent events the window keeps in view. */
export const RECENT_EVENTS = 200;

export interface EventsState {
  events: RecordedEvent[];
  health: HubHealth | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** Listens for live events, then loads the recent ones. Returns the unsubscribe (for effects). */
  connect(): () => void;
}

export type EventsStore = StoreApi<EventsState>;

/** Newest first, each id once, at most `limit`. */
export function mergeEvents(current: readonly RecordedEvent[], incoming: readonly RecordedEvent[], limit = RECENT_EVENTS): RecordedEvent[] {
  const byId = new Map<string, RecordedEvent>();
  for (const event of [...incoming, ...current]) if (!byId.has(event.id)) byId.set(event.id, event);
  return [...byId.values()]
    .sort((a, b) => (a.received_at === b.received_at ? 0 : a.received_at < b.received_at ? 1 : -1))
    .slice(0, limit);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The events view's state, fed through the contract (whatever implements it). */
export function createEventsStore(api: HookboxApi): EventsStore {
  return createStore<EventsState>()((set, get) => ({
    events: [],
    health: null,
    status: 'idle',
    error: null,
    connect() {
      // Subscribe first so nothing recorded during the load is missed; the merge drops doubles.
      const unsubscribe = api.onEventRecorded((event) => {
        const { events, health } = get();
        if (events.some((e) => e.id === event.id)) return;
        set({
          events: mergeEvents(events, [event]),
          ...(health ? { health: { ...health, event_count: health.event_count + 1 } } : {}),
        });
      });
      set({ status: 'loading', error: null });
      Promise.all([api.getHealth(), api.listEvents({ limit: RECENT_EVENTS })]).then(
        ([health, recent]) => set({ health, events: mergeEvents(get().events, recent), status: 'ready' }),
        (error: unknown) => set({ status: 'error', error: messageOf(error) }),
      );
      return unsubscribe;
    },
  }));
}
