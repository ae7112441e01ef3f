import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HookboxApi, HookRunDetail, HookRunSummary, HookStatus, LifecycleHandler, ReplayResult } from '../../../main/shared/api-contract.ts';
import { messageOf } from './errors.ts';

// The Hooks view: each webhook hook's state, its recent runs (live), one run in detail, replay
// and copy-as-curl.

export const RUNS_SHOWN = 100;

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
      connect() {
        const offRuns = api.onHookRun((run) => {
          const { hookFilter, runs } = get();
          if (hookFilter === null || hookFilter === run.hook) set({ runs: [run, ...runs.filter((r) => r.id !== run.id)].slice(0, RUNS_SHOWN) });
          void loadHooks().catch(() => undefined);
        });
        const offConfig = api.onConfigChanged(() => void loadHooks().catch(() => undefined));
        void get().reload();
        return () => {
          offRuns();
          offConfig();
        };
      },
      async reload() {
        set({ status: 'loading', error: null });
        try {
          await Promise.all([loadHooks(), loadRuns()]);
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
