import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, startServe } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// bin/hookbox is plain JavaScript, so npm's shims run it on every platform. Under Node 24 it loads
// the CLI in its own process; under an older Node (these machines' system Node is 20) it runs the
// CLI on the project's own Node 24 in a child, passing on arguments, exit codes and signals.

const LAUNCHER = join(REPO_ROOT, 'bin/hookbox');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

/** A `node` on the PATH older than 24, as users have; undefined where there is none. */
function olderNode(): string | undefined {
  const which = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' });
  for (const candidate of which.stdout.split('\n').filter(Boolean)) {
    const version = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    if (Number(version.split('.')[0]) < 24) return candidate;
  }
  return undefined;
}

const oldNode = olderNode();
// CI installs Debian's Node 20 beside the project's own: there the relaunch must be proven.
const noOldNode = !oldNode && (process.env.CI ? false : 'no Node older than 24 on the PATH');
if (!oldNode && process.env.CI)
  throw new Error('CI=true but no Node older than 24 on the PATH to run bin/hookbox with');

test('bin/hookbox starts with a JavaScript shebang (npm shims on Windows run it with node)', () => {
  assert.equal(readFileSync(LAUNCHER, 'utf8').split('\n')[0], '#!/usr/bin/env node');
});

for (const [label, node] of [
  ['Node 24 (in process)', process.execPath],
  ['an older system Node (relaunched on the project Node 24)', oldNode],
] as const) {
  test(`under ${label}: --version, and a usage error keeps its exit code and message`, {
    skip: node === oldNode && noOldNode,
  }, () => {
    const version = spawnSync(node!, [LAUNCHER, '--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), pkg.version);
    const usage = spawnSync(node!, [LAUNCHER, 'send'], { encoding: 'utf8' });
    assert.equal(usage.status, 2, usage.stderr);
    assert.match(usage.stderr, /required option '--name/);
  });
}

test('under an older Node, SIGTERM to the launcher stops the hub cleanly and exits 0', {
  skip: noOldNode,
}, async () => {
  const env = { XDG_CONFIG_HOME: tempDir() };
  const serve = await startServe(['--port', '0', '--data-dir', tempDir()], env, 60_000, [oldNode!, LAUNCHER]);
  const health = (await (await fetch(`${serve.url}/health`)).json()) as { version: string };
  assert.equal(health.version, pkg.version);
  assert.equal(await serve.stop('SIGTERM'), 0, serve.output());
  assert.match(serve.output(), /SIGTERM: stopping[\s\S]*stopped/);
});
