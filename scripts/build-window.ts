// `npm run serve` calls this before starting: builds the window (electron-vite: main, preload
// and renderer into out/) when out/renderer is missing or older than its sources, so a fresh
// clone serves the UI at / with one command. Without --if-stale it always builds.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './build-cli.ts';
import { isFresh } from './build-freshness.mjs';

const INPUTS = ['renderer', 'main/shared', 'preload', 'electron.vite.config.ts', 'package-lock.json'].map((p) =>
  join(REPO_ROOT, p),
);
const BUILT = join(REPO_ROOT, 'out/renderer/index.html');

function isWindowFresh(): boolean {
  return isFresh(BUILT, INPUTS);
}

const { values } = parseArgs({ options: { 'if-stale': { type: 'boolean' } } });
if (!(values['if-stale'] && isWindowFresh())) {
  process.stdout.write('building the window (electron-vite build)…\n');
  const build = spawnSync(join(REPO_ROOT, 'node_modules/.bin/electron-vite'), ['build'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) {
    process.stderr.write('hookbox: building the window failed; the API still works, see the output above\n');
    process.exitCode = 0;
  }
}
