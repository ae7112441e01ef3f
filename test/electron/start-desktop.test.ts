import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findElectronBinary } from '../../scripts/start-desktop.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { REPO_ROOT } from '../helpers/serve-process.ts';

const MESSAGE =
  'hookbox: the Electron binary is not installed on this machine; run the headless hub instead: npm run serve';

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

// ELECTRON_OVERRIDE_DIST_PATH pointing at an empty folder makes the binary missing on any machine,
// including one where Electron is installed.
test('npm start without the Electron binary prints one line pointing to npm run serve and fails', async () => {
  const { code, output } = await run('npm', ['start'], { ELECTRON_OVERRIDE_DIST_PATH: tempDir() });
  assert.notEqual(code, 0);
  // npm's own lines (the "> hookbox@… start" banner, config warnings) are not ours.
  const ours = output
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('> ') && !line.startsWith('npm '));
  assert.deepEqual(ours, [MESSAGE], output);
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(output, /Downloading Electron/, 'never tries to download the binary');
});

test('the start script finds an installed binary through the same lookup as the electron package', () => {
  const dist = tempDir();
  assert.equal(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist }), undefined);
  const binary = join(dist, 'electron');
  writeFileSync(binary, '#!/bin/sh\n');
  chmodSync(binary, 0o755);
  assert.equal(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist }), binary);
});

// The electron package downloads its binary on first use (it has no install script for npm to
// allow), so the first `npm start` does. A mirror on a closed local port makes that download fail
// here without reaching any outside host.
test('npm start downloads the binary on first start and, when that fails, says why and points to npm run serve', async () => {
  const env: NodeJS.ProcessEnv = {
    ELECTRON_MIRROR: 'http://127.0.0.1:9/',
    electron_config_cache: tempDir(),
    ELECTRON_SKIP_BINARY_DOWNLOAD: '',
  };
  const { code, output } = await run(process.execPath, [join(REPO_ROOT, 'scripts/start-desktop.ts')], env);
  assert.notEqual(code, 0);
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines[0], "hookbox: downloading Electron's binary (first start only)", output);
  assert.match(lines[1] ?? '', /^hookbox: the download failed/, output);
  assert.equal(lines.at(-1), MESSAGE, output);
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
});
