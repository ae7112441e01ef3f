import { isHookboxError } from '../core/errors.ts';
import { parseAgentHookArgv } from './agent-hook-argv.ts';
import { agentHookCommand } from './commands/agent-hook-command.ts';

// `hookbox agent-hook AGENT` without commander and the other commands: what an agent's tool call
// waits for (bench/sections/agent-hook.ts).

export async function main(argv: string[]): Promise<number> {
  const args = parseAgentHookArgv(argv)!;
  try {
    const { agent, ...flags } = args;
    await agentHookCommand(agent, flags);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // An unknown agent, mostly: a non-blocking error in every agent's protocol.
    process.stderr.write(`hookbox: error: ${isHookboxError(error) ? error.message : (error as Error).message}\n`);
    return 1;
  }
}
