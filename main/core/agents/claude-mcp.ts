import { join, resolve } from 'node:path';
import type { JsonAgentAdapter } from './agent-mcp-adapter.ts';

// Claude Code: project servers in DIR/.mcp.json, the user's in ~/.claude.json (under
// $CLAUDE_CONFIG_DIR when set); both `{ "mcpServers": { name: { type, command, args } } }`.
export const claudeMcp: JsonAgentAdapter = {
  agent: 'claude',
  channels: true,
  format: 'json',
  container: 'mcpServers',
  configFile: (ctx) =>
    ctx.project !== undefined
      ? join(resolve(ctx.project), '.mcp.json')
      : join(ctx.env.CLAUDE_CONFIG_DIR || ctx.home, '.claude.json'),
  entry: (server) => ({ type: 'stdio', command: server.command, args: server.args }),
};
