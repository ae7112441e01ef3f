import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import { SESSION_NAME_PATTERN } from '../../core/inbox/inbox.ts';
import { createLogger } from '../../core/logger.ts';
import { ApiClient } from '../api-client.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { integerOption } from '../cli-options.ts';
import { runMcpServer } from '../mcp/mcp-server.ts';

// `hookbox mcp`: the MCP server an agent starts as a subprocess (stdout carries only MCP
// JSON-RPC; logs go to stderr).

export interface McpFlags extends GlobalFlags {
  name?: string;
  hook: string[];
  push: boolean;
  port?: number;
  lease: number;
}

/** The session: --name, else the current directory's name (one inbox per project without flags). */
export function mcpSessionName(name: string | undefined, cwd = process.cwd()): string {
  const session = name ?? basename(cwd);
  if (!SESSION_NAME_PATTERN.test(session)) {
    const what = name === undefined ? `the directory name ${JSON.stringify(session)} is not a valid session name; give one with --name` : `invalid session name ${JSON.stringify(session)}`;
    throw new HookboxError(ErrorCode.InvalidInput, `${what} (letters, digits, '.', '_' or '-', at most 128, not starting with '.', '_' or '-')`);
  }
  return session;
}

export async function mcpCommand(flags: McpFlags): Promise<void> {
  const session = mcpSessionName(flags.name);
  const ctx = loadCliContext(flags, flags.port !== undefined ? { port: flags.port } : {});
  const logger = createLogger({ format: ctx.settings.logFormat, destination: process.stderr });
  const client = new ApiClient(flags);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runMcpServer({ client, session, hooks: flags.hook, push: flags.push, leaseS: flags.lease, logger }, stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerMcpCommands(program: Command): void {
  const mcp = program
    .command('mcp')
    .description('MCP server over stdio for coding agents: the session inbox as tools, new messages pushed as Claude Code channel events')
    .option('--name <session>', 'session inbox to serve (default: the current directory name)')
    .option('--hook <name>', 'point this [[hooks]] entry at the session while the server runs (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--no-push', 'do not push new messages as channel events (pull them with inbox_next)')
    .addOption(new Option('--port <n>', 'API port of the running hub (default: AGENTD_PORT or 17002)').argParser(integerOption('--port', 1, 65535)))
    .addOption(new Option('--lease <seconds>', 'how long a claimed message stays claimed without an ack').argParser(integerOption('--lease', 1, 86_400)).default(120))
    .action((options: Omit<McpFlags, keyof GlobalFlags>) => mcpCommand({ ...program.opts(), ...options }));
  void mcp;
}
