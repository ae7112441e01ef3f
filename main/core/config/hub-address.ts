import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';

// Where the hub listens, read without the config schema: a coding agent's hook command relays
// every tool call to the hub, and compiling the whole config schema for one number cost more than
// the rest of the relay (bench/sections/agent-hook.ts). Only an address it can read for sure
// comes out; anything else is null, and the caller takes the full path (loadCliContext), which
// reads and reports the config as every other command does. settings.ts keeps the same order
// (flag, AGENTD_PORT, [api] port, default): test/cli/hub-address.test.ts holds the two together.

export const DEFAULT_API_HOST = '127.0.0.1';
export const DEFAULT_API_PORT = 17002;

/** The hub's port for this flag, environment and config file; null when one of them is not plainly valid. */
export function quickApiPort(
  options: { port?: number; configFile: string; explicitConfig: boolean },
  env: NodeJS.ProcessEnv,
): number | null {
  if (options.port !== undefined) return options.port;
  const fromEnv = env.AGENTD_PORT;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    if (!/^\s*\d+\s*$/.test(fromEnv)) return null;
    const port = Number(fromEnv);
    return port <= 65535 ? port : null;
  }
  let text: string;
  try {
    text = readFileSync(options.configFile, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && !options.explicitConfig ? DEFAULT_API_PORT : null;
  }
  let api: unknown;
  try {
    api = (parse(text) as { api?: unknown }).api;
  } catch {
    return null;
  }
  if (api === undefined) return DEFAULT_API_PORT;
  if (typeof api !== 'object' || api === null) return null;
  const port = (api as { port?: unknown }).port;
  if (port === undefined) return DEFAULT_API_PORT;
  return Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535 ? (port as number) : null;
}
