// A test that needs a missing toolchain skips on a developer's machine, but fails under CI (which
// installs every toolchain): run a small suite that needs one that does not exist, both ways.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './temp-dir.ts';

const suite = join(tempDir(), 'needs-a-toolchain.test.ts');
writeFileSync(
  suite,
  [
    "import { test } from 'node:test';",
    `import { runs, skipWithout } from ${JSON.stringify(join(import.meta.dirname, 'toolchain.ts'))};`,
    "const missing = skipWithout(runs('hookbox-no-such-interpreter', ['--version']), 'no-such-interpreter');",
    "test('a script in that language', { skip: missing }, () => {});",
  ].join('\n'),
);

function runSuite(ci: string | undefined) {
  const env = { ...process.env };
  delete env.CI;
  // Run as a test run of its own, not as a child reporting to this one.
  delete env.NODE_TEST_CONTEXT;
  if (ci !== undefined) env.CI = ci;
  return spawnSync(process.execPath, ['--test', '--test-reporter=spec', suite], { encoding: 'utf8', env });
}

test('off CI a missing toolchain skips the tests that need it, saying why', () => {
  for (const ci of [undefined, 'false']) {
    const run = runSuite(ci);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /no-such-interpreter is not installed on this machine/);
  }
});

test('under CI=true a missing toolchain fails, naming it', () => {
  const run = runSuite('true');
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /no-such-interpreter is not installed, and CI is set/);
});
