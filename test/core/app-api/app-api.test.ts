import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveSettings } from '../../../main/core/config/settings.ts';
import { createHub, type Hub } from '../../../main/core/hub.ts';
import { UI_CONTENT_SECURITY_POLICY } from '../../../main/core/http/routes/ui-routes.ts';
import { silentLogger } from '../../../main/core/logger.ts';
import { RecordingNotifier, postEvent, startHub, waitForNotifications } from '../../helpers/hub-fixture.ts';
import { REPO_ROOT, startServe } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { AGENT_HOOK_BUNDLE } from '../../../main/core/agents/agent-install.ts';

// The window's contract on the hub: the operations behind both transports, the HTTP routes the
// browser build uses (token, RPC, event stream, the page itself), and what they do to files.

async function startOwnHub(
  options: { configFile?: string | null; configPath?: string; rendererDir?: string; dataDir?: string } = {},
) {
  const dataDir = options.dataDir ?? tempDir();
  const notifier = new RecordingNotifier();
  const hub = createHub({
    dataDir,
    settings: resolveSettings({ env: {}, overrides: { port: 0 } }),
    configFile: options.configFile ?? null,
    ...(options.configPath ? { configPath: options.configPath } : {}),
    notifier,
    logger: silentLogger(),
    env: { PATH: process.env.PATH },
    ...(options.rendererDir ? { ui: { rendererDir: options.rendererDir } } : {}),
  });
  const address = await hub.start();
  after(() => hub.stop());
  return { hub, url: address.url, notifier, dataDir };
}

