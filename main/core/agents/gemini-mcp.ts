import { join, resolve } from 'node:path';
import type { JsonAgentAdapter } from './agent-mcp-adapter.ts';

// Gemini CLI: `mcpServers` in ~/.gemini/settings.json, or DIR/.gemini/settings.json for a project.
export const geminiMcp: JsonAgentAdapter = {
  agent: 'gemini',
  channels: false,
  format: 'json',
  container: 'mcpServers',
  configFile: (ctx) => join(ctx.project !== undefined ? resolve(ctx.project) : ctx.home, '.gemini', 'settings.json'),
  entry: (server) => ({ command: server.command, args: server.args }),
};
