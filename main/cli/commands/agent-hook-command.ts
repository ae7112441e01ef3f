import { text } from 'node:stream/consumers';
import {
  isBlockable,
  notAgentInput,
  parseJson,
  type AgentAdapter,
  type AgentAnswer,
  type AgentCall,
} from '../../core/agents/agent-adapter.ts';
import { agentAdapter, readAgentCall } from '../../core/agents/agent-hooks.ts';
import type { AgentRunReply } from '../../core/http/routes/agent-routes.ts';
import { ApiClient, type ApiClientFlags } from '../api-client.ts';
import { loadCliContext } from '../cli-context.ts';

// `hookbox agent-hook AGENT`: what a coding agent runs (its hooks file) for each hook event
// (`claude-hook` is `agent-hook claude`). The hub runs the chain when it is up (the call is
// recorded, notifications and the inbox work); when it is not, the same chain runs right here from
// the config file — the safety-guard needs nothing else — and stderr says so. Input that is not the
// agent's JSON is a non-blocking error (exit 1): Hookbox never breaks an agent. Only the hub-down
// path loads the chain. The input is checked against the agent's schema once: by the hub, or here
// when the hub is down; the hub's answer is relayed as its adapter made it.

interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function relay(answer: AgentAnswer, io: Io): void {
  if (answer.stdout) io.stdout.write(answer.stdout);
  if (answer.stderr) io.stderr.write(answer.stderr);
  process.exitCode = answer.exitCode;
}

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

export async function agentHookCommand(
  agent: string,
  flags: ApiClientFlags & { json?: boolean; event?: string },
  io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<void> {
  const adapter = agentAdapter(agent);
  const notTheAgents = (message: string) => relay(notAgentInput(message), io);
  let value: unknown;
  try {
    value = parseJson(adapter.label, await text(io.stdin));
  } catch (error) {
    return notTheAgents((error as Error).message);
  }
  const json = flags.json ?? false;

  let hubProblem: string;
  try {
    const client = new ApiClient(flags);
    const { json: reply } = await client.call('POST /agents/:agent/run', {
      params: { agent: adapter.id },
      query: { ...(json ? { json: true } : {}), ...(flags.event ? { event: flags.event } : {}) },
      body: value,
    });
    relay(reply.answer, io);
    return;
  } catch (error) {
    hubProblem = (error as Error).message;
  }

  let call: AgentCall | null;
  try {
    call = readAgentCall(adapter, value, flags.event);
  } catch (error) {
    return notTheAgents((error as Error).message);
  }
  // An event Hookbox does not handle (a newer one, WorktreeCreate …) passes untouched.
  if (!call) return relay({ exitCode: 0, stdout: '', stderr: '' }, io);
  const note = `hookbox: the hub did not answer (${hubProblem}); ran the ${call.nativeEvent} chain locally from the config — not recorded, no notification or inbox message\n`;
  let answer: AgentAnswer;
  try {
    const ctx = loadCliContext(flags);
    const { localLifecycleConfig } = await import('../../core/lifecycle/lifecycle-local.ts');
    const { agentHookLocally } = await import('../../core/agents/agent-hook-local.ts');
    const config = localLifecycleConfig(ctx.config, process.env);
    answer = await agentHookLocally(adapter, call, config, { json, env: process.env });
  } catch (error) {
    relay(
      cannotCheck(
        adapter,
        call,
        `hookbox: cannot run the ${call.nativeEvent} chain: ${(error as Error).message}`,
        json,
      ),
      io,
    );
    return;
  }
  relay({ ...answer, stderr: `${answer.stderr}${note}` }, io);
}
