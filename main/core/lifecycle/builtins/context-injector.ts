import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ScriptRunner } from '../../process/script-runner.ts';

// context-injector: what an agent should know about the repository before it starts: the git
// branch and status, the files changed most recently, the top-level layout and the project's
// coding standards, as one block of text (the Result's new_context).

export const DEFAULT_STANDARDS_FILES = [
  'CODING_STANDARDS.md',
  'CONTRIBUTING.md',
  'STYLE.md',
  'docs/STYLE.md',
  'AGENTS.md',
  'CLAUDE.md',
  '.loom/standards.md',
];
const STANDARDS_MAX_BYTES = 8 * 1024;
const STATUS_MAX_LINES = 30;
const LAYOUT_MAX_ENTRIES = 60;
const SKIPPED_DIRS = new Set([
  '.git',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  'dist',
  'build',
  'out',
  'target',
  '.next',
]);

export interface RepositoryContext {
  projectDir: string;
  branch: string | null;
  status: string[];
  recentFiles: string[];
  layout: string[];
  standards: { file: string; text: string; truncated: boolean } | null;
}

async function git(scripts: ScriptRunner, dir: string, args: string[], timeoutMs: number): Promise<string | null> {
  const result = await scripts.run({
    command: 'git',
    args: ['-C', dir, ...args],
    input: '',
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
    timeoutMs,
    maxOutputBytes: 256 * 1024,
  });
  return result.outcome === 'exited' && result.exitCode === 0 ? result.stdout : null;
}

/** Files under `dir` (three levels, ordinary folders only), newest first — for folders without git. */
function recentByMtime(dir: string, limit: number): string[] {
  const files: Array<{ path: string; mtime: number }> = [];
  const walk = (folder: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth < 3 && !SKIPPED_DIRS.has(entry.name)) walk(path, depth + 1);
      } else if (entry.isFile()) {
        try {
          files.push({ path: relative(dir, path), mtime: statSync(path).mtimeMs });
        } catch {
          // Vanished while we looked.
        }
      }
      if (files.length > 5_000) return;
    }
  };
  walk(dir, 0);
  return files
    .sort((a, b) => b.mtime - a.mtime)
    .slice(0, limit)
    .map((f) => f.path);
}

export async function gatherRepositoryContext(
  projectDir: string,
  options: { standardsFiles: string[] | null; recentFiles: number; timeoutMs: number; scripts: ScriptRunner },
): Promise<RepositoryContext> {
  const perCall = Math.max(200, Math.min(3_000, Math.floor(options.timeoutMs / 3)));
  const [statusOut, symbolic, head, logOut] = await Promise.all([
    git(options.scripts, projectDir, ['status', '--porcelain=v1'], perCall),
    // A branch name, also on a branch without commits yet; a detached HEAD has none.
    git(options.scripts, projectDir, ['symbolic-ref', '--short', '-q', 'HEAD'], perCall),
    git(options.scripts, projectDir, ['rev-parse', '--short', 'HEAD'], perCall),
    options.recentFiles > 0
      ? git(
          options.scripts,
          projectDir,
          ['log', '-n', '30', '--name-only', '--pretty=format:', '--no-renames'],
          perCall,
        )
      : Promise.resolve(''),
  ]);
  const inGit = statusOut !== null;
  const branchOut = symbolic?.trim() ? symbolic : head?.trim() ? `(detached at ${head.trim()})` : null;
  const recentFiles = inGit
    ? [
        ...new Set(
          (logOut ?? '')
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
        ),
      ].slice(0, options.recentFiles)
    : recentByMtime(projectDir, options.recentFiles);
  let layout: string[] = [];
  try {
    layout = readdirSync(projectDir, { withFileTypes: true })
      .filter((e) => e.name !== '.git')
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort()
      .slice(0, LAYOUT_MAX_ENTRIES);
  } catch {
    layout = [];
  }
  let standards: RepositoryContext['standards'] = null;
  for (const candidate of options.standardsFiles ?? DEFAULT_STANDARDS_FILES) {
    try {
      const buffer = readFileSync(join(projectDir, candidate));
      const truncated = buffer.length > STANDARDS_MAX_BYTES;
      standards = { file: candidate, text: buffer.subarray(0, STANDARDS_MAX_BYTES).toString('utf8'), truncated };
      break;
    } catch {
      // Not there; try the next.
    }
  }
  return {
    projectDir,
    branch: inGit ? branchOut?.trim() || '(unknown)' : null,
    status: (statusOut ?? '').split('\n').filter((l) => l.trim() !== ''),
    recentFiles,
    layout,
    standards,
  };
}

export function formatRepositoryContext(ctx: RepositoryContext): string {
  const lines = ['## Repository context', `Project: ${ctx.projectDir}`];
  if (ctx.branch) {
    lines.push(`Git branch: ${ctx.branch}`);
    if (ctx.status.length === 0) lines.push('Git status: clean');
    else {
      lines.push(`Git status: ${ctx.status.length} changed file${ctx.status.length === 1 ? '' : 's'}`);
      lines.push(...ctx.status.slice(0, STATUS_MAX_LINES).map((l) => `  ${l}`));
      if (ctx.status.length > STATUS_MAX_LINES) lines.push(`  … and ${ctx.status.length - STATUS_MAX_LINES} more`);
    }
  } else {
    lines.push('Git: not a git repository');
  }
  if (ctx.recentFiles.length > 0) lines.push('Recently changed files:', ...ctx.recentFiles.map((f) => `  ${f}`));
  if (ctx.layout.length > 0) lines.push('Top-level layout:', ...ctx.layout.map((f) => `  ${f}`));
  if (ctx.standards) {
    lines.push(
      `Coding standards (${ctx.standards.file}${ctx.standards.truncated ? `, first ${STANDARDS_MAX_BYTES} bytes` : ''}):`,
      ctx.standards.text.trimEnd(),
    );
  }
  return lines.join('\n');
}
