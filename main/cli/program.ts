import { Command, CommanderError } from 'commander';
import { isHookboxError } from '../core/errors.ts';
import { HOOKBOX_VERSION } from '../core/version.ts';
import { integerOption } from './cli-options.ts';
import { eventsListCommand, eventsShowCommand } from './commands/events-command.ts';
import { registerAgentCommands } from './commands/agent-commands.ts';
import { registerGitCommands } from './commands/git-command.ts';
import { registerHookCommands } from './commands/hook-commands.ts';
import { registerInboxCommands } from './commands/inbox-commands.ts';
import { registerLifecycleCommands } from './commands/lifecycle-commands.ts';
import { registerMcpCommands } from './commands/mcp-command.ts';
import { registerNotifyNextCommand } from './commands/notify-next-command.ts';
import { registerOpenCommand } from './commands/open-command.ts';
import { registerRunCommand } from './commands/run-command.ts';
import { serveCommand } from './commands/serve-command.ts';
import { registerShellCommands } from './commands/shell-command.ts';

// The `hookbox` program. Each subcommand lives in commands/; this file only declares them.

function buildProgram(): Command {
  const program = new Command('hookbox')
    .description('The local hub for your hooks: command events, webhook hooks, lifecycle hooks.')
    .version(HOOKBOX_VERSION)
    .option('--config <file>', 'config file (default: $XDG_CONFIG_HOME/hookbox/config.toml)')
    .option('--data-dir <dir>', 'data directory (default: $XDG_DATA_HOME/hookbox)')
    .showHelpAfterError('(run hookbox --help for usage)')
    .exitOverride();

  program
    .command('serve')
    .description('run the hub headless in the foreground (Ctrl-C stops it)')
    .option(
      '--port <n>',
      'API port on 127.0.0.1 (overrides AGENTD_PORT; 0 picks a free one)',
      integerOption('--port', 0, 65535),
    )
    .action(async (options: { port?: number }) => serveCommand({ ...program.opts(), ...options }));

  const events = program
    .command('events')
    .description('list recorded command events, newest first')
    .option('--limit <n>', 'how many', integerOption('--limit', 1, 100_000), 20)
    .option('--search <text>', 'only events whose command or output contains this text (case-insensitive)')
    .option('--json', 'print JSON')
    .action((options: { limit: number; json?: boolean; search?: string }) =>
      eventsListCommand({ ...program.opts(), ...options }),
    );

  events
    .command('show <id>')
    .description('show one event (a unique id prefix is enough)')
    .option('--json', 'print JSON')
    .action((id: string, options: { json?: boolean }) => eventsShowCommand(id, { ...program.opts(), ...options }));

  registerNotifyNextCommand(program);
  registerOpenCommand(program);
  registerRunCommand(program);
  registerInboxCommands(program);
  registerHookCommands(program);
  registerShellCommands(program);
  registerGitCommands(program);
  // After registerHookCommands: adds `hooks test` to its group.
  registerLifecycleCommands(program);
  registerAgentCommands(program);
  registerMcpCommands(program);

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = isHookboxError(error) ? error.message : (error as Error).message;
    process.stderr.write(`hookbox: error: ${message}\n`);
    return 1;
  }
}
