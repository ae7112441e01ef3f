import { join, resolve } from 'node:path';
import type { JsonAgentAdapter } from './agent-mcp-adapter.ts';

// Cursor: `mcpServers` in DIR/.cursor/mcp.json for a project, ~/.cursor/mcp.json for the user.
export const cursorMcp: JsonAgentAdapter = {
  agent: 'cursor',
  channels: false,
  format: 'json',
  container: 'mcpServers',
  configFile: (ctx) => join(ctx.project !== undefined ? resolve(ctx.project) : ctx.home, '.cursor', 'mcp.json'),
  entry: (server) => ({ command: server.command, args: server.args }),
};
