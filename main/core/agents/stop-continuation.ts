import { blockReason, type AgentCall, type AgentVerdict } from './agent-adapter.ts';

/**
 * On a stop event: the text the agent should go on with, or null to let it stop. Waiting inbox
 * messages (the drain) come first; a chain that blocks the response sends its reason — but not
 * when the agent is already continuing because of a stop hook, so a handler that always blocks
 * cannot keep an agent busy forever.
 */
export function stopContinuation(call: AgentCall, verdict: AgentVerdict): string | null {
  if (call.kind !== 'stop' && call.kind !== 'subagent-stop') return null;
  if (verdict.continueWith) return verdict.continueWith;
  if (!verdict.allowed && !call.stopHookActive) return blockReason(verdict);
  return null;
}
