import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AgentChangeResult,
  AgentIntegrationOverview,
  AgentPart,
  AgentTarget,
  HookboxApi,
  ShellChangeResult,
  ShellIntegrationOverview,
  ShellTarget,
} from '../../../main/shared/api-contract.ts';
import { messageOf } from './errors.ts';

// The Shell integration view: bash, zsh, fish and git as the core installer sees them, and what
// the last install or uninstall changed where; and the Agents section: each coding agent's
// Hookbox hooks and `hookbox mcp` entry, the same way.

/** `claude:hooks`, `codex:mcp`…: one row of the Agents section. */
export type AgentRowKey = `${AgentTarget}:${AgentPart}`;

export interface ShellState {
  overview: ShellIntegrationOverview | null;
  busy: ShellTarget | null;
  results: Partial<Record<ShellTarget, ShellChangeResult>>;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  agents: AgentIntegrationOverview | null;
  agentBusy: AgentRowKey | null;
  agentResults: Partial<Record<AgentRowKey, AgentChangeResult>>;
  load(): Promise<void>;
  install(target: ShellTarget): Promise<void>;
  uninstall(target: ShellTarget): Promise<void>;
  installAgent(agent: AgentTarget, part: AgentPart): Promise<void>;
  uninstallAgent(agent: AgentTarget, part: AgentPart): Promise<void>;
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
    async function changeAgent(
      agent: AgentTarget,
      part: AgentPart,
      run: () => Promise<AgentChangeResult>,
    ): Promise<void> {
      const key: AgentRowKey = `${agent}:${part}`;
      set({ agentBusy: key, error: null });
      try {
        const result = await run();
        const agents = get().agents;
        set({
          agentResults: { ...get().agentResults, [key]: result },
          ...(agents
            ? { agents: { ...agents, agents: agents.agents.map((a) => (a.agent === agent ? result.status : a)) } }
            : {}),
        });
      } catch (error) {
        set({ error: `${agent} ${part}: ${messageOf(error)}` });
      } finally {
        set({ agentBusy: null });
      }
    }
    return {
      overview: null,
      agents: null,
      agentBusy: null,
      agentResults: {},
      busy: null,
      results: {},
      status: 'idle',
      error: null,
      async load() {
        set({ status: 'loading' });
        try {
          const [overview, agents] = await Promise.all([api.getShellIntegration(), api.getAgentIntegration()]);
          set({ overview, agents, status: 'ready' });
        } catch (error) {
          set({ status: 'error', error: messageOf(error) });
        }
      },
      install: (target) => change(target, () => api.installShellIntegration({ target })),
      uninstall: (target) => change(target, () => api.uninstallShellIntegration({ target })),
      installAgent: (agent, part) => changeAgent(agent, part, () => api.installAgentIntegration({ agent, part })),
      uninstallAgent: (agent, part) => changeAgent(agent, part, () => api.uninstallAgentIntegration({ agent, part })),
    };
  });
}
