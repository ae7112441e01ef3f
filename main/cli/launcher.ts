import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { GlobalFlags } from './cli-context.ts';

/**
 * How another program (an agent's hooks or MCP config) should start this installation's
 * `hookbox`: the Node running now (24 or later) with its bin/hookbox launcher when one is found
 * above the running script, else with the script itself; then our --config/--data-dir, so it talks
 * to the same hub. Naming this Node spares the launcher relaunching itself under an older system
 * Node on every hook call.
 */
export function launcherWords(flags: GlobalFlags, argv1 = process.argv[1] ?? ''): string[] {
  let launcher: string | undefined;
  for (let dir = dirname(resolve(argv1)), i = 0; i < 4; i += 1, dir = dirname(dir)) {
    const candidate = join(dir, 'bin', 'hookbox');
    try {
      accessSync(candidate, constants.X_OK);
      launcher = candidate;
      break;
    } catch {
      // Keep looking upwards.
    }
  }
  const words = [process.execPath, launcher ?? resolve(argv1)];
  if (flags.config) words.push('--config', resolve(flags.config));
  if (flags.dataDir) words.push('--data-dir', resolve(flags.dataDir));
  return words;
}
