import type { Command } from 'commander';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import {
  installGitHooks,
  uninstallGitHooks,
  type GitHookTarget,
  type GitHooksResult,
} from '../../core/shell/git-hooks.ts';
import type { GlobalFlags } from '../cli-context.ts';
import { integerOption } from '../cli-options.ts';
import { apiBaseUrl, tildify, userContext } from './shell-command.ts';

// `hookbox git install|uninstall [--global | REPO]`: thin wrappers over main/core/shell/git-hooks.

interface GitFlags extends GlobalFlags {
  global?: boolean;
  port?: number;
}

function target(repo: string | undefined, flags: GitFlags): GitHookTarget {
  if (flags.global && repo)
    throw new HookboxError(ErrorCode.IntegrationFailed, 'give either --global or a repository, not both');
  return flags.global ? { global: true } : { repo: repo ?? process.cwd() };
}

function writeWarnings(result: GitHooksResult, out: NodeJS.WritableStream): void {
  for (const warning of result.warnings) out.write(`  note: ${warning}\n`);
}

export function gitInstallCommand(
  repo: string | undefined,
  flags: GitFlags,
  out: NodeJS.WritableStream = process.stdout,
): void {
  const ctx = userContext();
  const baseUrl = apiBaseUrl(flags);
  const result = installGitHooks(target(repo, flags), { ...ctx, baseUrl });
  const dir = tildify(result.hooksDir, ctx.home);
  if (result.global) {
    out.write(`git hooks installed for every repository: core.hooksPath = ${dir}\n`);
    out.write(`  reported: ${result.hooks.join(', ')}; every other hook is passed on unchanged\n`);
    out.write(
      result.previousHooksPath
        ? `  hooks in your previous core.hooksPath (${result.previousHooksPath}) still run first and decide\n`
        : `  each repository's own .git/hooks still run first and decide\n`,
    );
  } else {
    out.write(`git hooks installed in ${dir}: ${result.hooks.join(', ')}\n`);
    if (result.chained.length > 0) {
      out.write(`  already there, now <name>.pre-hookbox, still run first and decide: ${result.chained.join(', ')}\n`);
    }
  }
  out.write(`  reporting to ${baseUrl} in the background (HOOKBOX_URL overrides); git never waits for Hookbox\n`);
  writeWarnings(result, out);
}

export function gitUninstallCommand(
  repo: string | undefined,
  flags: GitFlags,
  out: NodeJS.WritableStream = process.stdout,
): void {
  const ctx = userContext();
  const result = uninstallGitHooks(target(repo, flags), ctx);
  const dir = tildify(result.hooksDir, ctx.home);
  if (result.global) {
    out.write(
      `global git hooks removed (${dir}); core.hooksPath ${result.previousHooksPath ? `restored to ${result.previousHooksPath}` : 'unset'}\n`,
    );
  } else if (result.hooks.length === 0 && result.chained.length === 0) {
    out.write(`no Hookbox git hooks in ${dir}; nothing to do\n`);
  } else {
    out.write(`git hooks removed from ${dir}: ${result.hooks.join(', ') || 'none'}\n`);
    if (result.chained.length > 0) out.write(`  put back: ${result.chained.join(', ')}\n`);
  }
  writeWarnings(result, out);
}

export function registerGitCommands(program: Command): void {
  const git = program
    .command('git')
    .description('git hooks that report commits, merges, checkouts and pushes to Hookbox');

  git
    .command('install [repo]')
    .description('install the hooks in a repository (default: the current one), or with --global for all')
    .option('--global', 'every repository, through core.hooksPath in your global git config')
    .option(
      '--port <n>',
      'API port to report to (default: as hookbox serve: AGENTD_PORT, config, 17002)',
      integerOption('--port', 1, 65535),
    )
    .action((repo: string | undefined, options: GitFlags) =>
      gitInstallCommand(repo, { ...program.opts(), ...options }),
    );

  git
    .command('uninstall [repo]')
    .description('remove the hooks from a repository (default: the current one), or with --global')
    .option('--global', 'the global install (core.hooksPath is restored)')
    .action((repo: string | undefined, options: GitFlags) =>
      gitUninstallCommand(repo, { ...program.opts(), ...options }),
    );
}
