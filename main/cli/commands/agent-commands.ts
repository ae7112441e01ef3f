import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { AgentAdapter } from '../../core/agents/agent-adapter.ts';
import { AGENTS, agentAdapter } from '../../core/agents/agent-hooks.ts';
import {
  agentHookBase,
  agentHooksStatus,
  eventCommands,
  installAgentHooks,
  uninstallAgentHooks,
} from '../../core/agents/agent-install.ts';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import { localLifecycleConfig } from '../../core/lifecycle/lifecycle-local.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { integerOption } from '../cli-options.ts';
import { launcherWords } from '../launcher.ts';
import { agentHookCommand } from './agent-hook-command.ts';

// The `agent-hook` / `claude-hook` commands as the full program knows them (their help; an
// ordinary call takes the short path in ../agent-hook-entry.ts, into agent-hook-command.ts).
// `hookbox agents install|uninstall|status AGENT` (and `hookbox claude install|uninstall`): our
// entries in each agent's own hooks file (core/agents/agent-install.ts).

/** The command an agent runs: this installation's `hookbox` launcher, with our --config/--data-dir. */
export function hookCommand(flags: GlobalFlags, agent: string, argv1 = process.argv[1] ?? ''): string {
  return agentHookBase(launcherWords(flags, argv1), agent);
}

interface InstallFlags extends GlobalFlags {
  project?: string;
  command?: string;
  /** Claude Code: `type: "http"` hooks served by the running hub instead of the command. */
  http?: boolean;
}

/** The environment variable Claude Code's http hooks take the control token from. */
export const HTTP_TOKEN_VARIABLE = 'HOOKBOX_TOKEN';

/** Claude Code's http hook entry: the hub's route, the token from the environment (never written into the file). */
function claudeHttpEntry(flags: GlobalFlags): Record<string, unknown> {
  const ctx = loadCliContext(flags);
  return {
    hooks: [
      {
        type: 'http',
        url: `http://127.0.0.1:${ctx.settings.api.port}/agents/claude/hook`,
        headers: { Authorization: `Bearer $${HTTP_TOKEN_VARIABLE}` },
        allowedEnvVars: [HTTP_TOKEN_VARIABLE],
        timeout: 30,
      },
    ],
  };
}

function hooksFileOf(adapter: AgentAdapter, flags: { project?: string }): string {
  return adapter.hooksFile.path({
    ...(flags.project !== undefined ? { project: flags.project } : {}),
    env: process.env,
    home: homedir(),
  });
}

export function agentInstallCommand(
  agent: string,
  flags: InstallFlags,
  out: NodeJS.WritableStream = process.stdout,
): void {
  const adapter = agentAdapter(agent);
  const spec = adapter.hooksFile;
  const base = flags.command ?? hookCommand(flags, adapter.id);
  const command = eventCommands(spec, base);
  if (flags.http && adapter.id !== 'claude')
    throw new HookboxError(
      ErrorCode.InvalidInput,
      `--http: only Claude Code has http hooks; ${adapter.label} runs the command`,
    );
  const entry = flags.http ? claudeHttpEntry(flags) : undefined;
  const report = installAgentHooks(adapter, spec, {
    file: hooksFileOf(adapter, flags),
    command,
    ...(entry ? { entry: () => entry } : {}),
  });
  if (!report.changed)
    out.write(`${report.file}: already installed (${report.unchanged.join(', ')}); nothing changed\n`);
  else {
    if (report.backup) out.write(`backed up ${report.file} to ${report.backup}\n`);
    const target = entry ? `${String((entry.hooks as { url: string }[])[0]!.url)} (http)` : base;
    if (report.added.length) out.write(`added ${report.added.join(', ')} → ${target}\n`);
    if (report.updated.length) out.write(`updated ${report.updated.join(', ')} → ${target}\n`);
    if (entry)
      out.write(
        `Claude Code sends the control token from $${HTTP_TOKEN_VARIABLE}: start it with ${HTTP_TOKEN_VARIABLE}="$(cat ${loadCliContext(flags).dataDir}/control-token)" in its environment. With the hub down an http hook decides nothing (the call goes on): keep the command form where the guard must hold.\n`,
      );
    out.write(`${report.file} written\n`);
  }
  if (report.flag) out.write(`${report.flag}\n`);
  try {
    const ctx = loadCliContext(flags);
    const config = localLifecycleConfig(ctx.config, process.env);
    if (!(config.handlers.get('pre-tool-call') ?? []).some((h) => h.enabled)) {
      out.write(
        `note: no pre-tool-call handlers in ${config.file ?? ctx.configPath}; to guard ${adapter.label}'s commands add:\n  [[lifecycle."pre-tool-call"]]\n  name = "safety-check"\n  builtin = "safety-guard"\n`,
      );
    }
  } catch (error) {
    out.write(
      `warning: the Hookbox config cannot be read (${(error as Error).message}); agent-hook will block ${adapter.label}'s tool calls until it is fixed\n`,
    );
  }
}

