import { parseArgs } from 'node:util';
import type { ApiClientFlags } from './api-client.ts';

// The command line of `hookbox [--config FILE] [--data-dir DIR] agent-hook AGENT [--json]
// [--event NAME] [--port N]` (or `claude-hook`), read without the full program.

export interface AgentHookArgv {
  agent: string;
  config?: string;
  dataDir?: string;
  json?: boolean;
  event?: string;
  port?: number;
}

/** What the agent-hook command and its hub-down path take besides the agent. */
export type AgentHookFlags = ApiClientFlags & { json?: boolean; event?: string };

/** The hook command line, or null for anything else (help, a mistake: the full program explains). */
export function parseAgentHookArgv(argv: readonly string[]): AgentHookArgv | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
        event: { type: 'string' },
        port: { type: 'string' },
      },
    });
  } catch {
    return null;
  }
  const [command, agent, ...rest] = parsed.positionals;
  const { values } = parsed;
  if (rest.length > 0) return null;
  if (command === 'claude-hook' && agent !== undefined) return null;
  if (command === 'agent-hook' && agent === undefined) return null;
  if (command !== 'agent-hook' && command !== 'claude-hook') return null;
  if (command === 'claude-hook' && values.event !== undefined) return null;
  let port: number | undefined;
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) < 1 || Number(values.port) > 65535) return null;
    port = Number(values.port);
  }
  return {
    agent: command === 'claude-hook' ? 'claude' : agent!,
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(values.json ? { json: true } : {}),
    ...(values.event !== undefined ? { event: values.event } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

export function isAgentHookCall(argv: readonly string[]): boolean {
  return parseAgentHookArgv(argv) !== null;
}
