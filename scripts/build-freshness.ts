// When a built file is stale: shared by the build scripts' --if-stale (and by bin/hookbox's
// rule for the CLI bundle, which does the same with `find -newer`).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The newest modification time of a file, or of any file below a folder (0 when missing). A
 * folder's own time counts too: a deleted source makes what was built from it stale.
 */
export function newestMtime(path: string): number {
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
export function isFresh(output: string, inputs: readonly string[]): boolean {
  let built: number;
  try {
    built = statSync(output).mtimeMs;
  } catch {
    return false;
  }
  return inputs.every((input) => newestMtime(input) <= built);
}
