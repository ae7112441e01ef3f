import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  EventSearchInfo,
  HookboxApi,
  HubHealth,
  NotificationRecord,
  RecordedEvent,
} from '../../../main/shared/api-contract.ts';
import { messageOf } from './errors.ts';

// The Events view: one filtered page of the history at a time (the hub pages on its side, so a
// history of 100 000 events costs what one of 50 does), the event that is open, and live
// arrivals: on the newest page they appear at once; on an older page they are counted.

export const PAGE_SIZE = 50;
export type KindFilter = '' | RecordedEvent['kind'];

export interface EventFilters {
  failedOnly: boolean;
  longRunning: boolean;
  kind: KindFilter;
  text: string;
}

export const NO_FILTERS: EventFilters = { failedOnly: false, longRunning: false, kind: '', text: '' };

export interface EventsState {
  filters: EventFilters;
  events: RecordedEvent[];
  /** Matching events in the whole history (at least this many when `totalIsLowerBound`). */
  total: number;
  totalIsLowerBound: boolean;
  /** The hub stopped looking before the page was full; Older continues the walk. */
  partial: boolean;
  /** How the text was searched (null without one). */
  search: EventSearchInfo | null;
  /** Cursors of the pages before this one (empty: the newest page). */
  previous: string[];
  /** Events shown on each of those pages (a partial page holds fewer than PAGE_SIZE). */
  previousCounts: number[];
  cursor: string | null;
  nextCursor: string | null;
  thresholdMs: number;
  /** Events that arrived while an older page was shown. */
  arrivedMeanwhile: number;
  health: HubHealth | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  selectedId: string | null;
  /** The open event; with the notifications it raised once the hub answered. */
  selected: (RecordedEvent & { notifications?: NotificationRecord[] }) | null;
  /** Listens for live events, then loads. Returns the unsubscribe (for effects). */
  connect(): () => void;
  reload(): Promise<void>;
  setFilters(change: Partial<EventFilters>): Promise<void>;
  olderPage(): Promise<void>;
  newerPage(): Promise<void>;
  newestPage(): Promise<void>;
  select(id: string | null): Promise<void>;
}

export type EventsStore = StoreApi<EventsState>;

/**
 * The filters the window checks itself on an event that arrives live (kind, text). "Failed" and
 * "long-running" are the hub's to say: they are the notification rules' definitions (Ctrl-C is no
 * failure, programs on the ignore list are never long-running), kept in one place on the hub.
 */
export function matchesFilters(event: RecordedEvent, filters: EventFilters): boolean {
  if (filters.kind && event.kind !== filters.kind) return false;
  const text = filters.text.trim().toLowerCase();
  if (text && !event.command.toLowerCase().includes(text) && !event.output.toLowerCase().includes(text)) return false;
  return true;
}

/** Newest first, each id once, at most `limit`. */
export function mergeEvents(
  current: readonly RecordedEvent[],
  incoming: readonly RecordedEvent[],
  limit = PAGE_SIZE,
): RecordedEvent[] {
  const byId = new Map<string, RecordedEvent>();
  for (const event of [...incoming, ...current]) if (!byId.has(event.id)) byId.set(event.id, event);
  return [...byId.values()]
    .sort((a, b) => (a.received_at === b.received_at ? 0 : a.received_at < b.received_at ? 1 : -1))
    .slice(0, limit);
}

export function createEventsStore(api: HookboxApi): EventsStore {
  let request = 0;
  return createStore<EventsState>()((set, get) => {
    const queryOf = (filters: EventFilters, cursor: string | null) => ({
      limit: PAGE_SIZE,
      ...(filters.failedOnly ? { failed_only: true } : {}),
      ...(filters.longRunning ? { long_running: true } : {}),
      ...(filters.kind ? { kind: filters.kind } : {}),
      ...(filters.text.trim() ? { text: filters.text.trim() } : {}),
      ...(cursor ? { cursor } : {}),
    });

    /** A live event that matches the filters: shown on the newest page, counted on an older one. */
    function arrived(event: RecordedEvent): void {
      const state = get();
      if (state.cursor !== null) return set({ arrivedMeanwhile: state.arrivedMeanwhile + 1, total: state.total + 1 });
      if (state.events.some((e) => e.id === event.id)) return;
      set({ events: mergeEvents(state.events, [event]), total: state.total + 1 });
    }

    async function load(cursor: string | null, previous: string[], previousCounts: number[]): Promise<void> {
      const mine = ++request;
      set({ status: 'loading', error: null });
      const { filters } = get();
      try {
        const page = await api.queryEvents(queryOf(filters, cursor));
        if (mine !== request) return; // a newer load (typing in the search) won
        set({
          events: page.events,
          total: page.total,
          totalIsLowerBound: page.total_is_lower_bound,
          partial: page.partial,
          search: page.search,
          cursor,
          previous,
          previousCounts,
          nextCursor: page.next_cursor,
          thresholdMs: page.long_running_threshold_ms,
          status: 'ready',
          ...(cursor === null ? { arrivedMeanwhile: 0 } : {}),
        });
      } catch (error) {
        if (mine === request) set({ status: 'error', error: messageOf(error) });
      }
    }

    return {
      filters: NO_FILTERS,
      events: [],
      total: 0,
      totalIsLowerBound: false,
      partial: false,
      search: null,
      previous: [],
      previousCounts: [],
      cursor: null,
      nextCursor: null,
      thresholdMs: 30_000,
      arrivedMeanwhile: 0,
      health: null,
      status: 'idle',
      error: null,
      selectedId: null,
      selected: null,
      connect() {
        // Subscribe first so nothing recorded during the load is missed; the merge drops doubles.
        const unsubscribe = api.onEventRecorded((event) => {
          const { health, filters } = get();
          if (health) set({ health: { ...health, event_count: health.event_count + 1 } });
          if (!matchesFilters(event, filters)) return;
          if (!filters.failedOnly && !filters.longRunning) return arrived(event);
          // Whether it failed or ran long is the hub's definition: ask it (the newest page holds the event if so).
          api.queryEvents(queryOf(filters, null)).then(
            (page) => {
              if (get().filters === filters && page.events.some((e) => e.id === event.id)) arrived(event);
            },
            () => undefined,
          );
        });
        void get().reload();
        return unsubscribe;
      },
      async reload() {
        const { cursor, previous, previousCounts } = get();
        await Promise.all([
          load(cursor, previous, previousCounts),
          api.getHealth().then(
            (health) => set({ health }),
            () => undefined,
          ),
        ]);
      },
      async setFilters(change) {
        set({ filters: { ...get().filters, ...change } });
        await load(null, [], []);
      },
      async olderPage() {
        const { nextCursor, cursor, previous, previousCounts, events } = get();
        if (nextCursor === null) return;
        await load(nextCursor, [...previous, cursor ?? ''], [...previousCounts, events.length]);
      },
      async newerPage() {
        const { previous, previousCounts } = get();
        if (previous.length === 0) return;
        const back = previous.at(-1)!;
        await load(back === '' ? null : back, previous.slice(0, -1), previousCounts.slice(0, -1));
      },
      async newestPage() {
        await load(null, [], []);
      },
      async select(id) {
        if (id === null) return set({ selectedId: null, selected: null });
        set({ selectedId: id, selected: get().events.find((e) => e.id === id) ?? null });
        try {
          const event = await api.getEvent({ id });
          if (get().selectedId === id) set({ selected: event });
        } catch (error) {
          set({ error: messageOf(error) });
        }
      },
    };
  });
}
