// One small description per coding agent of where it reads MCP servers and how it writes one;
// mcp-install.ts does the editing for all of them.

export const AGENT_NAMES = ['claude', 'codex', 'gemini', 'cursor'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/** Whose files: the home directory, the environment (CODEX_HOME…), and a project directory if any. */
export interface AgentContext {
  home: string;
  env: NodeJS.ProcessEnv;
  project?: string;
}

/** How to start `hookbox mcp`. */
export interface McpServerCommand {
  command: string;
  args: string[];
}

interface AdapterBase {
  agent: AgentName;
  /** Shows Claude Code channel events; other agents get `--no-push` (a push would be acknowledged unseen). */
  channels: boolean;
  /** The config file, for the user or for `ctx.project`; throws when the agent has no such file. */
  configFile(ctx: AgentContext): string;
  /** Our entry as this agent's config holds it. */
  entry(server: McpServerCommand): Record<string, unknown>;
}

/** A JSON config with our entry at `container.hookbox`. */
export interface JsonAgentAdapter extends AdapterBase {
  format: 'json';
  container: string;
}

/** A TOML config with our entry as the table `table.hookbox`. */
export interface TomlAgentAdapter extends AdapterBase {
  format: 'toml';
  table: string[];
}

export type AgentMcpAdapter = JsonAgentAdapter | TomlAgentAdapter;

/** The name of our entry in every agent's config. */
export const ENTRY_NAME = 'hookbox';