export function agentUninstallCommand(
  agent: string,
  flags: InstallFlags,
  out: NodeJS.WritableStream = process.stdout,
): void {
  const adapter = agentAdapter(agent);
  const report = uninstallAgentHooks(adapter, adapter.hooksFile, { file: hooksFileOf(adapter, flags) });
  if (!report.changed) out.write(`${report.file}: no Hookbox hooks found; nothing changed\n`);
  else {
    if (report.backup) out.write(`backed up ${report.file} to ${report.backup}\n`);
    out.write(`removed ${report.removed} Hookbox hook${report.removed === 1 ? '' : 's'} from ${report.file}\n`);
    if (report.restored) out.write(`${report.file} is back as it was before install, byte for byte\n`);
    if (report.deleted) out.write(`${report.file} deleted (Hookbox had created it)\n`);
  }
  if (report.flag) out.write(`${report.flag}\n`);
}

export function agentStatusCommand(
  agent: string | undefined,
  flags: InstallFlags & { json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const adapters = agent ? [agentAdapter(agent)] : Object.values(AGENTS);
  const root = flags.project !== undefined ? resolve(flags.project) : homedir();
  const reports = adapters.map((adapter) =>
    agentHooksStatus(adapter, adapter.hooksFile, { file: hooksFileOf(adapter, flags), root }),
  );
  if (flags.json) {
    out.write(`${JSON.stringify(reports, null, 2)}\n`);
    return;
  }
  for (const r of reports) {
    const state = r.problem
      ? `cannot read: ${r.problem}`
      : r.missing.length === 0
        ? 'installed'
        : r.installed.length === 0
          ? 'not installed'
          : `partly installed (missing ${r.missing.join(', ')})`;
    out.write(
      `${AGENTS[r.agent as keyof typeof AGENTS].label}: ${state}${r.detected ? '' : ' (not detected on this machine)'} — ${r.file}${r.flag ? `; ${r.flag}` : ''}\n`,
    );
  }
}

export function registerAgentCommands(program: Command): void {
  program
    .command('agent-hook <agent>')
    .description(
      `a coding agent's hook command (${Object.keys(AGENTS).join(', ')}): reads its hook JSON on stdin and answers in its protocol (works without the hub)`,
    )
    .option(
      '--json',
      'Claude Code: answer a block with JSON (permissionDecision / decision) instead of exit 2 (the other agents always get JSON)',
    )
    .option(
      '--event <name>',
      "the agent's event name, for agents whose input does not carry it (Copilot CLI's camelCase events)",
    )
    .addOption(new Option('--port <n>', 'API port of the running hub').argParser(integerOption('--port', 1, 65535)))
    .action((agent: string, options: { json?: boolean; event?: string; port?: number }) =>
      agentHookCommand(agent, { ...program.opts(), ...options }),
    );
  program
    .command('claude-hook')
    .description("Claude Code's hook command: the same as `agent-hook claude`")
    .option('--json', 'answer a block with JSON (permissionDecision / decision) instead of exit 2')
    .addOption(new Option('--port <n>', 'API port of the running hub').argParser(integerOption('--port', 1, 65535)))
    .action((options: { json?: boolean; port?: number }) =>
      agentHookCommand('claude', { ...program.opts(), ...options }),
    );

  const agents = program
    .command('agents')
    .description(
      `coding agents' hooks (${Object.keys(AGENTS).join(', ')}): Hookbox's entries in each agent's own config`,
    );
  agents
    .command('install <agent>')
    .description(
      "add agent-hook for every event Hookbox answers to the agent's hooks file (the user's, or DIR's); backs it up first",
    )
    .option('--project <dir>', "the project's hooks file instead of the user's")
    .option('--command <cmd>', 'the command the agent runs (default: this hookbox, agent-hook AGENT)')
    .option(
      '--http',
      'Claude Code only: http hooks served by the running hub (no process per call) instead of the command',
    )
    .action((agent: string, options: { project?: string; command?: string; http?: boolean }) =>
      agentInstallCommand(agent, { ...program.opts(), ...options }),
    );
  agents
    .command('uninstall <agent>')
    .description("remove exactly Hookbox's entries (the file comes back byte for byte when nothing else changed)")
    .option('--project <dir>', "the project's hooks file instead of the user's")
    .action((agent: string, options: { project?: string }) =>
      agentUninstallCommand(agent, { ...program.opts(), ...options }),
    );
  agents
    .command('status [agent]')
    .description('for each agent (or one): detected, installed or not, and the file')
    .option('--project <dir>', "the project's hooks files instead of the user's")
    .option('--json', 'print JSON')
    .action((agent: string | undefined, options: { project?: string; json?: boolean }) =>
      agentStatusCommand(agent, { ...program.opts(), ...options }),
    );

  const claude = program
    .command('claude')
    .description('Claude Code integration: the same as `hookbox agents install|uninstall claude`');
  claude
    .command('install')
    .description('add agent-hook claude to ~/.claude/settings.json (or DIR/.claude/settings.json); backs it up first')
    .option('--project <dir>', "the project's .claude/settings.json instead of the user's")
    .option('--command <cmd>', 'the command Claude Code runs (default: this hookbox, agent-hook claude)')
    .action((options: { project?: string; command?: string }) =>
      agentInstallCommand('claude', { ...program.opts(), ...options }),
    );
  claude
    .command('uninstall')
    .description("remove exactly Hookbox's entries from the settings.json (backs it up first)")
    .option('--project <dir>', "the project's .claude/settings.json instead of the user's")
    .action((options: { project?: string }) => agentUninstallCommand('claude', { ...program.opts(), ...options }));
}
