import { homedir } from 'node:os';
import type { Command } from 'commander';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import {
  installShellIntegration,
  shellIntegrationStatus,
  uninstallShellIntegration,
  type IntegrationContext,
  type ShellStatus,
} from '../../core/shell/shell-installer.ts';
import {
  parseShellName,
  shellIntegrationScript,
  SUPPORTED_SHELLS,
  type SupportedShell,
} from '../../core/shell/shell-integration.ts';
import { scriptOptionsFrom } from '../../core/shell/script-text.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { integerOption } from '../cli-options.ts';

// `hookbox shell print|install|uninstall|status`: thin wrappers over main/core/shell, which the
// desktop app's install button calls too.

interface PortFlags extends GlobalFlags {
  port?: number;
}

/** The API address `hookbox serve` would listen on with the same flags, environment and config. */
export function apiBaseUrl(flags: PortFlags): string {
  const ctx = loadCliContext(flags, flags.port !== undefined ? { port: flags.port } : {});
  const { host, port } = ctx.settings.api;
  if (port === 0) {
    throw new HookboxError(
      ErrorCode.IntegrationFailed,
      'the API port is 0 (chosen when the hub starts), so no fixed address can be written; give --port',
    );
  }
  return `http://${host}:${port}`;
}

/** Whose files: $HOME and the environment's XDG variables. */
export function userContext(env: NodeJS.ProcessEnv = process.env): IntegrationContext {
  return { home: env.HOME || homedir(), env };
}

/** Shows paths under the home directory as ~/… */
export function tildify(path: string, home: string): string {
  return path === home ? '~' : path.startsWith(`${home}/`) ? `~/${path.slice(home.length + 1)}` : path;
}

function shellFromEnvironment(env: NodeJS.ProcessEnv): SupportedShell {
  if (!env.SHELL) {
    throw new HookboxError(
      ErrorCode.IntegrationFailed,
      `$SHELL is not set; name the shell: ${SUPPORTED_SHELLS.join(', ')}`,
    );
  }
  return parseShellName(env.SHELL);
}

export function shellPrintCommand(name: string, flags: PortFlags, out: NodeJS.WritableStream = process.stdout): void {
  out.write(
    shellIntegrationScript(parseShellName(name), apiBaseUrl(flags), scriptOptionsFrom(loadCliContext(flags).settings)),
  );
}

export function shellInstallCommand(
  name: string | undefined,
  flags: PortFlags,
  out: NodeJS.WritableStream = process.stdout,
): void {
  const ctx = userContext();
  const shell = name ? parseShellName(name) : shellFromEnvironment(ctx.env);
  const baseUrl = apiBaseUrl(flags);
  const options = scriptOptionsFrom(loadCliContext(flags).settings);
  const result = installShellIntegration(shell, { ...ctx, baseUrl, options });
  const t = (path: string) => tildify(path, ctx.home);
  if (!result.rcChanged && !result.scriptChanged) {
    out.write(`${shell}: already installed in ${t(result.rcFile)}, reporting to ${baseUrl}; nothing changed\n`);
    return;
  }
  out.write(`${shell}: installed\n`);
  out.write(`  ${t(result.rcFile)}: ${result.rcChanged ? 'Hookbox block written' : 'Hookbox block already there'}`);
  out.write(result.backup ? ` (backup of the original: ${t(result.backup)})\n` : '\n');
  out.write(
    `  ${t(result.scriptFile)}: ${result.scriptChanged ? 'written' : 'unchanged'}, reports to ${baseUrl} (HOOKBOX_URL overrides)\n`,
  );
  const reload = shell === 'fish' ? 'exec fish' : `source ${t(result.rcFile)}`;
  out.write(`Open a new terminal, or run: ${reload}\n`);
}

export function shellUninstallCommand(name: string | undefined, out: NodeJS.WritableStream = process.stdout): void {
  const ctx = userContext();
  const t = (path: string) => tildify(path, ctx.home);
  // Without a name: every shell that has something installed.
  const shells = name
    ? [parseShellName(name)]
    : SUPPORTED_SHELLS.filter((shell) => {
        const status = shellIntegrationStatus(shell, ctx);
        return status.installed || status.scriptPresent;
      });
  if (shells.length === 0) {
    out.write('the shell integration is not installed for any shell; nothing to do\n');
    return;
  }
  for (const shell of shells) {
    const result = uninstallShellIntegration(shell, ctx);
    if (!result.removedBlock && !result.removedScript) {
      out.write(`${shell}: not installed; nothing to do\n`);
      continue;
    }
    const parts: string[] = [];
    if (result.removedBlock)
      parts.push(
        result.removedRcFile ? `removed ${t(result.rcFile)}` : `removed the Hookbox block from ${t(result.rcFile)}`,
      );
    if (result.removedScript) parts.push(`deleted ${t(result.scriptFile)}`);
    out.write(
      `${shell}: uninstalled (${parts.join('; ')})${result.backup ? `; the original is still in ${t(result.backup)}` : ''}\n`,
    );
  }
  out.write('Shells already open keep the integration until they exit.\n');
}

function describe(status: ShellStatus, home: string): string {
  const t = (path: string) => tildify(path, home);
  if (!status.installed) {
    const stray = status.scriptPresent ? ` (but ${t(status.scriptFile)} exists)` : '';
    return `${status.shell.padEnd(5)} not installed${stray}; rc file: ${t(status.rcFile)}`;
  }
  const script = status.scriptPresent
    ? `${t(status.scriptFile)}, reports to ${status.baseUrl ?? 'an unknown address'}${status.outdated ? `; outdated: run hookbox shell install ${status.shell}` : ''}`
    : `${t(status.scriptFile)} is missing: run hookbox shell install ${status.shell}`;
  return `${status.shell.padEnd(5)} installed in ${t(status.rcFile)} -> ${script}`;
}

export function shellStatusCommand(
  name: string | undefined,
  flags: { json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const ctx = userContext();
  const shells = name ? [parseShellName(name)] : [...SUPPORTED_SHELLS];
  const statuses = shells.map((shell) => shellIntegrationStatus(shell, ctx));
  if (flags.json) {
    out.write(`${JSON.stringify(statuses, null, 2)}\n`);
    return;
  }
  for (const status of statuses) out.write(`${describe(status, ctx.home)}\n`);
}

export function registerShellCommands(program: Command): void {
  const shell = program
    .command('shell')
    .description('shell integration: report every command you run in bash, zsh or fish to Hookbox');
  const portOption = [
    '--port <n>',
    'API port to report to (default: as hookbox serve: AGENTD_PORT, config, 17002)',
    integerOption('--port', 1, 65535),
  ] as const;

  shell
    .command('print <shell>')
    .description('print the integration script for bash, zsh or fish (to eval or source)')
    .option(...portOption)
    .action((name: string, options: { port?: number }) => shellPrintCommand(name, { ...program.opts(), ...options }));

  shell
    .command('install [shell]')
    .description("add the integration to the shell's startup file (default: the shell in $SHELL)")
    .option(...portOption)
    .action((name: string | undefined, options: { port?: number }) =>
      shellInstallCommand(name, { ...program.opts(), ...options }),
    );

  shell
    .command('uninstall [shell]')
    .description('remove the integration (default: from every shell that has it)')
    .action((name: string | undefined) => shellUninstallCommand(name));

  shell
    .command('status [shell]')
    .description('show where the integration is installed (default: all shells)')
    .option('--json', 'print JSON')
    .action((name: string | undefined, options: { json?: boolean }) => shellStatusCommand(name, options));
}
