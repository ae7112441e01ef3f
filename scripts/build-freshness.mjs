// When a built file is stale: the one rule shared by the build scripts' --if-stale and by
// bin/hookbox's choice of the CLI bundle. Plain JavaScript (types in build-freshness.d.mts):
// bin/hookbox imports it under whatever Node started it, which may be older than the one that
// strips TypeScript.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the CLI bundle (out/cli/hookbox.mjs) is built from, relative to the repository root. */
export const CLI_BUNDLE_INPUTS = ['main', 'package.json', 'node_modules/.package-lock.json', 'scripts/build-cli.ts'];

/**
 * The newest modification time of a file, or of any file below a folder (0 when missing). A
 * folder's own time counts too: a deleted source makes what was built from it stale.
 */
export function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when `output` exists and none of `inputs` was modified after it. */
export function isFresh(output, inputs) {
  let built;
  try {
    built = statSync(output).mtimeMs;
  } catch {
    return false;
  }
  return inputs.every((input) => newestMtime(input) <= built);
}
