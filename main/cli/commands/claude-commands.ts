import { text } from 'node:stream/consumers';
import { Option, type Command } from 'commander';
import { lastAssistantMessage, parseClaudeInput, type ClaudeAnswer, type ClaudeHookInput } from '../../core/lifecycle/claude-adapter.ts';
import { claudeSettingsFile, installClaudeHooks, uninstallClaudeHooks, CLAUDE_HOOK_EVENTS } from '../../core/lifecycle/claude-settings.ts';
import { shellWord } from '../../core/util/shell-words.ts';
import { claudeHookLocally, localLifecycleConfig } from '../../core/lifecycle/lifecycle-local.ts';
import { ApiClient, type ApiClientFlags } from '../api-client.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { integerOption } from '../cli-options.ts';
import { launcherWords } from '../launcher.ts';

// `hookbox claude-hook`: what Claude Code runs (settings.json) for each hook event. The hub runs
// the chain when it is up (the event is recorded, Notification and Stop raise a notification and
// land in the inbox); when it is not, the same chain runs right here from the config file — the
// safety-guard needs nothing else — and stderr says so.
// `hookbox claude install|uninstall`: our entries in Claude Code's settings.json.

interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function relay(answer: ClaudeAnswer, io: Io): void {
  if (answer.stdout) io.stdout.write(answer.stdout);
  if (answer.stderr) io.stderr.write(answer.stderr);
  process.exitCode = answer.exitCode;
}

export async function claudeHookCommand(flags: ApiClientFlags & { json?: boolean }, io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<void> {
  let input: ClaudeHookInput;
  try {
    input = parseClaudeInput(await text(io.stdin));
  } catch (error) {
    // Not Claude Code's JSON: a non-blocking error in its protocol (exit 1, shown to the user).
    io.stderr.write(`hookbox: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  // Older Claude Code versions do not send Claude's last message with Stop: read it from the transcript.
  if ((input.hook_event_name === 'Stop' || input.hook_event_name === 'SubagentStop') && input.last_assistant_message === undefined && input.transcript_path) {
    const last = lastAssistantMessage(input.transcript_path);
    if (last !== null) input = { ...input, last_assistant_message: last };
  }
  const json = flags.json ?? false;

  let hubProblem: string;
  try {
    const client = new ApiClient(flags);
    const { json: answer } = await client.request<{ exit_code: number; stdout: string; stderr: string }>('POST', `/lifecycle/claude-hook${json ? '?json=true' : ''}`, input);
    relay({ exitCode: answer.exit_code, stdout: answer.stdout, stderr: answer.stderr }, io);
    return;
  } catch (error) {
    hubProblem = (error as Error).message;
  }

  const note = `hookbox: the hub did not answer (${hubProblem}); ran the ${input.hook_event_name} chain locally from the config — not recorded, no notification or inbox message\n`;
  let answer: ClaudeAnswer;
  try {
    const ctx = loadCliContext(flags);
    const config = localLifecycleConfig(ctx.config, process.env);
    answer = await claudeHookLocally(input, config, { json, env: process.env });
  } catch (error) {
    const message = `hookbox: cannot run the ${input.hook_event_name} chain: ${(error as Error).message}`;
    // A tool call we could not check is refused (fail closed, like a blocking hook's timeout);
    // any other event goes on with the error shown.
    if (input.hook_event_name === 'PreToolUse') relay({ exitCode: 2, stdout: '', stderr: `${message}; blocked to be safe\n` }, io);
    else relay({ exitCode: 1, stdout: '', stderr: `${message}\n` }, io);
    return;
  }
  relay({ ...answer, stderr: `${answer.stderr}${note}` }, io);
}

/** The command Claude Code should run: this installation's `hookbox` launcher, with our --config/--data-dir. */
export function hookCommand(flags: GlobalFlags, argv1 = process.argv[1] ?? ''): string {
  return [...launcherWords(flags, argv1), 'claude-hook'].map(shellWord).join(' ');
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
    .command('claude-hook')
    .description("Claude Code's hook command: reads its hook JSON on stdin and answers in its protocol (works without the hub)")
    .option('--json', 'answer a block with JSON (permissionDecision / decision) instead of exit 2')
    .addOption(new Option('--port <n>', 'API port of the running hub').argParser(integerOption('--port', 1, 65535)))
    .action((options: { json?: boolean; port?: number }) => claudeHookCommand({ ...program.opts(), ...options }));

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

