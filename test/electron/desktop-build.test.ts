import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { findOnPath } from '../../main/core/notify/libnotify-notifier.ts';
import { claudeSamples } from '../core/agents/fixtures/claude-inputs.ts';
import { REPO_ROOT, runCli } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// One real `electron-vite build` into a temp folder inside the repository (.tmp/ is ignored by
// git), so the built main process finds node_modules when it runs; the tests read and run it.
mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
const outDir = mkdtempSync(join(REPO_ROOT, '.tmp', 'desktop-build-'));
after(() => rmSync(outDir, { recursive: true, force: true }));
let buildOutput = '';

before(async () => {
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(join(REPO_ROOT, 'node_modules/.bin/electron-vite'), ['build', '--outDir', outDir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (buildOutput += c.toString()));
    child.stderr.on('data', (c: Buffer) => (buildOutput += c.toString()));
    child.on('exit', resolve);
  });
  assert.equal(code, 0, `electron-vite build failed:\n${buildOutput}`);
});

const read = (path: string) => readFileSync(join(outDir, path), 'utf8');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; main: string };

test('the build produces the main, preload and renderer bundles', () => {
  for (const file of ['main/index.js', 'preload/index.cjs', 'renderer/index.html'])
    assert.ok(existsSync(join(outDir, file)), `${file} missing:\n${buildOutput}`);
  assert.ok(
    readdirSync(join(outDir, 'renderer/assets')).some((f) => f.endsWith('.js')),
    'no renderer script',
  );
  // package.json "main" names the same file inside the default out/ folder.
  assert.equal(pkg.main, 'out/main/index.js');
});

test('the main bundle loads better-sqlite3 and the other runtime deps from node_modules', () => {
  const main = read('main/index.js');
  assert.match(main, /^import \w+ from "better-sqlite3";$/m);
  assert.match(main, /^import .* from "fastify";$/m);
  // Inlined, better-sqlite3 would carry its loader for the native addon.
  assert.doesNotMatch(main, /better_sqlite3\.node|node_modules\/better-sqlite3/);
});

test('the main bundle carries the version instead of reading package.json beside the source', () => {
  const main = read('main/index.js');
  assert.ok(main.includes(JSON.stringify(pkg.version)));
  assert.doesNotMatch(main, /__HOOKBOX_VERSION__|\.\.\/\.\.\/package\.json/);
});

test('the preload is CommonJS requiring only electron, as a sandboxed preload must be', () => {
  const preload = read('preload/index.cjs');
  const required = [...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron']);
  assert.doesNotMatch(preload, /^\s*(import|export)\s/m);
  assert.match(preload, /exposeInMainWorld\("hookbox"/);
});

test('the renderer page carries the strict Content-Security-Policy', () => {
  const html = read('renderer/index.html');
  const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp, html);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  // Scripts are files next to the page, loaded relative to it (file:// in the app).
  assert.match(html, /<script type="module" crossorigin src="\.\/assets\/[^"]+\.js"><\/script>/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
});

// --- the built main process, run under Node with test/electron/fake-electron standing in for Electron

interface Step {
  step: string;
  [key: string]: any;
}

function runMain(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; steps: Step[]; output: string; appData: string }> {
  const appData = tempDir('hookbox-appdata-');
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    FAKE_APP_DATA: appData,
    FAKE_APP_PATH: REPO_ROOT,
    XDG_CONFIG_HOME: join(appData, 'config'),
    XDG_DATA_HOME: join(appData, 'data'),
    AGENTD_PORT: '0',
    AGENTD_LOG_FORMAT: 'text',
    ...env,
  };
  delete childEnv.HOOKBOX_CONFIG;
  delete childEnv.HOOKBOX_DATA_DIR;
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', join(import.meta.dirname, 'fake-electron/register.ts'), join(outDir, 'main/index.js')],
      {
        cwd: REPO_ROOT,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const steps = output
        .split('\n')
        .filter((line) => line.startsWith('fake-electron '))
        .map((line) => JSON.parse(line.slice('fake-electron '.length)) as Step);
      resolve({ code, steps, output, appData });
    });
  });
}

