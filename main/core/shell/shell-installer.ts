import { copyFileSync, existsSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { readText, writeAtomically, writeTarget } from './integration-files.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { doubleQuote, scriptBaseUrl, scriptOptions, type ScriptOptions } from './script-text.ts';
import { shellIntegrationScript, type SupportedShell } from './shell-integration.ts';

// `hookbox shell install|uninstall|status`, and the desktop app's install button. The rc file
// gets a small marked block that sources the generated script, which lives in
// $XDG_DATA_HOME/hookbox/shell/. Every function takes the home directory and environment
// explicitly, so tests and the GUI decide whose files they touch.

/** Whose files: the home directory and the environment that holds XDG_* and ZDOTDIR. */
export interface IntegrationContext {
  home: string;
  env: NodeJS.ProcessEnv;
}

export const BLOCK_START = '# >>> hookbox shell integration >>>';
export const BLOCK_END = '# <<< hookbox shell integration <<<';
export const BACKUP_SUFFIX = '.hookbox-backup';

export interface ShellPaths {
  shell: SupportedShell;
  /** The file that gets the marked block: ~/.bashrc, ${ZDOTDIR:-~}/.zshrc, fish conf.d/hookbox.fish. */
  rcFile: string;
  /** The generated integration the block sources. */
  scriptFile: string;
  /** A copy of rcFile as it was before Hookbox first changed it. */
  backupFile: string;
}

/** An XDG base directory: the variable when it is an absolute path (as the spec says), else the default. */
export function xdgDir(
  env: NodeJS.ProcessEnv,
  variable: 'XDG_CONFIG_HOME' | 'XDG_DATA_HOME',
  home: string,
  fallback: string,
): string {
  const value = env[variable];
  return value && isAbsolute(value) ? value : join(home, fallback);
}

export function shellPaths(shell: SupportedShell, ctx: IntegrationContext): ShellPaths {
  const dataHome = xdgDir(ctx.env, 'XDG_DATA_HOME', ctx.home, '.local/share');
  let rcFile: string;
  if (shell === 'bash') rcFile = join(ctx.home, '.bashrc');
  else if (shell === 'zsh')
    rcFile = join(ctx.env.ZDOTDIR && isAbsolute(ctx.env.ZDOTDIR) ? ctx.env.ZDOTDIR : ctx.home, '.zshrc');
  else rcFile = join(xdgDir(ctx.env, 'XDG_CONFIG_HOME', ctx.home, '.config'), 'fish', 'conf.d', 'hookbox.fish');
  return {
    shell,
    rcFile,
    scriptFile: join(dataHome, 'hookbox', 'shell', `hookbox.${shell}`),
    backupFile: rcFile + BACKUP_SUFFIX,
  };
}

/** The marked block for a shell's rc file. Paths under $HOME are written relative to it. */
export function rcBlock(shell: SupportedShell, paths: ShellPaths, ctx: IntegrationContext): string {
  const inHome = relative(ctx.home, paths.scriptFile);
  const file =
    !inHome.startsWith('..') && !isAbsolute(inHome)
      ? `"$HOME/${doubleQuote(inHome).slice(1)}`
      : doubleQuote(paths.scriptFile);
  const load = shell === 'fish' ? `if test -r ${file}; source ${file}; end` : `if [ -r ${file} ]; then . ${file}; fi`;
  return [
    BLOCK_START,
    `# Added by \`hookbox shell install ${shell}\`; \`hookbox shell uninstall ${shell}\` removes this block.`,
    load,
    BLOCK_END,
  ].join('\n');
}

interface BlockSpan {
  start: number;
  end: number;
}

/** Line ranges of the marked blocks; an unterminated block is an error, not something to guess at. */
function findBlocks(lines: string[], file: string): BlockSpan[] {
  const spans: BlockSpan[] = [];
  let open = -1;
  lines.forEach((line, index) => {
    const text = line.trimEnd();
    if (text === BLOCK_START) {
      if (open >= 0) throw conflict(file, index, `a second '${BLOCK_START}' before '${BLOCK_END}'`);
      open = index;
    } else if (text === BLOCK_END) {
      if (open < 0) throw conflict(file, index, `'${BLOCK_END}' without '${BLOCK_START}'`);
      spans.push({ start: open, end: index });
      open = -1;
    }
  });
  if (open >= 0) throw conflict(file, open, `'${BLOCK_START}' is never closed by '${BLOCK_END}'`);
  return spans;
}

function conflict(file: string, index: number, problem: string): HookboxError {
  return new HookboxError(
    ErrorCode.IntegrationFailed,
    `${file}:${index + 1}: ${problem}; fix the Hookbox block by hand, then try again`,
  );
}

/** Copies the rc file aside before Hookbox's first change to it; later changes keep that first copy. */
function backupOnce(target: string, backupFile: string): string | null {
  if (existsSync(backupFile)) return backupFile;
  if (!existsSync(target)) return null;
  try {
    copyFileSync(target, backupFile);
  } catch (error) {
    throw new HookboxError(
      ErrorCode.IntegrationFailed,
      `cannot back up ${target} to ${backupFile}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return backupFile;
}

function splitLines(content: string): string[] {
  if (content === '') return [];
  return (content.endsWith('\n') ? content.slice(0, -1) : content).split('\n');
}

export interface ShellInstallResult extends ShellPaths {
  /** The rc file changed (the block was added or rewritten). */
  rcChanged: boolean;
  /** The integration script was written or rewritten. */
  scriptChanged: boolean;
  /** The backup of the rc file, if there is one. */
  backup: string | null;
}

/** Writes the integration script and the rc block. Installing again changes nothing or updates in place. */
export function installShellIntegration(
  shell: SupportedShell,
  ctx: IntegrationContext & { baseUrl: string; options?: ScriptOptions },
): ShellInstallResult {
  const paths = shellPaths(shell, ctx);
  const script = shellIntegrationScript(shell, ctx.baseUrl, ctx.options);
  const scriptChanged = readText(paths.scriptFile) !== script;
  if (scriptChanged) writeAtomically(paths.scriptFile, script);

  const target = writeTarget(paths.rcFile);
  const before = readText(target);
  const lines = splitLines(before ?? '');
  const blocks = findBlocks(lines, paths.rcFile);
  const block = rcBlock(shell, paths, ctx).split('\n');
  // No block: append one. Blocks: rewrite the first in place, drop any copies a user pasted in.
  const after = blocks.length === 0 ? [...lines, ...block] : replaceBlocks(lines, blocks, block);
  const content = `${after.join('\n')}\n`;
  const rcChanged = content !== before;
  let backup = existsSync(paths.backupFile) ? paths.backupFile : null;
  if (rcChanged) {
    backup = backupOnce(target, paths.backupFile);
    writeAtomically(target, content);
  }
  return { ...paths, rcChanged, scriptChanged, backup };
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

function replaceBlocks(lines: string[], blocks: BlockSpan[], block: string[]): string[] {
  const first = blocks[0]!;
  const inBlock = new Set(blocks.flatMap((span) => range(span.start, span.end)));
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (i === first.start) out.push(...block);
    else if (!inBlock.has(i)) out.push(line);
  });
  return out;
}

export interface ShellUninstallResult extends ShellPaths {
  /** A block was found and removed. */
  removedBlock: boolean;
  /** The generated script was deleted. */
  removedScript: boolean;
  /** fish: conf.d/hookbox.fish held nothing else and was deleted. */
  removedRcFile: boolean;
  backup: string | null;
}

/** Removes exactly the marked block (every copy) and the generated script; nothing else. */
export function uninstallShellIntegration(shell: SupportedShell, ctx: IntegrationContext): ShellUninstallResult {
  const paths = shellPaths(shell, ctx);
  const target = writeTarget(paths.rcFile);
  const before = readText(target);
  let removedBlock = false;
  let removedRcFile = false;
  let backup = existsSync(paths.backupFile) ? paths.backupFile : null;
  if (before !== undefined) {
    const lines = splitLines(before);
    const blocks = findBlocks(lines, paths.rcFile);
    if (blocks.length > 0) {
      const dropped = new Set(blocks.flatMap((span) => range(span.start, span.end)));
      const kept = lines.filter((_, i) => !dropped.has(i));
      // Backed up only if something besides the block is at stake (not the fish file we created).
      if (kept.some((line) => line.trim() !== '')) backup = backupOnce(target, paths.backupFile);
      // conf.d/hookbox.fish is Hookbox's own file: once empty it goes (fish would source an empty file).
      if (shell === 'fish' && kept.every((line) => line.trim() === '')) {
        rmSync(target, { force: true });
        removedRcFile = true;
      } else {
        const trailingNewline = before.endsWith('\n') || blocks.at(-1)!.end === lines.length - 1;
        writeAtomically(target, kept.join('\n') + (kept.length > 0 && trailingNewline ? '\n' : ''));
      }
      removedBlock = true;
    }
  }
  let removedScript = false;
  if (existsSync(paths.scriptFile)) {
    rmSync(paths.scriptFile, { force: true });
    removedScript = true;
    try {
      rmdirSync(dirname(paths.scriptFile)); // only if empty
    } catch {
      // other files there: leave the directory
    }
  }
  return { ...paths, removedBlock, removedScript, removedRcFile, backup };
}

export interface ShellStatus extends ShellPaths {
  /** The rc file has the marked block. */
  installed: boolean;
  scriptPresent: boolean;
  /** The address the installed script reports to. */
  baseUrl: string | null;
  /** The installed script differs from what this version of Hookbox would write for that address. */
  outdated: boolean;
  backup: string | null;
}

export function shellIntegrationStatus(shell: SupportedShell, ctx: IntegrationContext): ShellStatus {
  const paths = shellPaths(shell, ctx);
  const rc = readText(writeTarget(paths.rcFile));
  const installed = rc !== undefined && findBlocks(splitLines(rc), paths.rcFile).length > 0;
  const script = readText(paths.scriptFile);
  const baseUrl = script !== undefined ? (scriptBaseUrl(script) ?? null) : null;
  let outdated = false;
  if (script !== undefined && baseUrl) {
    try {
      outdated = shellIntegrationScript(shell, baseUrl, scriptOptions(script)) !== script;
    } catch {
      outdated = true;
    }
  }
  return {
    ...paths,
    installed,
    scriptPresent: script !== undefined,
    baseUrl,
    outdated,
    backup: existsSync(paths.backupFile) ? paths.backupFile : null,
  };
}
