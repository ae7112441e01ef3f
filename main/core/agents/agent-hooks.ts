import { ErrorCode, HookboxError } from '../errors.ts';
import { runLocalChain } from '../lifecycle/lifecycle-local.ts';
import type { LifecycleConfig } from '../lifecycle/lifecycle-config.ts';
import { AGENT_IDS, mapAgentCall, NO_ANSWER, verdictOf, type AgentAdapter, type AgentAnswer, type AgentCall, type AgentId } from './agent-adapter.ts';
import { claudeAdapter } from './claude.ts';
import { codexAdapter } from './codex.ts';
import { copilotAdapter } from './copilot.ts';
import { cursorAdapter } from './cursor.ts';
import { geminiAdapter } from './gemini.ts';
import { lastAssistantMessage } from './transcript.ts';

// The agents Hookbox answers, and the one flow every path shares: read the agent's input into a
// call, map it to a lifecycle event, run the chain (in the hub, or locally when the hub is down),
// answer in the agent's protocol.

export const AGENTS: Record<AgentId, AgentAdapter> = {
  claude: claudeAdapter,
  codex: codexAdapter,
  copilot: copilotAdapter,
  cursor: cursorAdapter,
  gemini: geminiAdapter,
};

export function agentAdapter(name: string): AgentAdapter {
  const adapter = (AGENTS as Record<string, AgentAdapter | undefined>)[name.toLowerCase()];
  if (!adapter) throw new HookboxError(ErrorCode.InvalidInput, `unknown agent '${name}'; known agents: ${AGENT_IDS.join(', ')}`);
  return adapter;
}

/**
 * The agent's input as a call (null: an event Hookbox leaves alone). A stop without the agent's
 * last message gets it from the transcript (older Claude Code versions do not send it).
 */
export function readAgentCall(adapter: AgentAdapter, value: unknown, event?: string): AgentCall | null {
  const call = adapter.parse(value, event);
  if (call && (call.kind === 'stop' || call.kind === 'subagent-stop') && call.response === null && call.transcriptPath) {
    call.response = lastAssistantMessage(call.transcriptPath);
  }
  return call;
}

/** The chain run in this process from the config file: nothing recorded, nothing notified. */
export async function agentHookLocally(adapter: AgentAdapter, call: AgentCall | null, config: LifecycleConfig, options: { json: boolean; env: NodeJS.ProcessEnv }): Promise<AgentAnswer> {
  if (!call) return NO_ANSWER;
  const mapping = mapAgentCall(adapter, call);
  const run = await runLocalChain(config, mapping.event, mapping.payload, options.env);
  return adapter.answer(call, verdictOf(run), { json: options.json });
}
