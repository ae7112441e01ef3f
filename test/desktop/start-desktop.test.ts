import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findElectronBinary } from '../../scripts/start-desktop.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { REPO_ROOT } from '../helpers/serve-process.ts';

const MESSAGE = 'hookbox: the Electron binary is not installed on this machine; run the headless hub instead: npm run serve';

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const ours = output.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('> ') && !line.startsWith('npm '));
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
