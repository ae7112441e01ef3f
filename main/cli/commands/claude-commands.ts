import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { Option, type Command } from 'commander';
import { isBlockable, type AgentAdapter, type AgentAnswer, type AgentCall } from '../../core/agents/agent-adapter.ts';
import { AGENTS, agentAdapter, agentHookLocally, readAgentCall } from '../../core/agents/agent-hooks.ts';
import { parseJson } from '../../core/agents/agent-adapter.ts';
import { claudeSettingsFile, installClaudeHooks, uninstallClaudeHooks, CLAUDE_HOOK_EVENTS } from '../../core/lifecycle/claude-settings.ts';
import { shellWord } from '../../core/util/shell-words.ts';
import { localLifecycleConfig } from '../../core/lifecycle/lifecycle-local.ts';
import { ApiClient, type ApiClientFlags } from '../api-client.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { integerOption } from '../cli-options.ts';

// `hookbox agent-hook AGENT`: what a coding agent runs for each hook event (`claude-hook` is
// `agent-hook claude`). The hub runs the chain when it is up (the call is recorded, notifications
// and the inbox work); when it is not, the same chain runs right here from the config file — the
// safety-guard needs nothing else — and stderr says so. Input that is not the agent's JSON is a
// non-blocking error (exit 1): Hookbox never breaks an agent.
// `hookbox claude install|uninstall`: our entries in Claude Code's settings.json.

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
  if (!isBlockable(call.kind) || (call.kind !== 'pre-tool' && call.kind !== 'permission-request')) return { exitCode: 1, stdout: '', stderr: `${message}\n` };
  if (adapter.id === 'claude' && !json) return { exitCode: 2, stdout: '', stderr: `${message}; blocked to be safe\n` };
  const answer = adapter.answer(call, { allowed: false, reason: `${message.replace(/^hookbox: /, '')}; blocked to be safe`, hook: null, context: null, updatedInput: null, continueWith: null }, { json });
  return { ...answer, stderr: `${answer.stderr}${message}; blocked to be safe\n` };
}

