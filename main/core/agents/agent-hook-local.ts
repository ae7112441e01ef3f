import { runMappedChain } from '../lifecycle/lifecycle-local.ts';
import type { LifecycleConfig } from '../lifecycle/lifecycle-config.ts';
import {
  mapAgentCall,
  NO_ANSWER,
  verdictOf,
  type AgentAdapter,
  type AgentAnswer,
  type AgentCall,
} from './agent-adapter.ts';

// `agent-hook` with the hub down: the same mapping and chain as the hub, in the command.

/** The chain run in this process from the config file: nothing recorded, nothing notified. */
export async function agentHookLocally(
  adapter: AgentAdapter,
  call: AgentCall | null,
  config: LifecycleConfig,
  options: { json: boolean; env: NodeJS.ProcessEnv },
): Promise<AgentAnswer> {
  if (!call) return NO_ANSWER;
  const mapping = mapAgentCall(adapter, call);
  const run = await runMappedChain(config, mapping.event, mapping.payload, options.env);
  return adapter.answer(call, verdictOf(run), { json: options.json });
}
