import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'smol-toml';
import { AGENT_NAMES, type AgentName } from '../../../main/core/agents/agent-mcp-adapter.ts';
import {
  AGENT_ADAPTERS,
  agentMcpStatus,
  installAgentMcp,
  uninstallAgentMcp,
} from '../../../main/core/agents/mcp-install.ts';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// `hookbox mcp install|uninstall|status AGENT`: each agent's real config file in a temp HOME.
// Every original here is written the way a person writes it (comments, tabs, one-line objects,
// other servers); after install and uninstall the bytes must be exactly the original's.

const server = { command: '/opt/hookbox/bin/hookbox', args: ['mcp', '--name', 'web'] };

function home() {
  const dir = tempDir();
  return { ctx: { home: dir, env: {} as NodeJS.ProcessEnv }, dataDir: join(dir, 'data'), dir };
}

function write(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
}

/** Installs, checks the entry is there and the rest unchanged, uninstalls, checks the bytes. */
function roundTrip(agent: AgentName, original: string | undefined, project?: string) {
  const { ctx, dataDir } = home();
  const context = project !== undefined ? { ...ctx, project: join(ctx.home, project) } : ctx;
  const adapter = AGENT_ADAPTERS[agent];
  const file = adapter.configFile(context);
  if (original !== undefined) write(file, original);
  const installed = installAgentMcp(adapter, context, server, dataDir);
  assert.equal(installed.changed, true);
  const text = readFileSync(file, 'utf8');
  const again = installAgentMcp(adapter, context, server, dataDir);
  assert.equal(again.changed, false, 'installing twice changes nothing');
  assert.equal(readFileSync(file, 'utf8'), text);
  assert.equal(agentMcpStatus(adapter, context, server).current, true);
  const removed = uninstallAgentMcp(adapter, context, dataDir);
  assert.equal(removed.changed, true);
  if (original === undefined) assert.equal(existsSync(file), false, 'a file the install created is removed');
  else assert.equal(readFileSync(file, 'utf8'), original, 'uninstall restores the bytes');
  assert.equal(uninstallAgentMcp(adapter, context, dataDir).changed, false, 'uninstalling twice changes nothing');
  return { text, file };
}

