import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  HookboxApi,
  ShellChangeResult,
  ShellIntegrationOverview,
  ShellTarget,
} from '../../../main/shared/api-contract.ts';
import { messageOf } from './errors.ts';

// The Shell integration view: bash, zsh, fish and git as the core installer sees them, and what
// the last install or uninstall changed where.

export interface ShellState {
  overview: ShellIntegrationOverview | null;
  busy: ShellTarget | null;
  results: Partial<Record<ShellTarget, ShellChangeResult>>;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load(): Promise<void>;
  install(target: ShellTarget): Promise<void>;
  uninstall(target: ShellTarget): Promise<void>;
}

export type ShellStore = StoreApi<ShellState>;

export function createShellStore(api: HookboxApi): ShellStore {
  return createStore<ShellState>()((set, get) => {
    async function change(target: ShellTarget, run: () => Promise<ShellChangeResult>): Promise<void> {
      set({ busy: target, error: null });
      try {
        const result = await run();
        const overview = get().overview;
        set({
          results: { ...get().results, [target]: result },
          ...(overview
            ? {
                overview: {
                  ...overview,
                  targets: overview.targets.map((t) => (t.target === target ? result.status : t)),
                },
              }
            : {}),
        });
      } catch (error) {
        set({ error: `${target}: ${messageOf(error)}` });
      } finally {
        set({ busy: null });
      }
    }
    return {
      overview: null,
      busy: null,
      results: {},
      status: 'idle',
      error: null,
      async load() {
        set({ status: 'loading' });
        try {
          set({ overview: await api.getShellIntegration(), status: 'ready' });
        } catch (error) {
          set({ status: 'error', error: messageOf(error) });
        }
      },
      install: (target) => change(target, () => api.installShellIntegration({ target })),
      uninstall: (target) => change(target, () => api.uninstallShellIntegration({ target })),
    };
  });
}
