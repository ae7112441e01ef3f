import { ErrorCode, HookboxError } from '../errors.ts';
import { AGENT_IDS, type AgentAdapter, type AgentCall, type AgentId } from './agent-adapter.ts';
import { claudeAdapter } from './claude.ts';
import { codexAdapter } from './codex.ts';
import { copilotAdapter } from './copilot.ts';
import { cursorAdapter } from './cursor.ts';
import { geminiAdapter } from './gemini.ts';
import { lastAssistantMessage } from './transcript.ts';

// The agents Hookbox answers, and reading an agent's input into a call — the first step of the one
// flow every path shares (the hub: agent-hook-service.ts; the command with the hub down:
// agent-hook-local.ts).

export const AGENTS: Record<AgentId, AgentAdapter> = {
  claude: claudeAdapter,
  codex: codexAdapter,
  copilot: copilotAdapter,
  cursor: cursorAdapter,
  gemini: geminiAdapter,
};

export function agentAdapter(name: string): AgentAdapter {
  const adapter = (AGENTS as Record<string, AgentAdapter | undefined>)[name.toLowerCase()];
  if (!adapter)
    throw new HookboxError(ErrorCode.InvalidInput, `unknown agent '${name}'; known agents: ${AGENT_IDS.join(', ')}`);
  return adapter;
}

/**
 * The agent's input as a call (null: an event Hookbox leaves alone). A stop without the agent's
 * last message gets it from the transcript (older Claude Code versions do not send it).
 */
export function readAgentCall(adapter: AgentAdapter, value: unknown, event?: string): AgentCall | null {
  const call = adapter.parse(value, event);
  if (
    call &&
    (call.kind === 'stop' || call.kind === 'subagent-stop') &&
    call.response === null &&
    call.transcriptPath
  ) {
    call.response = lastAssistantMessage(call.transcriptPath);
  }
  return call;
}
