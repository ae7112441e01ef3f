import { readFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import type { AgentAnswer } from '../../core/agents/agent-adapter.ts';
import { terminalFromEnv, terminalQuery } from '../../core/agents/agent-terminal.ts';
import { DEFAULT_API_HOST, quickApiPort } from '../../core/config/hub-address.ts';
import { defaultPaths } from '../../core/config/paths.ts';
import { readControlToken } from '../../core/security/control-token.ts';
import type { AgentHookFlags } from '../agent-hook-argv.ts';
import { postToHub } from '../hub-post.ts';

// `hookbox agent-hook AGENT`: what a coding agent runs (its hooks file) for each hook event
// (`claude-hook` is `agent-hook claude`). The hub runs the chain when it is up (the call is
// recorded, notifications and the inbox work): the agent's JSON goes to it as it came, and the hub
// reads it (schema, events it leaves alone) the one way it reads Claude Code's http hook. When it
// does not answer, the same chain runs right here from the config file — the safety-guard needs
// nothing else — and stderr says so (agent-hook-local-command.ts). Input that is not the agent's
// JSON is a non-blocking error (exit 1): Hookbox never breaks an agent.
//
// An agent waits for this on every tool call, so the way to the hub loads nothing heavy: no config
// schema (hub-address.ts), no fetch (hub-post.ts), no adapters. Only the hub-down path loads them
// (a chunk of its own in out/cli/, see scripts/build-cli.ts).

const HUB_TIMEOUT_MS = 30_000;

export interface Io {
  readInput: () => Promise<string>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * The agent's pipe read at once and answers written straight to the descriptors: process.stdin and
 * process.stdout build a stream (a socket, for a pipe) each, which cost more than the relay itself.
 */
const processIo: Io = {
  async readInput() {
    try {
      return readFileSync(0, 'utf8');
    } catch (error) {
      // A non-blocking stdin (a terminal in some shells) is read as a stream.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      return text(process.stdin);
    }
  },
  stdout: (text) => writeAll(1, text),
  stderr: (text) => writeAll(2, text),
};

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}

function relay(answer: AgentAnswer, io: Io): void {
  if (answer.stdout) io.stdout(answer.stdout);
  if (answer.stderr) io.stderr(answer.stderr);
  process.exitCode = answer.exitCode;
}

function isJson(input: string): boolean {
  try {
    JSON.parse(input);
    return true;
  } catch {
    return false;
  }
}

/** The hub's answer, or why there is none (then the chain runs locally). */
async function askHub(agent: string, flags: AgentHookFlags, input: string): Promise<AgentAnswer | string> {
  const env = process.env;
  const defaults = defaultPaths(env);
  const port = quickApiPort(
    {
      ...(flags.port !== undefined ? { port: flags.port } : {}),
      configFile: resolve(flags.config ?? defaults.configFile),
      explicitConfig: flags.config !== undefined || env.HOOKBOX_CONFIG !== undefined,
    },
    env,
  );
  // The full config read (on the local path) says what is wrong with it.
  if (port === null) return 'the config or AGENTD_PORT could not be read';
  const query = new URLSearchParams({
    ...(flags.json ? { json: 'true' } : {}),
    ...(flags.event ? { event: flags.event } : {}),
    // Where the session runs: a click on its notification brings that terminal forward.
    ...terminalQuery(terminalFromEnv(env)),
  }).toString();
  try {
    const reply = await postToHub(
      {
        host: DEFAULT_API_HOST,
        port,
        path: `/agents/${encodeURIComponent(agent)}/run${query ? `?${query}` : ''}`,
        token: readControlToken(resolve(flags.dataDir ?? defaults.dataDir)),
        timeoutMs: HUB_TIMEOUT_MS,
      },
      input,
    );
    // The adapter's answer as the hub made it (AgentRunReply), relayed unchanged.
    const body = JSON.parse(reply.body) as { answer?: AgentAnswer; message?: string };
    if (reply.status !== 200 || !body.answer) return body.message ?? `HTTP ${reply.status}`;
    return body.answer;
  } catch (error) {
    return (error as Error).message;
  }
}

export async function agentHookCommand(agent: string, flags: AgentHookFlags, io: Io = processIo): Promise<void> {
  const input = await io.readInput();
  // Text that is not JSON never goes to the hub: the local path names the agent and the problem.
  const answer = isJson(input) ? await askHub(agent, flags, input) : null;
  if (answer !== null && typeof answer !== 'string') return relay(answer, io);
  // The hub-down path loads the chain (a 460 KB chunk in out/cli/): with Node's compile cache V8
  // reuses the code it compiled for it on the last run (os.tmpdir()/node-compile-cache;
  // NODE_DISABLE_COMPILE_CACHE=1 turns it off). Turned on here, the way to the hub never loads it.
  (await import('node:module')).enableCompileCache();
  const { agentHookWithoutHub } = await import('./agent-hook-local-command.ts');
  relay(await agentHookWithoutHub(agent, flags, input, answer ?? 'not asked'), io);
}