const rpc = (url: string, token: string | null, operation: string, body?: unknown) =>
  fetch(`${url}/app/rpc/${operation}`, {
    method: 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

test("the RPC routes need the control token, know only the contract's operations, and check requests", async () => {
  const { hub, url } = await startHub();
  assert.equal((await rpc(url, null, 'getHealth')).status, 401);
  assert.equal((await rpc(url, 'not-the-token', 'getHealth')).status, 401);
  const ok = await rpc(url, hub.controlToken, 'getHealth');
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { api_url: string }).api_url, url);
  const hooks = (await (await rpc(url, hub.controlToken, 'listHooks')).json()) as {
    hooks: unknown[];
    lifecycle: unknown[];
    config_error: null;
  };
  assert.deepEqual(hooks, { hooks: [], lifecycle: [], config_error: null });
  const unknown = await rpc(url, hub.controlToken, 'dropDatabase');
  assert.equal(unknown.status, 404);
  const bad = await rpc(url, hub.controlToken, 'queryEvents', { limit: 5, sql: 'x' });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /queryEvents: unknown field 'sql'/);
  // A web page elsewhere cannot call it, token or not (the Origin check comes first).
  const cross = await fetch(`${url}/app/rpc/getHealth`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.controlToken}`, origin: 'https://evil.example' },
  });
  assert.equal(cross.status, 403);
});

test('queryEvents filters on the hub and pages without loading the history', async () => {
  const { hub } = await startHub();
  for (let i = 0; i < 7; i += 1)
    await hub.eventLog.record({
      kind: i % 2 ? 'git' : 'shell',
      command: `step ${i}`,
      exit_code: i === 3 ? 1 : 0,
      duration_ms: i * 10_000,
      output: i === 5 ? 'progress 100%_done' : '',
    });
  const page1 = await hub.app.handlers.queryEvents({ limit: 3 });
  assert.deepEqual(
    page1.events.map((e) => e.command),
    ['step 6', 'step 5', 'step 4'],
  );
  assert.equal(page1.total, 7);
  const page2 = await hub.app.handlers.queryEvents({ limit: 3, cursor: page1.next_cursor! });
  assert.deepEqual(
    page2.events.map((e) => e.command),
    ['step 3', 'step 2', 'step 1'],
  );
  const page3 = await hub.app.handlers.queryEvents({ limit: 3, cursor: page2.next_cursor! });
  assert.deepEqual([page3.events.map((e) => e.command), page3.next_cursor], [['step 0'], null]);
  assert.deepEqual(
    (await hub.app.handlers.queryEvents({ failed_only: true })).events.map((e) => e.command),
    ['step 3'],
  );
  // Long-running is longer than the threshold (30 s by default): step 3 took exactly 30 s.
  assert.deepEqual(
    (await hub.app.handlers.queryEvents({ kind: 'git', long_running: true })).events.map((e) => e.command),
    ['step 5'],
  );
  // % and _ are literal characters in a search, not wildcards.
  assert.deepEqual(
    (await hub.app.handlers.queryEvents({ text: '100%_' })).events.map((e) => e.command),
    ['step 5'],
  );
  assert.deepEqual((await hub.app.handlers.queryEvents({ text: '0%d' })).events, []);
  assert.deepEqual((await hub.app.handlers.queryEvents({ text: 'STEP 2' })).total, 1, 'case-insensitive');
});

test('the event stream delivers each subscription and ends when the hub stops', async () => {
  const { hub, url } = await startOwnHub();
  const response = await fetch(`${url}/app/events`, { headers: { authorization: `Bearer ${hub.controlToken}` } });
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const readUntil = async (pattern: RegExp) => {
    while (!pattern.test(text)) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
    }
  };
  await readUntil(/event: ready/);
  await postEvent(url, { kind: 'shell', command: 'streamed', exit_code: 0 });
  await hub.inbox.inject({ session: 's1', source: 'inject', label: 't', content: 'hi' });
  hub.notificationPause.pause(60_000);
  await readUntil(/event: onPauseChanged/);
  assert.match(text, /event: onEventRecorded\ndata: \{[^\n]*"command":"streamed"/);
  assert.match(text, /event: onInboxChanged\ndata: \{[^\n]*"content":"hi"/);
  const began = Date.now();
  await hub.stop();
  assert.ok(Date.now() - began < 30_000, `stopping waited ${Date.now() - began} ms for the open stream`);
  await readUntil(/$^/); // to the end
});

test('a pause stops notifications, survives a restart, and ends by itself', async () => {
  const dataDir = tempDir();
  const first = await startOwnHub({ dataDir });
  first.hub.notificationPause.pause(null);
  await postEvent(first.url, { kind: 'shell', command: 'fails quietly', exit_code: 1 });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(first.notifier.shown.length, 0);
  await first.hub.stop();

  const second = await startOwnHub({ dataDir });
  assert.deepEqual(
    second.hub.notificationPause.state(),
    { paused: true, until: null },
    'until resumed means across restarts too',
  );
  await second.hub.app.handlers.resumeNotifications(undefined);
  assert.equal(existsSync(join(dataDir, 'notification-pause.json')), false);
  // Listening before the post: the notification may be raised before the HTTP answer arrives.
  const notified = waitForNotifications(second.hub, 1);
  await postEvent(second.url, { kind: 'shell', command: 'fails loudly', exit_code: 1 });
  await notified;
  assert.equal(second.notifier.shown.length, 1);

  const timed = second.hub.notificationPause.pause(50);
  assert.equal(timed.paused, true);
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(second.hub.notificationPause.isPaused(), false);
});

test('saving a config: a bad one never replaces a good one; a good one is written atomically and applied', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'hooks'));
  writeFileSync(join(dir, 'hooks', 'ok.sh'), '#!/bin/sh\ncat\n');
  chmodSync(join(dir, 'hooks', 'ok.sh'), 0o755);
  const configFile = join(dir, 'config.toml');
  const good = '[[hooks]]\nname = "one"\nbind = "127.0.0.1:0"\nscript = "hooks/ok.sh"\n';
  writeFileSync(configFile, good, { mode: 0o640 });
  chmodSync(configFile, 0o640);
  const { hub } = await startOwnHub({ configFile });

  const bad = await hub.app.handlers.saveConfig({
    text: `${good}[[hooks]]\nname = "two"\nbind = "nowhere"\nscript = "hooks/ok.sh"\n`,
  });
  assert.equal(bad.saved, false);
  assert.deepEqual(
    bad.problems.map((p) => p.line),
    [7],
  );
  assert.equal(readFileSync(configFile, 'utf8'), good);
  assert.deepEqual(
    hub.hooks.status().map((h) => [h.name, h.state]),
    [['one', 'listening']],
  );

  const next = `# now two\n${good}\n[[hooks]]\nname = "two"\nbind = "127.0.0.1:0"\nscript = "hooks/ok.sh"\n`;
  const saved = await hub.app.handlers.saveConfig({ text: next });
  assert.equal(saved.saved, true);
  assert.deepEqual(saved.report?.started, ['two']);
  assert.equal(readFileSync(configFile, 'utf8'), next);
  assert.equal(statSync(configFile).mode & 0o777, 0o640, 'the file keeps its permissions');
  assert.deepEqual(
    hub.hooks
      .status()
      .map((h) => h.name)
      .sort(),
    ['one', 'two'],
  );
  assert.deepEqual((await hub.app.handlers.listScripts(undefined)).scripts, ['hooks/ok.sh']);
});

