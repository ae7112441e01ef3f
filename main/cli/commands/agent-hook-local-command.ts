import {
  isBlockable,
  parseJson,
  type AgentAdapter,
  type AgentAnswer,
  type AgentCall,
} from '../../core/agents/agent-adapter.ts';
import { agentHookLocally } from '../../core/agents/agent-hook-local.ts';
import { agentAdapter, readAgentCall } from '../../core/agents/agent-hooks.ts';
import { localLifecycleConfig } from '../../core/lifecycle/lifecycle-local.ts';
import { loadCliContext } from '../cli-context.ts';
import type { AgentHookFlags } from '../agent-hook-argv.ts';

// `hookbox agent-hook AGENT` when the hub did not answer (agent-hook-command.ts): the agent's input
// read here, and the chain run from the config file. Also where input that is not the agent's JSON
// is reported, in the agent's words (exit 1, a non-blocking error in every agent's protocol).

/** A tool call we could not check is refused, in the agent's protocol (fail closed, like a blocking hook's timeout). */
function cannotCheck(adapter: AgentAdapter, call: AgentCall, message: string, json: boolean): AgentAnswer {
  if (!isBlockable(call.kind) || (call.kind !== 'pre-tool' && call.kind !== 'permission-request'))
    return { exitCode: 1, stdout: '', stderr: `${message}\n` };
  if (adapter.id === 'claude' && !json) return { exitCode: 2, stdout: '', stderr: `${message}; blocked to be safe\n` };
  const answer = adapter.answer(
    call,
    {
      allowed: false,
      reason: `${message.replace(/^hookbox: /, '')}; blocked to be safe`,
      hook: null,
      context: null,
      updatedInput: null,
      continueWith: null,
    },
    { json },
  );
  return { ...answer, stderr: `${answer.stderr}${message}; blocked to be safe\n` };
}

/** The answer without the hub; `hubProblem` is why the hub did not answer (said on stderr). Throws for an unknown agent. */
export async function agentHookWithoutHub(
  agent: string,
  flags: AgentHookFlags,
  input: string,
  hubProblem: string,
): Promise<AgentAnswer> {
  const adapter = agentAdapter(agent);
  let call: AgentCall | null;
  try {
    call = readAgentCall(adapter, parseJson(adapter.label, input), flags.event);
  } catch (error) {
    // Not the agent's JSON: a non-blocking error in every agent's protocol (exit 1, shown to the user).
    return { exitCode: 1, stdout: '', stderr: `hookbox: ${(error as Error).message}\n` };
  }
  // An event Hookbox does not handle (a newer one, WorktreeCreate …) passes untouched.
  if (!call) return { exitCode: 0, stdout: '', stderr: '' };
  const json = flags.json ?? false;
  const note = `hookbox: the hub did not answer (${hubProblem}); ran the ${call.nativeEvent} chain locally from the config — not recorded, no notification or inbox message\n`;
  let answer: AgentAnswer;
  try {
    const ctx = loadCliContext(flags);
    const config = localLifecycleConfig(ctx.config, process.env);
    answer = await agentHookLocally(adapter, call, config, { json, env: process.env });
  } catch (error) {
    return cannotCheck(
      adapter,
      call,
      `hookbox: cannot run the ${call.nativeEvent} chain: ${(error as Error).message}`,
      json,
    );
  }
  return { ...answer, stderr: `${answer.stderr}${note}` };
}