describe('mcp install for each agent', () => {
  test('claude: ~/.claude.json keeps its other keys and servers; the entry is a stdio server', () => {
    const original =
      '{\n  "numStartups": 12,\n  "mcpServers": {\n    "github": { "command": "gh", "args": ["mcp"] }\n  },\n  "projects": {}\n}\n';
    const { text } = roundTrip('claude', original);
    const value = JSON.parse(text);
    assert.deepEqual(value.mcpServers.hookbox, { type: 'stdio', command: server.command, args: server.args });
    assert.deepEqual(value.mcpServers.github, { command: 'gh', args: ['mcp'] });
    assert.equal(value.numStartups, 12);
    assert.match(text, /"github": \{ "command": "gh", "args": \["mcp"\] \}/, 'the neighbour kept its layout');
  });

  test('claude --project: DIR/.mcp.json created, then removed with the folder left as it was', () => {
    const { file } = roundTrip('claude', undefined, 'web');
    assert.ok(file.endsWith('/web/.mcp.json'));
  });

  test('codex: a [mcp_servers.hookbox] table appended to config.toml, comments and other tables kept', () => {
    const original = '# my codex config\nmodel = "o3" # fast\n\n[mcp_servers.github]\ncommand = "gh"\nargs = ["mcp"]\n';
    const { text } = roundTrip('codex', original);
    const value = JSON.parse(JSON.stringify(parse(text))) as { model: string; mcp_servers: Record<string, unknown> };
    assert.deepEqual(value.mcp_servers.hookbox, { command: server.command, args: server.args });
    assert.deepEqual(value.mcp_servers.github, { command: 'gh', args: ['mcp'] });
    assert.ok(text.startsWith(original), 'appended after everything the user wrote');
  });

  test('codex: a header written inside a multi-line string is text, not our table', () => {
    // A line scanner took the quoted header for the table and refused to uninstall.
    const original =
      'developer_instructions = """\n[mcp_servers.hookbox]\nis ours\n"""\n\n[mcp_servers.github]\ncommand = "gh"\n';
    const { text } = roundTrip('codex', original);
    assert.ok(text.startsWith(original), 'appended after everything the user wrote');
  });

  test('codex: a file without a final newline, and no file at all', () => {
    roundTrip('codex', 'model = "o3"');
    roundTrip('codex', undefined);
  });

  test('gemini: settings.json with comments and tabs', () => {
    const original = '{\n\t// theme first\n\t"theme": "GitHub",\n\t"mcpServers": {}\n}\n';
    const { text } = roundTrip('gemini', original);
    assert.match(text, /\n\t\t"hookbox": \{\n\t\t\t"command"/, 'indented with tabs like the file');
  });

  test('cursor: a one-line mcp.json stays on one line; a project file with an empty object', () => {
    const { text } = roundTrip('cursor', '{"mcpServers":{"a":{"command":"a"}}}');
    assert.ok(!text.includes('\n'));
    roundTrip('cursor', '{}\n', 'web');
    roundTrip('cursor', '{\n  "other": true\n}\n', 'web');
  });

  test('an entry changed by hand is updated in place; uninstall still removes exactly it', () => {
    const { ctx, dataDir } = home();
    const file = AGENT_ADAPTERS.claude.configFile(ctx);
    const original = '{\n  "mcpServers": {\n    "a": {}\n  }\n}\n';
    write(file, original);
    installAgentMcp(AGENT_ADAPTERS.claude, ctx, server, dataDir);
    const other = { command: '/elsewhere/hookbox', args: ['mcp'] };
    assert.equal(agentMcpStatus(AGENT_ADAPTERS.claude, ctx, other).current, false);
    assert.equal(installAgentMcp(AGENT_ADAPTERS.claude, ctx, other, dataDir).changed, true);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).mcpServers.hookbox.command, '/elsewhere/hookbox');
    uninstallAgentMcp(AGENT_ADAPTERS.claude, ctx, dataDir);
    assert.equal(readFileSync(file, 'utf8'), original);
  });

  test('a symlinked config is written through to its target; the link stays a link', () => {
    const { ctx, dataDir, dir } = home();
    const real = join(dir, 'dotfiles', 'codex.toml');
    const original = 'model = "o3"\n';
    write(real, original);
    mkdirSync(join(ctx.home, '.codex'), { recursive: true });
    const link = join(ctx.home, '.codex', 'config.toml');
    symlinkSync(real, link);
    const result = installAgentMcp(AGENT_ADAPTERS.codex, ctx, server, dataDir);
    assert.equal(result.target, real);
    assert.ok(statSync(link, { throwIfNoEntry: true }) && readFileSync(real, 'utf8').includes('[mcp_servers.hookbox]'));
    uninstallAgentMcp(AGENT_ADAPTERS.codex, ctx, dataDir);
    assert.equal(readFileSync(real, 'utf8'), original);
  });

  test('a file that does not parse is refused and left alone', () => {
    for (const [agent, text, expected] of [
      ['claude', '{ "mcpServers": { "a": ', /not valid JSON/],
      ['gemini', '[1, 2]', /must hold a JSON object/],
      ['cursor', '{ "mcpServers": [] }', /"mcpServers" must be an object/],
      ['codex', 'model = \n', /not valid TOML/],
    ] as Array<[AgentName, string, RegExp]>) {
      const { ctx, dataDir } = home();
      const file = AGENT_ADAPTERS[agent].configFile(ctx);
      write(file, text);
      assert.throws(() => installAgentMcp(AGENT_ADAPTERS[agent], ctx, server, dataDir), expected, agent);
      assert.equal(readFileSync(file, 'utf8'), text, `${agent}: untouched`);
    }
  });

  test('codex has no project file: --project is refused with a clear message', () => {
    const { ctx, dataDir } = home();
    assert.throws(
      () => installAgentMcp(AGENT_ADAPTERS.codex, { ...ctx, project: ctx.home }, server, dataDir),
      /codex reads MCP servers from ~\/\.codex\/config\.toml only/,
    );
  });
});

describe('hookbox mcp install|status|uninstall on the command line', () => {
  test('each agent in a temp HOME: install, status, uninstall, byte-exact; other agents get --no-push', async () => {
    const dir = tempDir();
    const env = {
      HOME: dir,
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      CODEX_HOME: '',
      CLAUDE_CONFIG_DIR: '',
    };
    const originals: Record<AgentName, [string, string]> = {
      claude: [join(dir, '.claude.json'), '{\n  "mcpServers": {\n    "x": { "command": "x" }\n  }\n}\n'],
      codex: [join(dir, '.codex', 'config.toml'), 'model = "o3"\n'],
      gemini: [join(dir, '.gemini', 'settings.json'), '{\n  "theme": "Default"\n}\n'],
      cursor: [join(dir, '.cursor', 'mcp.json'), '{ "mcpServers": {} }\n'],
    };
    for (const agent of AGENT_NAMES) {
      const [file, original] = originals[agent];
      write(file, original);
      const installed = await runCli(['mcp', 'install', agent, '--name', 'web'], env);
      assert.equal(installed.code, 0, installed.stderr);
      assert.match(
        installed.stdout,
        new RegExp(
          `hookbox added for ${agent}: .*bin/hookbox mcp --name web${agent === 'claude' ? '\\n' : ' --no-push\\n'}`,
        ),
      );
      const status = await runCli(['mcp', 'status', agent, '--name', 'web'], env);
      assert.match(status.stdout, new RegExp(`^${agent}: installed\\n`), status.stdout + status.stderr);
      const uninstalled = await runCli(['mcp', 'uninstall', agent], env);
      assert.equal(uninstalled.code, 0, uninstalled.stderr);
      assert.equal(readFileSync(file, 'utf8'), original, agent);
      assert.match((await runCli(['mcp', 'status', agent], env)).stdout, new RegExp(`^${agent}: not installed\\n`));
    }
    const unknown = await runCli(['mcp', 'install', 'copilot'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown agent 'copilot': use one of claude, codex, gemini, cursor/);
  });
});
