import { existsSync } from 'node:fs';
import { AGENT_IDS } from '../agents/agent-adapter.ts';
import { AGENTS } from '../agents/agent-hooks.ts';
import {
  agentHookBase,
  agentHooksStatus,
  eventCommands,
  installAgentHooks,
  uninstallAgentHooks,
} from '../agents/agent-install.ts';
import { codexFeatureFile } from '../agents/codex-features.ts';
import type { AgentContext, AgentName, McpServerCommand } from '../agents/agent-mcp-adapter.ts';
import {
  AGENT_ADAPTERS,
  agentMcpStatus,
  installAgentMcp,
  mcpServerCommand,
  uninstallAgentMcp,
} from '../agents/mcp-install.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { shellWord } from '../util/shell-words.ts';
import type {
  AgentChangeResult,
  AgentIntegrationOverview,
  AgentPart,
  AgentPartStatus,
  AgentStatus,
  AgentTarget,
} from './app-api-types.ts';

// The Agents section of the Shell integration view: each coding agent's Hookbox hooks
// (agents/agent-install.ts) and its `hookbox mcp` server entry (agents/mcp-install.ts), for the
// user (never a project). Both write a command that starts this installation's `hookbox`; the
// shell that started the hub says what that is (`launcher`), since the core cannot know how it
// was launched. Without one, install is refused with the terminal command instead of a guess.

export interface AgentTargetsContext {
  home: string;
  env: NodeJS.ProcessEnv;
  /** The data dir: mcp-install records there what an install added, for a byte-exact uninstall. */
  dataDir: string;
  /** How another program starts this installation's hookbox (node, bin/hookbox, --config…); null: unknown. */
  launcher: readonly string[] | null;
}

function isMcpAgent(agent: AgentTarget): agent is AgentName {
  return agent in AGENT_ADAPTERS;
}

/** The terminal command that installs a part: what the window says when it cannot install. */
function terminalCommand(agent: AgentTarget, part: AgentPart): string {
  return part === 'mcp' ? `hookbox mcp install ${agent}` : `hookbox agents install ${agent}`;
}

/** Why installing a part is not offered, in one line (null when it is). */
function installUnavailable(ctx: AgentTargetsContext, agent: AgentTarget, part: AgentPart): string | null {
  return ctx.launcher && ctx.launcher.length > 0 ? null : `install from a terminal: ${terminalCommand(agent, part)}`;
}

function launcherOf(ctx: AgentTargetsContext, agent: AgentTarget, part: AgentPart): readonly string[] {
  if (ctx.launcher && ctx.launcher.length > 0) return ctx.launcher;
  throw new HookboxError(
    ErrorCode.InvalidInput,
    `this hub does not know its hookbox launcher; ${installUnavailable(ctx, agent, part)}`,
  );
}

function hooksFile(agent: AgentTarget, ctx: AgentTargetsContext): string {
  return AGENTS[agent].hooksFile.path({ env: ctx.env, home: ctx.home });
}

function mcpContext(ctx: AgentTargetsContext): AgentContext {
  return { home: ctx.home, env: ctx.env };
}

function mcpServer(agent: AgentName, ctx: AgentTargetsContext): McpServerCommand {
  return mcpServerCommand(ctx.launcher ?? [], AGENT_ADAPTERS[agent], undefined);
}

function hooksStatus(agent: AgentTarget, ctx: AgentTargetsContext): { part: AgentPartStatus; detected: boolean } {
  const adapter = AGENTS[agent];
  const report = agentHooksStatus(adapter, adapter.hooksFile, { file: hooksFile(agent, ctx), root: ctx.home });
  const notes = [
    report.problem ? `cannot read: ${report.problem}` : null,
    report.installed.length > 0 && report.missing.length > 0 ? `missing ${report.missing.join(', ')}` : null,
    report.installed.length > 0 ? report.flag : null,
  ].filter((n): n is string => n !== null);
  return {
    detected: report.detected,
    part: {
      part: 'hooks',
      installed: report.installed.length > 0,
      outdated: report.installed.length > 0 && report.missing.length > 0,
      file: { path: report.file, role: 'hooks file', exists: report.exists },
      note: notes.length > 0 ? notes.join('; ') : null,
      install_unavailable: installUnavailable(ctx, agent, 'hooks'),
    },
  };
}

