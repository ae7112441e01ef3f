import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// Tests that need a toolchain this machine may lack (python3, ruby, go, jq …) skip without it,
// saying why. CI installs every one of them (.ci/install-system-deps), so under CI a missing one
// must not skip silently: a test named after it fails, and the tests that need it run (and fail).

function underCi(): boolean {
  const value = process.env.CI?.toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/** A skip reason when `available` is false off CI; false (run) otherwise, with a failing test under CI. */
export function skipWithout(available: boolean, toolchain: string): string | false {
  if (available) return false;
  if (!underCi()) return `${toolchain} is not installed on this machine (CI installs it and runs this test)`;
  test(`${toolchain} is installed (CI runs every test that needs it)`, () => {
    assert.fail(`${toolchain} is not installed, and CI is set: its tests cannot be skipped (.ci/install-system-deps)`);
  });
  return false;
}

/** Whether `command args` runs and exits 0 (e.g. `python3 --version`). */
export function runs(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}
