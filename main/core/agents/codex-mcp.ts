import { isAbsolute, join } from 'node:path';
import { ErrorCode, HookboxError } from '../errors.ts';
import type { TomlAgentAdapter } from './agent-mcp-adapter.ts';

// Codex: `[mcp_servers.NAME]` tables (command, args) in ~/.codex/config.toml ($CODEX_HOME).
export const codexMcp: TomlAgentAdapter = {
  agent: 'codex',
  channels: false,
  format: 'toml',
  table: ['mcp_servers'],
  configFile(ctx) {
    if (ctx.project !== undefined)
      throw new HookboxError(
        ErrorCode.InvalidInput,
        'codex reads MCP servers from ~/.codex/config.toml only; leave out --project (add --name to choose the session)',
      );
    const home = ctx.env.CODEX_HOME && isAbsolute(ctx.env.CODEX_HOME) ? ctx.env.CODEX_HOME : join(ctx.home, '.codex');
    return join(home, 'config.toml');
  },
  entry: (server) => ({ command: server.command, args: server.args }),
};