export async function agentHookCommand(agent: string, flags: ApiClientFlags & { json?: boolean; event?: string }, io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<void> {
  const adapter = agentAdapter(agent);
  let value: unknown;
  let call: AgentCall | null;
  try {
    value = parseJson(adapter.label, await text(io.stdin));
    call = readAgentCall(adapter, value, flags.event);
  } catch (error) {
    // Not the agent's JSON: a non-blocking error in every agent's protocol (exit 1, shown to the user).
    relay({ exitCode: 1, stdout: '', stderr: `hookbox: ${(error as Error).message}\n` }, io);
    return;
  }
  // An event Hookbox does not handle (a newer one, WorktreeCreate …) passes untouched.
  if (!call) return relay({ exitCode: 0, stdout: '', stderr: '' }, io);
  const json = flags.json ?? false;

  let hubProblem: string;
  try {
    const client = new ApiClient(flags);
    const query = new URLSearchParams({ ...(json ? { json: 'true' } : {}), ...(flags.event ? { event: flags.event } : {}) }).toString();
    const { json: answer } = await client.request<{ exit_code: number; stdout: string; stderr: string }>('POST', `/agents/${adapter.id}/run${query ? `?${query}` : ''}`, value);
    relay({ exitCode: answer.exit_code, stdout: answer.stdout, stderr: answer.stderr }, io);
    return;
  } catch (error) {
    hubProblem = (error as Error).message;
  }

  const note = `hookbox: the hub did not answer (${hubProblem}); ran the ${call.nativeEvent} chain locally from the config — not recorded, no notification or inbox message\n`;
  let answer: AgentAnswer;
  try {
    const ctx = loadCliContext(flags);
    const config = localLifecycleConfig(ctx.config, process.env);
    answer = await agentHookLocally(adapter, call, config, { json, env: process.env });
  } catch (error) {
    relay(cannotCheck(adapter, call, `hookbox: cannot run the ${call.nativeEvent} chain: ${(error as Error).message}`, json), io);
    return;
  }
  relay({ ...answer, stderr: `${answer.stderr}${note}` }, io);
}

/** The command Claude Code should run: this installation's `hookbox` launcher, with our --config/--data-dir. */
export function hookCommand(flags: GlobalFlags, argv1 = process.argv[1] ?? ''): string {
  let launcher: string | undefined;
  for (let dir = dirname(resolve(argv1)), i = 0; i < 4; i += 1, dir = dirname(dir)) {
    const candidate = join(dir, 'bin', 'hookbox');
    try {
      accessSync(candidate, constants.X_OK);
      launcher = candidate;
      break;
    } catch {
      // Keep looking upwards.
    }
  }
  const words = launcher ? [launcher] : [process.execPath, resolve(argv1)];
  if (flags.config) words.push('--config', resolve(flags.config));
  if (flags.dataDir) words.push('--data-dir', resolve(flags.dataDir));
  words.push('claude-hook');
  return words.map(shellWord).join(' ');
}

export function claudeInstallCommand(flags: GlobalFlags & { project?: string; command?: string; timeout?: number }, out: NodeJS.WritableStream = process.stdout): void {
  const file = claudeSettingsFile({ ...(flags.project !== undefined ? { project: flags.project } : {}) });
  const command = flags.command ?? hookCommand(flags);
  const report = installClaudeHooks(file, command, { ...(flags.timeout !== undefined ? { timeoutS: flags.timeout } : {}) });
  if (!report.changed) {
    out.write(`${file}: already installed (${report.unchanged.join(', ')}); nothing changed\n`);
    return;
  }
  if (report.backup) out.write(`backed up ${file} to ${report.backup}\n`);
  if (report.added.length) out.write(`added ${report.added.join(', ')} → ${command}\n`);
  if (report.updated.length) out.write(`updated ${report.updated.join(', ')} → ${command}\n`);
  out.write(`${file} written\n`);
  try {
    const ctx = loadCliContext(flags);
    const config = localLifecycleConfig(ctx.config, process.env);
    if (!(config.handlers.get('pre-tool-call') ?? []).some((h) => h.enabled)) {
      out.write(`note: no pre-tool-call handlers in ${config.file ?? ctx.configPath}; to guard Bash commands add:\n  [[lifecycle."pre-tool-call"]]\n  name = "safety-check"\n  builtin = "safety-guard"\n`);
    }
  } catch (error) {
    out.write(`warning: the Hookbox config cannot be read (${(error as Error).message}); claude-hook will block Bash commands until it is fixed\n`);
  }
}

export function claudeUninstallCommand(flags: GlobalFlags & { project?: string }, out: NodeJS.WritableStream = process.stdout): void {
  const file = claudeSettingsFile({ ...(flags.project !== undefined ? { project: flags.project } : {}) });
  const report = uninstallClaudeHooks(file);
  if (!report.changed) {
    out.write(`${file}: no Hookbox hooks found; nothing changed\n`);
    return;
  }
  out.write(`backed up ${file} to ${report.backup}\nremoved ${report.removed} Hookbox hook${report.removed === 1 ? '' : 's'} from ${file}\n`);
}

export function registerClaudeCommands(program: Command): void {
  program
    .command('agent-hook <agent>')
    .description(`a coding agent's hook command (${Object.keys(AGENTS).join(', ')}): reads its hook JSON on stdin and answers in its protocol (works without the hub)`)
    .option('--json', "Claude Code: answer a block with JSON (permissionDecision / decision) instead of exit 2 (the other agents always get JSON)")
    .option('--event <name>', "the agent's event name, for agents whose input does not carry it (Copilot CLI's camelCase events)")
    .addOption(new Option('--port <n>', 'API port of the running hub').argParser(integerOption('--port', 1, 65535)))
    .action((agent: string, options: { json?: boolean; event?: string; port?: number }) => agentHookCommand(agent, { ...program.opts(), ...options }));
  program
    .command('claude-hook')
    .description("Claude Code's hook command: the same as `agent-hook claude`")
    .option('--json', 'answer a block with JSON (permissionDecision / decision) instead of exit 2')
    .addOption(new Option('--port <n>', 'API port of the running hub').argParser(integerOption('--port', 1, 65535)))
    .action((options: { json?: boolean; port?: number }) => agentHookCommand('claude', { ...program.opts(), ...options }));

  const claude = program.command('claude').description("Claude Code integration: Hookbox's entries in its settings.json");
  claude
    .command('install')
    .description(`add claude-hook for ${CLAUDE_HOOK_EVENTS.map((e) => e.event).join(', ')} to ~/.claude/settings.json (or DIR/.claude/settings.json); backs it up first`)
    .option('--project <dir>', "the project's .claude/settings.json instead of the user's")
    .option('--command <cmd>', 'the command Claude Code runs (default: this hookbox, claude-hook)')
    .option('--timeout <s>', 'Claude Code timeout for the hook, seconds', integerOption('--timeout', 1, 3600))
    .action((options: { project?: string; command?: string; timeout?: number }) => claudeInstallCommand({ ...program.opts(), ...options }));
  claude
    .command('uninstall')
    .description("remove exactly Hookbox's entries from the settings.json (backs it up first)")
    .option('--project <dir>', "the project's .claude/settings.json instead of the user's")
    .action((options: { project?: string }) => claudeUninstallCommand({ ...program.opts(), ...options }));
}

