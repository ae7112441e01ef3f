import { homedir } from 'node:os';
import { basename, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { AGENT_NAMES } from '../../core/agents/agent-mcp-adapter.ts';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import { SESSION_NAME_PATTERN } from '../../core/inbox/session-name.ts';
import { createLogger } from '../../core/logger.ts';
import { ApiClient } from '../api-client.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { shellWord } from '../../core/util/shell-words.ts';
import { integerOption } from '../cli-options.ts';
import { launcherWords } from '../launcher.ts';

// `hookbox mcp`: the MCP server an agent starts as a subprocess (stdout carries only MCP
// JSON-RPC; logs go to stderr), and `hookbox mcp install|uninstall|status AGENT`. The MCP SDK and
// the config editors are loaded when these run: every other command (claude-hook runs on each
// tool call of an agent) would otherwise pay for loading them.

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
    const what =
      name === undefined
        ? `the directory name ${JSON.stringify(session)} is not a valid session name; give one with --name`
        : `invalid session name ${JSON.stringify(session)}`;
    throw new HookboxError(
      ErrorCode.InvalidInput,
      `${what} (letters, digits, '.', '_' or '-', at most 128, not starting with '.', '_' or '-')`,
    );
  }
  return session;
}

export async function mcpCommand(flags: McpFlags): Promise<void> {
  const session = mcpSessionName(flags.name);
  const ctx = loadCliContext(flags, flags.port !== undefined ? { port: flags.port } : {});
  const logger = createLogger({ format: ctx.settings.logFormat, destination: process.stderr });
  const client = new ApiClient(flags);
  const { runMcpServer } = await import('../mcp/mcp-server.ts');
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runMcpServer(
      { client, session, hooks: flags.hook, push: flags.push, leaseS: flags.lease, logger },
      stop.signal,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerMcpCommands(program: Command): void {
  const mcp = program
    .command('mcp')
    .description(
      'MCP server over stdio for coding agents: the session inbox as tools, new messages pushed as Claude Code channel events',
    )
    .option('--name <session>', 'session inbox to serve (default: the current directory name)')
    .option(
      '--hook <name>',
      'point this [[hooks]] entry at the session while the server runs (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--no-push', 'do not push new messages as channel events (pull them with inbox_next)')
    .addOption(
      new Option('--port <n>', 'API port of the running hub (default: AGENTD_PORT or 17002)').argParser(
        integerOption('--port', 1, 65535),
      ),
    )
    .addOption(
      new Option('--lease <seconds>', 'how long a claimed message stays claimed without an ack')
        .argParser(integerOption('--lease', 1, 86_400))
        .default(120),
    )
    .action((options: Omit<McpFlags, keyof GlobalFlags>) => mcpCommand({ ...program.opts(), ...options }));

  const agentCommand = (verb: 'install' | 'uninstall' | 'status', description: string) =>
    mcp
      .command(`${verb} <agent>`)
      .description(description)
      .option(
        '--project <dir>',
        "the project's config file instead of the user's (claude: DIR/.mcp.json, gemini: DIR/.gemini/settings.json, cursor: DIR/.cursor/mcp.json)",
      )
      .option(
        '--name <session>',
        'the session the agent reads (default: the project directory name, else the directory the agent runs in)',
      )
      .action((agent: string, options: { project?: string; name?: string }) => {
        // `mcp` has its own --name: commander gives it the flag when it comes after the agent.
        const name = options.name ?? (mcp.opts() as { name?: string }).name;
        return mcpAgentCommand(verb, agent, { ...program.opts(), ...options, ...(name !== undefined ? { name } : {}) });
      });
  agentCommand(
    'install',
    `add hookbox to an agent's MCP servers (${AGENT_NAMES.join(', ')}); again, it changes nothing`,
  );
  agentCommand('uninstall', "remove hookbox from an agent's MCP servers, restoring the file as it was");
  agentCommand('status', "show whether an agent's config starts hookbox mcp");
}

export interface McpAgentFlags extends GlobalFlags {
  project?: string;
  name?: string;
}

/** The session written into the agent's config: --name, else the project's directory name. */
function installedSession(flags: McpAgentFlags): string | undefined {
  if (flags.name !== undefined) return mcpSessionName(flags.name);
  if (flags.project === undefined) return undefined;
  const name = basename(resolve(flags.project));
  return SESSION_NAME_PATTERN.test(name) ? name : undefined;
}

export async function mcpAgentCommand(
  verb: 'install' | 'uninstall' | 'status',
  agent: string,
  flags: McpAgentFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { agentAdapter, agentMcpStatus, installAgentMcp, mcpServerCommand, uninstallAgentMcp } = await import(
    '../../core/agents/mcp-install.ts'
  );
  const adapter = agentAdapter(agent);
  const ctx = { home: homedir(), env: process.env, ...(flags.project !== undefined ? { project: flags.project } : {}) };
  const dataDir = loadCliContext(flags).dataDir;
  const server = mcpServerCommand(launcherWords(flags), adapter, installedSession(flags));
  const where = (r: { file: string; target: string | null }) => (r.target ? `${r.file} (→ ${r.target})` : r.file);
  if (verb === 'install') {
    const result = installAgentMcp(adapter, ctx, server, dataDir);
    out.write(
      result.changed
        ? `${where(result)}: hookbox added for ${agent}: ${[server.command, ...server.args].map(shellWord).join(' ')}\n`
        : `${where(result)}: already installed; nothing changed\n`,
    );
    if (result.changed && adapter.channels)
      out.write(
        'to push messages into a running session: claude --dangerously-load-development-channels server:hookbox\n',
      );
  } else if (verb === 'uninstall') {
    const result = uninstallAgentMcp(adapter, ctx, dataDir);
    out.write(
      !result.changed
        ? `${where(result)}: hookbox is not installed; nothing changed\n`
        : result.removedFile
          ? `${where(result)}: removed (Hookbox had created it)\n`
          : `${where(result)}: hookbox removed\n`,
    );
  } else {
    const status = agentMcpStatus(adapter, ctx, server);
    const state = !status.exists
      ? 'not installed (no such file)'
      : !status.installed
        ? 'not installed'
        : status.current
          ? 'installed'
          : 'installed, but with other arguments than an install would write now';
    out.write(
      `${agent}: ${state}\n  file: ${where(status)}\n${status.installed ? `  entry: ${JSON.stringify(status.entry)}\n` : ''}`,
    );
  }
}
