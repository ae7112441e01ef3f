import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './serve-process.ts';

// The browser tests need the built window (what `npm run build` puts in out/renderer). They build
// it once per content: into .tmp/renderer-<hash of its sources>/, reused by every test file and
// every run until a source changes, and never touching out/ (a developer's build stays theirs).
// Test files run in parallel processes, so the first one builds and the others wait on a lock.

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === '.tmp' || entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

function inputsHash(): string {
  const hash = createHash('sha256');
  const inputs = [
    ...filesUnder(join(REPO_ROOT, 'renderer')),
    join(REPO_ROOT, 'main/shared/api-contract.ts'),
    join(REPO_ROOT, 'electron.vite.config.ts'),
    join(REPO_ROOT, 'package-lock.json'),
  ].sort();
  for (const file of inputs) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** The directory holding index.html and assets/ for the current renderer sources. */
export async function builtRenderer(): Promise<string> {
  const tmp = join(REPO_ROOT, '.tmp');
  mkdirSync(tmp, { recursive: true });
  const dir = join(tmp, `renderer-${inputsHash()}`);
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 120_000;
  while (!existsSync(join(dir, 'index.html'))) {
    try {
      mkdirSync(lock);
    } catch {
      // Another test process is building; a lock older than two minutes was left by a crash.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another process to build the renderer');
      await sleep(200);
      continue;
    }
    try {
      const staging = `${dir}.building-${process.pid}`;
      await buildRendererInto(staging);
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return dir;
}

/** The renderer part of electron.vite.config.ts, built with Vite alone (no main or preload). */
export async function buildRendererInto(outDir: string): Promise<void> {
  const [{ build }, config] = await Promise.all([import('vite'), import('../../electron.vite.config.ts')]);
  const renderer = (config.default as { renderer: Record<string, any> }).renderer;
  await build({
    ...renderer,
    configFile: false,
    base: './',
    logLevel: 'warn',
    build: { ...renderer.build, outDir, emptyOutDir: true },
  });
}
