import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  HookboxApi,
  HookRunDetail,
  HookRunSummary,
  HookStatus,
  LifecycleDelivery,
  LifecycleEventDetail,
  LifecycleEventRecord,
  LifecycleHandler,
  ReplayResult,
} from '../../../main/shared/api-contract.ts';
import { messageOf } from './errors.ts';

// The Hooks view: each webhook hook's state, its recent runs (live), one run in detail, replay
// and copy-as-curl; the lifecycle handlers, the webhook outbox's deliveries (live, dead ones
// retried from here) and the recent lifecycle events, one of them in detail.

export const RUNS_SHOWN = 100;
export const DELIVERIES_SHOWN = 50;
export const LIFECYCLE_EVENTS_SHOWN = 50;

/** Newest first (by id: UUIDv7 ids are time-ordered), each id once, a newer state replacing an older one. */
export function upsertById<T extends { id: string }>(items: readonly T[], item: T, limit: number): T[] {
  const rest = items.filter((x) => x.id !== item.id);
  return [item, ...rest].sort((a, b) => (a.id === b.id ? 0 : a.id < b.id ? 1 : -1)).slice(0, limit);
}

export interface HooksState {
  hooks: HookStatus[];
  lifecycle: LifecycleHandler[];
  configError: string | null;
  /** null: runs of every hook. */
  hookFilter: string | null;
  runs: HookRunSummary[];
  selectedRunId: string | null;
  run: HookRunDetail | null;
  curl: string | null;
  replay: ReplayResult | null;
  busy: boolean;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  connect(): () => void;
  reload(): Promise<void>;
  filterHook(name: string | null): Promise<void>;
  selectRun(id: string | null): Promise<void>;
  replayRun(id: string): Promise<void>;
  copyAsCurl(id: string, reveal?: boolean): Promise<string | null>;
  deliveries: LifecycleDelivery[];
  lifecycleEvents: LifecycleEventRecord[];
  selectedLifecycleEventId: string | null;
  lifecycleEvent: LifecycleEventDetail | null;
  /** Deliveries being retried (their buttons wait). */
  retrying: string[];
  retryDelivery(id: string): Promise<void>;
  selectLifecycleEvent(id: string | null): Promise<void>;
}

export type HooksStore = StoreApi<HooksState>;