test('with no config file yet, the editor creates it where it belongs (0600) and the hub applies it', async () => {
  const dir = tempDir();
  const configPath = join(dir, 'hookbox', 'config.toml');
  const { hub } = await startOwnHub({ configPath });
  const doc = await hub.app.handlers.getConfig(undefined);
  assert.deepEqual([doc.path, doc.exists, doc.text], [configPath, false, '']);
  const view = await hub.app.handlers.updateNotificationSettings({ on_failure: false });
  assert.equal(view.on_failure, false);
  assert.equal(readFileSync(configPath, 'utf8'), '[notifications]\non_failure = false\n');
  assert.equal(statSync(configPath).mode & 0o777, 0o600);
  assert.equal(hub.settings.notifications.onFailure, false);
  assert.equal(hub.configFile, configPath);
});

test('hookbox serve serves the window at / under a strict policy, or says how to build it', async () => {
  const rendererDir = tempDir();
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(
    join(rendererDir, 'index.html'),
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; connect-src 'none'"><script type="module" src="./assets/app-1.js"></script>`,
  );
  writeFileSync(join(rendererDir, 'assets', 'app-1.js'), 'console.log(1)');
  const { url } = await startOwnHub({ rendererDir });
  const page = await fetch(`${url}/`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-security-policy'), UI_CONTENT_SECURITY_POLICY);
  assert.match(
    UI_CONTENT_SECURITY_POLICY,
    /default-src 'none'.*script-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/,
  );
  assert.doesNotMatch(UI_CONTENT_SECURITY_POLICY, /unsafe/);
  assert.match(await page.text(), /connect-src 'self'/, "the page's own policy lets it call its origin");
  const asset = await fetch(`${url}/assets/app-1.js`);
  assert.deepEqual([asset.status, asset.headers.get('content-type')], [200, 'text/javascript; charset=utf-8']);
  assert.equal(
    (await fetch(`${url}/assets/..%2Findex.html`)).status,
    400,
    'a name that is not a plain file name is refused',
  );
  assert.equal((await fetch(`${url}/assets/missing.js`)).status, 404);

  const dataDir = tempDir();
  const serve = await startServe(['--port', '0', '--data-dir', dataDir], {
    XDG_CONFIG_HOME: tempDir(),
    HOOKBOX_RENDERER_DIR: join(tempDir(), 'not-built'),
  });
  const deadline = Date.now() + 30_000;
  while (!/the Hookbox window/.test(serve.output()) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  // The log names the command that opens the window signed in, never the token itself.
  assert.ok(
    serve
      .output()
      .includes(
        `the Hookbox window (not built yet: run \`npm run build\`): run \`hookbox --data-dir ${dataDir} open --port ${serve.port}\` to open it signed in`,
      ),
    serve.output(),
  );
  assert.ok(
    !serve.output().includes(readFileSync(join(dataDir, 'control-token'), 'utf8').trim()),
    'the control token is not logged',
  );
  const missing = await fetch(`${serve.url}/`);
  assert.equal(missing.status, 503);
  assert.match(await missing.text(), /npm run build/);
  assert.equal(await serve.stop(), 0);
});

test('marking a message handled acknowledges it whether or not a consumer claimed it', async () => {
  const { hub } = await startHub();
  const message = await hub.app.handlers.injectMessage({ session: 'mine', content: 'do the thing' });
  assert.equal(message.source_label, 'hookbox window');
  const handled = await hub.app.handlers.markMessageHandled({ session: 'mine', id: message.id });
  assert.equal(handled.state, 'acked');
  assert.equal(hub.inbox.sessions().find((s) => s.name === 'mine')?.acked, 1);
  await assert.rejects(hub.app.handlers.markMessageHandled({ session: 'mine', id: 'nope' }), /no message nope/);
});

export type { Hub };

/** A hub whose HOME is a temp dir, as the desktop app (no launcher) or `hookbox serve` (its launcher words). */
async function agentsHub(launcher?: string[]) {
  const dir = tempDir();
  const home = join(dir, 'home');
  mkdirSync(home);
  const dataDir = join(dir, 'data');
  const hub = createHub({
    dataDir,
    settings: resolveSettings({ env: {}, overrides: { port: 0 } }),
    configFile: null,
    notifier: new RecordingNotifier(),
    logger: silentLogger(),
    env: { PATH: process.env.PATH, HOME: home },
    ...(launcher ? { launcher } : {}),
  });
  await hub.start();
  after(() => hub.stop());
  return { hub, home, dataDir };
}

test("the Agents section installs an agent's hooks and MCP entry into HOME and uninstalls them byte for byte", async () => {
  const launcher = [process.execPath, join(REPO_ROOT, 'bin/hookbox'), '--data-dir', '/tmp/hookbox data'];
  const { hub, home } = await agentsHub(launcher);
  const api = hub.app.handlers;
  // The user's files, with formatting an editor cannot reproduce: uninstall must bring these bytes back.
  mkdirSync(join(home, '.claude'));
  const settings = join(home, '.claude/settings.json');
  const settingsText = '{\n    "theme": "dark",   "hooks": {}\n}\n';
  writeFileSync(settings, settingsText);
  const claudeJson = join(home, '.claude.json');
  const claudeJsonText = '{ "numStartups": 3,\n\t"mcpServers": { "other": { "command": "x" } } }';
  writeFileSync(claudeJson, claudeJsonText);

  const before = await api.getAgentIntegration(undefined);
  assert.deepEqual(
    before.agents.map((a) => [a.agent, a.detected, a.hooks.installed, a.mcp?.installed ?? null]),
    [
      ['claude', true, false, false],
      ['codex', false, false, false],
      ['copilot', false, false, null],
      ['cursor', false, false, false],
      ['gemini', false, false, false],
    ],
  );
  assert.equal(before.install_unavailable, null);
  assert.match(before.launcher!, /bin\/hookbox --data-dir '\/tmp\/hookbox data'$/);
  assert.equal(before.agents[0]!.hooks.file.path, settings);
  assert.equal(before.agents[0]!.mcp!.file.path, claudeJson);

  const hooks = await api.installAgentIntegration({ agent: 'claude', part: 'hooks' });
  assert.equal(hooks.status.hooks.installed, true);
  assert.equal(hooks.status.hooks.outdated, false);
  assert.ok(hooks.changes.some((c) => c.path === settings && /^hooks written for .*PreToolUse/.test(c.change)));
  const written = readFileSync(settings, 'utf8');
  // The agent hook's own bundle when it is built beside bin/hookbox (agentHookBase), else the launcher.
  const bundle = join(REPO_ROOT, AGENT_HOOK_BUNDLE);
  const script = existsSync(bundle) ? bundle : join(REPO_ROOT, 'bin/hookbox');
  assert.ok(written.includes(`${script} --data-dir '/tmp/hookbox data' agent-hook claude`), written);
  assert.ok(written.includes('"theme": "dark"'));
  const again = await api.installAgentIntegration({ agent: 'claude', part: 'hooks' });
  assert.deepEqual(
    again.changes.map((c) => c.change),
    ['already installed; unchanged'],
  );

  const mcp = await api.installAgentIntegration({ agent: 'claude', part: 'mcp' });
  assert.deepEqual(mcp.changes, [{ path: claudeJson, change: 'hookbox added to the MCP servers' }]);
  const entry = (JSON.parse(readFileSync(claudeJson, 'utf8')) as { mcpServers: Record<string, unknown> }).mcpServers;
  assert.deepEqual(entry.hookbox, {
    type: 'stdio',
    command: process.execPath,
    args: [join(REPO_ROOT, 'bin/hookbox'), '--data-dir', '/tmp/hookbox data', 'mcp'],
  });
  assert.deepEqual(entry.other, { command: 'x' });
  const status = (await api.getAgentIntegration(undefined)).agents[0]!;
  assert.deepEqual([status.hooks.installed, status.mcp!.installed, status.mcp!.outdated], [true, true, false]);

  // Codex takes its MCP entry in TOML; a file Hookbox created goes away on uninstall.
  const codex = await api.installAgentIntegration({ agent: 'codex', part: 'mcp' });
  const codexToml = join(home, '.codex/config.toml');
  assert.equal(codex.changes[0]!.path, codexToml);
  assert.match(readFileSync(codexToml, 'utf8'), /\[mcp_servers\.hookbox\]/);
  assert.ok(readFileSync(codexToml, 'utf8').includes('--no-push'), 'no channels outside Claude Code');
  await assert.rejects(api.installAgentIntegration({ agent: 'copilot', part: 'mcp' }), /takes no MCP server/);
  await assert.rejects(
    api.installAgentIntegration({ agent: 'aider', part: 'hooks' }),
    /installAgentIntegration: .*agent/,
  );

  const offHooks = await api.uninstallAgentIntegration({ agent: 'claude', part: 'hooks' });
  assert.match(offHooks.changes[0]!.change, /byte for byte/);
  assert.equal(readFileSync(settings, 'utf8'), settingsText);
  const offMcp = await api.uninstallAgentIntegration({ agent: 'claude', part: 'mcp' });
  assert.equal(offMcp.changes[0]!.change, 'hookbox removed from the MCP servers');
  assert.equal(readFileSync(claudeJson, 'utf8'), claudeJsonText);
  await api.uninstallAgentIntegration({ agent: 'codex', part: 'mcp' });
  assert.equal(existsSync(codexToml), false);
  const after = (await api.getAgentIntegration(undefined)).agents;
  assert.deepEqual(
    after.filter((a) => a.hooks.installed || a.mcp?.installed),
    [],
  );
});

test('a hub that does not know its launcher (the desktop app) refuses agent installs and says how, but uninstalls', async () => {
  const { hub, home } = await agentsHub();
  const api = hub.app.handlers;
  const overview = await api.getAgentIntegration(undefined);
  assert.equal(overview.launcher, null);
  assert.match(overview.install_unavailable!, /install from a terminal/);
  const claude = overview.agents.find((a) => a.agent === 'claude')!;
  assert.equal(claude.hooks.install_unavailable, 'install from a terminal: hookbox agents install claude');
  assert.equal(claude.mcp!.install_unavailable, 'install from a terminal: hookbox mcp install claude');
  await assert.rejects(
    api.installAgentIntegration({ agent: 'gemini', part: 'hooks' }),
    /does not know its hookbox launcher; install from a terminal: hookbox agents install gemini/,
  );
  assert.equal(existsSync(join(home, '.gemini')), false, 'nothing written');
  // An entry installed from a terminal shows as installed, and the window can remove it.
  mkdirSync(join(home, '.gemini'));
  const file = join(home, '.gemini/settings.json');
  writeFileSync(file, '{"mcpServers": {"hookbox": {"command": "/usr/bin/node", "args": ["hookbox", "mcp"]}}}\n');
  const gemini = (await api.getAgentIntegration(undefined)).agents.find((a) => a.agent === 'gemini')!;
  assert.deepEqual([gemini.detected, gemini.mcp!.installed, gemini.mcp!.outdated], [true, true, false]);
  const removed = await api.uninstallAgentIntegration({ agent: 'gemini', part: 'mcp' });
  assert.equal(removed.status.mcp!.installed, false);
  assert.doesNotMatch(readFileSync(file, 'utf8'), /hookbox/);
});

test('`hookbox serve` gives the window its launcher: the Agents section offers installs', async () => {
  const dataDir = tempDir();
  const home = tempDir();
  const serve = await startServe(['--port', '0', '--data-dir', dataDir], { HOME: home });
  after(() => serve.stop());
  const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();
  const response = await rpc(serve.url, token, 'getAgentIntegration');
  assert.equal(response.status, 200);
  const overview = (await response.json()) as { launcher: string | null; install_unavailable: string | null };
  assert.equal(overview.install_unavailable, null);
  assert.ok(overview.launcher?.includes(`bin/hookbox --data-dir ${dataDir}`), overview.launcher ?? 'no launcher');
});

test('an agent file that does not parse is shown as unreadable and refused, never rewritten', async () => {
  const { hub, home } = await agentsHub([process.execPath, join(REPO_ROOT, 'bin/hookbox')]);
  mkdirSync(join(home, '.cursor'));
  const broken = '{ "hooks": { "beforeShellExecution": [ \n';
  writeFileSync(join(home, '.cursor/hooks.json'), broken);
  writeFileSync(join(home, '.cursor/mcp.json'), broken);
  const cursor = (await hub.app.handlers.getAgentIntegration(undefined)).agents.find((a) => a.agent === 'cursor')!;
  assert.match(cursor.hooks.note ?? '', /^cannot read: /);
  assert.match(cursor.mcp!.note ?? '', /^cannot read: /);
  await assert.rejects(
    hub.app.handlers.installAgentIntegration({ agent: 'cursor', part: 'hooks' }),
    /hooks\.json: not valid JSON .*nothing was changed/,
  );
  await assert.rejects(
    hub.app.handlers.installAgentIntegration({ agent: 'cursor', part: 'mcp' }),
    /mcp\.json: not valid JSON .*nothing was changed/,
  );
  assert.equal(readFileSync(join(home, '.cursor/hooks.json'), 'utf8'), broken);
  assert.equal(readFileSync(join(home, '.cursor/mcp.json'), 'utf8'), broken);
});

test('failure_when / long_running_when: shown, saved through the RPC, a value outside the three refused', async () => {
  const dir = tempDir();
  const configPath = join(dir, 'config.toml');
  writeFileSync(configPath, '# mine\n[notifications]\non_failure = true # keep\n');
  const { hub, url } = await startOwnHub({ configFile: configPath });
  const before = await hub.app.handlers.getNotificationSettings(undefined);
  assert.deepEqual([before.failure_when, before.long_running_when, before.focus_unknown], ['always', 'unfocused', []]);
  const saved = await rpc(url, hub.controlToken, 'updateNotificationSettings', { failure_when: 'unfocused' });
  assert.equal(saved.status, 200);
  assert.equal(((await saved.json()) as { failure_when: string }).failure_when, 'unfocused');
  assert.equal(
    readFileSync(configPath, 'utf8'),
    '# mine\n[notifications]\non_failure = true # keep\nfailure_when = "unfocused"\n',
  );
  assert.equal(hub.settings.notifications.failureWhen, 'unfocused');
  const bad = await rpc(url, hub.controlToken, 'updateNotificationSettings', { long_running_when: 'sometimes' });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(await bad.json()), /long_running_when/);
});