function mcpStatus(agent: AgentName, ctx: AgentTargetsContext): AgentPartStatus {
  const file = AGENT_ADAPTERS[agent].configFile(mcpContext(ctx));
  try {
    const status = agentMcpStatus(AGENT_ADAPTERS[agent], mcpContext(ctx), mcpServer(agent, ctx));
    // Without a launcher there is nothing to compare the entry with: an entry is just installed.
    const outdated = status.installed && ctx.launcher !== null && !status.current;
    return {
      part: 'mcp',
      installed: status.installed,
      outdated,
      file: { path: status.target ?? status.file, role: 'MCP servers config', exists: status.exists },
      note: outdated ? 'starts hookbox mcp with other arguments than an install would write now' : null,
      install_unavailable: installUnavailable(ctx, agent, 'mcp'),
    };
  } catch (error) {
    return {
      part: 'mcp',
      installed: false,
      outdated: false,
      file: { path: file, role: 'MCP servers config', exists: existsSync(file) },
      note: `cannot read: ${(error as Error).message}`,
      install_unavailable: installUnavailable(ctx, agent, 'mcp'),
    };
  }
}

export function agentStatus(agent: AgentTarget, ctx: AgentTargetsContext): AgentStatus {
  const hooks = hooksStatus(agent, ctx);
  return {
    agent,
    label: AGENTS[agent].label,
    detected: hooks.detected,
    hooks: hooks.part,
    mcp: isMcpAgent(agent) ? mcpStatus(agent, ctx) : null,
  };
}

export function agentTargetsStatus(ctx: AgentTargetsContext): AgentIntegrationOverview {
  const launcher = ctx.launcher && ctx.launcher.length > 0 ? ctx.launcher.map(shellWord).join(' ') : null;
  return {
    home: ctx.home,
    launcher,
    install_unavailable:
      launcher === null
        ? 'this hub does not know its hookbox launcher (the desktop app): install from a terminal'
        : null,
    agents: AGENT_IDS.map((agent) => agentStatus(agent, ctx)),
  };
}

function noMcp(agent: AgentTarget): never {
  throw new HookboxError(ErrorCode.InvalidInput, `${AGENTS[agent].label} takes no MCP server from Hookbox`);
}

export function installAgentTarget(agent: AgentTarget, part: AgentPart, ctx: AgentTargetsContext): AgentChangeResult {
  const launcher = launcherOf(ctx, agent, part);
  const changes: AgentChangeResult['changes'] = [];
  if (part === 'hooks') {
    const adapter = AGENTS[agent];
    const spec = adapter.hooksFile;
    const report = installAgentHooks(adapter, spec, {
      file: hooksFile(agent, ctx),
      command: eventCommands(spec, agentHookBase(launcher, agent)),
    });
    if (report.backup) changes.push({ path: report.backup, change: `copy of ${report.file} as it was` });
    const touched = [...report.added, ...report.updated];
    changes.push({
      path: report.file,
      change: report.changed ? `hooks written for ${touched.join(', ')}` : 'already installed; unchanged',
    });
    if (report.flag) changes.push({ path: codexFeatureFile(hooksFile(agent, ctx)), change: report.flag });
  } else {
    if (!isMcpAgent(agent)) noMcp(agent);
    const result = installAgentMcp(AGENT_ADAPTERS[agent], mcpContext(ctx), mcpServer(agent, ctx), ctx.dataDir);
    changes.push({
      path: result.target ?? result.file,
      change: result.changed ? 'hookbox added to the MCP servers' : 'already installed; unchanged',
    });
  }
  return { status: agentStatus(agent, ctx), changes, warnings: [] };
}

export function uninstallAgentTarget(agent: AgentTarget, part: AgentPart, ctx: AgentTargetsContext): AgentChangeResult {
  const changes: AgentChangeResult['changes'] = [];
  if (part === 'hooks') {
    const adapter = AGENTS[agent];
    const report = uninstallAgentHooks(adapter, adapter.hooksFile, { file: hooksFile(agent, ctx) });
    changes.push({
      path: report.file,
      change: !report.changed
        ? 'no Hookbox hooks; unchanged'
        : report.deleted
          ? 'removed (Hookbox had created it)'
          : report.restored
            ? `${report.removed} Hookbox hooks removed; back as it was before install, byte for byte`
            : `${report.removed} Hookbox hooks removed; the rest kept`,
    });
    if (report.flag) changes.push({ path: codexFeatureFile(hooksFile(agent, ctx)), change: report.flag });
  } else {
    if (!isMcpAgent(agent)) noMcp(agent);
    const result = uninstallAgentMcp(AGENT_ADAPTERS[agent], mcpContext(ctx), ctx.dataDir);
    changes.push({
      path: result.target ?? result.file,
      change: !result.changed
        ? 'hookbox not installed; unchanged'
        : result.removedFile
          ? 'removed (Hookbox had created it)'
          : 'hookbox removed from the MCP servers',
    });
  }
  return { status: agentStatus(agent, ctx), changes, warnings: [] };
}