export function createHooksStore(api: HookboxApi): HooksStore {
  return createStore<HooksState>()((set, get) => {
    async function loadHooks(): Promise<void> {
      const overview = await api.listHooks();
      set({ hooks: overview.hooks, lifecycle: overview.lifecycle, configError: overview.config_error });
    }
    async function loadRuns(): Promise<void> {
      const hook = get().hookFilter;
      const runs = await api.listHookRuns({ limit: RUNS_SHOWN, ...(hook ? { hook } : {}) });
      if (get().hookFilter === hook) set({ runs });
    }
    async function loadLifecycle(): Promise<void> {
      const [deliveries, lifecycleEvents] = await Promise.all([
        api.listLifecycleDeliveries({ limit: DELIVERIES_SHOWN }),
        api.listLifecycleEvents({ limit: LIFECYCLE_EVENTS_SHOWN }),
      ]);
      set({ deliveries, lifecycleEvents });
    }
    async function loadLifecycleEvent(id: string): Promise<void> {
      const detail = await api.getLifecycleEvent({ id });
      if (get().selectedLifecycleEventId === id) set({ lifecycleEvent: detail });
    }

    return {
      hooks: [],
      lifecycle: [],
      configError: null,
      hookFilter: null,
      runs: [],
      selectedRunId: null,
      run: null,
      curl: null,
      replay: null,
      busy: false,
      status: 'idle',
      error: null,
      deliveries: [],
      lifecycleEvents: [],
      selectedLifecycleEventId: null,
      lifecycleEvent: null,
      retrying: [],
      connect() {
        const offRuns = api.onHookRun((run) => {
          const { hookFilter, runs } = get();
          if (hookFilter === null || hookFilter === run.hook)
            set({ runs: [run, ...runs.filter((r) => r.id !== run.id)].slice(0, RUNS_SHOWN) });
          void loadHooks().catch(() => undefined);
        });
        const offConfig = api.onConfigChanged(() => void loadHooks().catch(() => undefined));
        const offLifecycle = api.onLifecycleEvent((event) => {
          set({ lifecycleEvents: upsertById(get().lifecycleEvents, event, LIFECYCLE_EVENTS_SHOWN) });
          // Its deliveries are pending before their first attempt reports: add the ones not shown
          // yet (a shown one may already be newer than this answer).
          if (event.allowed) {
            api.listLifecycleDeliveries({ limit: DELIVERIES_SHOWN }).then(
              (listed) => {
                let deliveries = get().deliveries;
                for (const d of listed)
                  if (!deliveries.some((x) => x.id === d.id)) deliveries = upsertById(deliveries, d, DELIVERIES_SHOWN);
                set({ deliveries });
              },
              () => undefined,
            );
          }
        });
        const offDelivery = api.onLifecycleDelivery((delivery) => {
          set({ deliveries: upsertById(get().deliveries, delivery, DELIVERIES_SHOWN) });
          const open = get().selectedLifecycleEventId;
          if (open === delivery.event_id) void loadLifecycleEvent(open).catch(() => undefined);
        });
        void get().reload();
        return () => {
          offRuns();
          offConfig();
          offLifecycle();
          offDelivery();
        };
      },
      async reload() {
        set({ status: 'loading', error: null });
        try {
          await Promise.all([loadHooks(), loadRuns(), loadLifecycle()]);
          set({ status: 'ready' });
        } catch (error) {
          set({ status: 'error', error: messageOf(error) });
        }
      },
      async filterHook(name) {
        set({ hookFilter: name });
        try {
          await loadRuns();
        } catch (error) {
          set({ error: messageOf(error) });
        }
      },
      async selectRun(id) {
        set({ selectedRunId: id, run: null, curl: null, replay: null });
        if (id === null) return;
        set({ selectedLifecycleEventId: null, lifecycleEvent: null });
        try {
          const run = await api.getHookRun({ id });
          if (get().selectedRunId === id) set({ run });
        } catch (error) {
          set({ error: messageOf(error) });
        }
      },
      async replayRun(id) {
        set({ busy: true, error: null, replay: null });
        try {
          const replay = await api.replayHookRun({ id });
          set({ replay });
        } catch (error) {
          set({ error: messageOf(error) });
        } finally {
          set({ busy: false });
        }
      },
      async retryDelivery(id) {
        set({ retrying: [...get().retrying, id], error: null });
        try {
          const delivery = await api.retryLifecycleDelivery({ id });
          // A live update may already have brought a newer state (the attempt is made at once).
          if (get().deliveries.find((d) => d.id === id)?.state === 'dead')
            set({ deliveries: upsertById(get().deliveries, delivery, DELIVERIES_SHOWN) });
        } catch (error) {
          set({ error: messageOf(error) });
        } finally {
          set({ retrying: get().retrying.filter((x) => x !== id) });
        }
      },
      async selectLifecycleEvent(id) {
        set({ selectedLifecycleEventId: id, lifecycleEvent: null });
        if (id === null) return;
        // One detail pane at a time.
        if (get().selectedRunId !== null) set({ selectedRunId: null, run: null, curl: null, replay: null });
        try {
          await loadLifecycleEvent(id);
        } catch (error) {
          set({ error: messageOf(error) });
        }
      },
      async copyAsCurl(id, reveal = false) {
        try {
          const { curl } = await api.copyRunAsCurl({ id, reveal });
          set({ curl });
          return curl;
        } catch (error) {
          set({ error: messageOf(error) });
          return null;
        }
      },
    };
  });
}