const stepNames = (steps: Step[]) => steps.map((s) => s.step);
const find = (steps: Step[], name: string) => steps.find((s) => s.step === name);

test('the built main process runs the hub behind a tray and a locked-down window, and stops on Quit', async () => {
  const { code, steps, output, appData } = await runMain({ FAKE_SCENARIO: 'run' });
  assert.equal(code, 0, output);
  assert.ok(!find(steps, 'scenario-failed'), output);

  assert.deepEqual(find(steps, 'tray-menu')?.labels, [
    'Open Hookbox',
    'Pause notifications for 1 hour',
    'Pause notifications until resumed',
    'Notify when the next command finishes',
    'No webhook hooks configured',
    'Start at login',
    'Quit',
  ]);
  // Pausing from the tray: the menu now offers Resume, and the hub reports the pause.
  const paused = find(steps, 'paused')!;
  assert.equal(paused.notifications.paused, true);
  assert.ok(Date.parse(paused.notifications.until) - Date.now() > 55 * 60_000, JSON.stringify(paused));
  assert.match(paused.labels[1], /^Notifications paused until /);
  assert.equal(paused.labels[2], 'Resume notifications');
  assert.equal(find(steps, 'tray')?.iconExists, true);
  const created = find(steps, 'window-created')!;
  assert.deepEqual(
    [
      created.webPreferences.contextIsolation,
      created.webPreferences.sandbox,
      created.webPreferences.nodeIntegration,
      created.preloadExists,
    ],
    [true, true, false, true],
  );
  assert.equal(find(steps, 'load')?.url, new URL(`file://${join(outDir, 'renderer/index.html')}`).href);

  // The window's calls are answered; one from another page is refused.
  const health = find(steps, 'health')!.health;
  assert.equal(health.version, pkg.version);
  assert.match(health.api_url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(find(steps, 'untrusted-refused')?.message ?? '', /not the Hookbox window/);

  // An event posted over HTTP is pushed to the window, notified through Electron, and listed.
  assert.equal(find(steps, 'posted')?.status, 200);
  assert.equal(find(steps, 'send')?.channel, 'hookbox:event-recorded');
  assert.equal(find(steps, 'send')?.payload.command, 'cargo build');
  assert.match(find(steps, 'notification')?.body ?? '', /cargo build/);
  assert.deepEqual(find(steps, 'listed')?.commands, ['cargo build']);

  // Closing the window hides it (the hub keeps running); Quit closes it and stops the hub.
  assert.deepEqual(find(steps, 'after-close'), { step: 'after-close', destroyed: false, visible: false });
  const names = stepNames(steps);
  assert.ok(names.indexOf('window-closed') > names.indexOf('after-close'));
  assert.match(output, /INFO: stopped/);
  assert.deepEqual(find(steps, 'exit'), { step: 'exit', code: 0 });

  // The data lives where the CLI looks by default (XDG data home), not in Electron's userData,
  // and the database was closed with the event committed.
  assert.ok(!existsSync(join(appData, 'Hookbox', 'hookbox.db')), 'no database in userData');
  const dbFile = join(appData, 'data', 'hookbox', 'hookbox.db');
  assert.ok(!existsSync(`${dbFile}-wal`) || readFileSync(`${dbFile}-wal`).length === 0, 'WAL checkpointed on close');
  const db = new Database(dbFile, { readonly: true });
  try {
    assert.deepEqual(db.prepare('SELECT command, exit_code FROM events').all(), [
      { command: 'cargo build', exit_code: 1 },
    ]);
  } finally {
    db.close();
  }
  // So the `hookbox` command, with no flag, reads the desktop app's events.
  const cli = await runCli(['events', '--json'], {
    XDG_DATA_HOME: join(appData, 'data'),
    XDG_CONFIG_HOME: join(appData, 'config'),
  });
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(
    (JSON.parse(cli.stdout) as { command: string }[]).map((e) => e.command),
    ['cargo build'],
  );
});

test('the tray icon badges unread messages and failures while the window is away; a notification click opens the window on its item', async () => {
  const { code, steps, output } = await runMain({ FAKE_SCENARIO: 'attention' });
  assert.equal(code, 0, output);
  assert.ok(!find(steps, 'scenario-failed'), output);

  // The light panel's (fake nativeTheme) dark glyph, with a blue dot, then a red one.
  assert.equal(find(steps, 'tray')?.icon.split('/').pop(), 'tray-dark.png');
  assert.equal(find(steps, 'badge-after-message')?.icon, 'tray-dark-unread.png');
  assert.equal(find(steps, 'badge-after-failure')?.icon, 'tray-dark-failure.png');
  assert.ok(
    steps.filter((s) => s.step === 'tray-image').every((s) => s.iconExists),
    'every icon the tray shows is in resources/',
  );
  assert.ok(
    steps.some((s) => s.step === 'tray-tooltip' && /1 new message, 1 failure$/.test(s.tooltip)),
    'the tooltip says what is waiting',
  );

  const command = find(steps, 'clicked-command')!;
  assert.deepEqual(command.navigate, { view: 'events', event_id: command.event_id });
  assert.equal(command.visible, true);
  assert.equal(command.icon, 'tray-dark.png', 'opening the window clears the badge');

  const lifecycle = find(steps, 'clicked-lifecycle')!;
  assert.equal(lifecycle.title, 'Task failed');
  assert.deepEqual(lifecycle.navigate, { view: 'hooks', lifecycle_event_id: lifecycle.lifecycle_event_id });
  assert.equal(lifecycle.visible, true);
  assert.deepEqual(find(steps, 'exit'), { step: 'exit', code: 0 });
});

test("a click on an agent's notification brings forward the tmux window its session runs in", {
  skip: !findOnPath('tmux') && !process.env.CI && 'needs tmux',
}, async () => {
  const socket = join(tempDir('hookbox-tmux-'), 'tmux.sock');
  const { TMUX: _outer, TMUX_PANE: _outerPane, ...tmuxEnv } = process.env;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-S', socket, ...args], { env: tmuxEnv, encoding: 'utf8' }).trim();
  tmux('new-session', '-d', '-s', 'work', '-n', 'agent', '-x', '80', '-y', '24');
  after(() => spawnSync('tmux', ['-S', socket, 'kill-server'], { env: tmuxEnv }));
  const pane = tmux('display-message', '-p', '-t', 'work:agent', '#{pane_id}');
  tmux('new-window', '-t', 'work', '-n', 'other');

  const { code, steps, output } = await runMain({
    FAKE_SCENARIO: 'agent-click',
    FAKE_TMUX_SOCKET: socket,
    FAKE_TMUX_PANE: pane,
    FAKE_HOOK_INPUT: JSON.stringify(claudeSamples.notification),
  });
  assert.equal(code, 0, output);
  assert.ok(!find(steps, 'scenario-failed'), output);
  const clicked = find(steps, 'clicked-agent')!;
  assert.equal(clicked.status, 200);
  assert.match(clicked.title, /^Claude Code/);
  assert.deepEqual([clicked.before, clicked.after], ['other', 'agent']);
});

test('a hub that cannot start shows the reason in a dialog and exits 1', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;

  const busy = await runMain({ AGENTD_PORT: String(port) });
  assert.equal(busy.code, 1, busy.output);
  assert.equal(find(busy.steps, 'error-dialog')?.title, 'Hookbox could not start');
  assert.match(
    find(busy.steps, 'error-dialog')?.content,
    new RegExp(`127\\.0\\.0\\.1:${port}: address already in use`),
  );
  assert.ok(
    !find(busy.steps, 'window-created') && !find(busy.steps, 'tray'),
    'no window or tray for a hub that is not running',
  );
  assert.doesNotMatch(busy.output, /^\s+at /m, 'no stack trace');

  const invalid = await runMain({ AGENTD_PORT: 'abc' });
  assert.equal(invalid.code, 1, invalid.output);
  assert.match(find(invalid.steps, 'error-dialog')?.content, /AGENTD_PORT/);
});
