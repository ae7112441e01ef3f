import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RecordedEvent } from '../../main/shared/api-contract.ts';
import { createConfigStore, hookToml, newHookProblems, VERIFY_CHOICES } from '../../renderer/src/store/config-store.ts';
import { VERIFY_SCHEMES } from '../../main/core/webhooks/verifiers/index.ts';
import {
  createEventsStore,
  matchesFilters,
  mergeEvents,
  NO_FILTERS,
  PAGE_SIZE,
} from '../../renderer/src/store/events-store.ts';
import { createHooksStore } from '../../renderer/src/store/hooks-store.ts';
import { createInboxStore, unreadCount } from '../../renderer/src/store/inbox-store.ts';
import { createNotificationsStore } from '../../renderer/src/store/notifications-store.ts';
import { createShellStore } from '../../renderer/src/store/shell-store.ts';
import { createUiStore } from '../../renderer/src/store/ui-store.ts';
import { loopbackApi } from '../electron/ipc-loopback.ts';
import { postEvent, startHub } from '../helpers/hub-fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { fakeApi, until } from './fake-api.ts';

// The window's stores against a real hub (SQLite in a temp dir, real HTTP, a real config file),
// through the same contract the preload carries over IPC.

const dir = tempDir();
const home = join(dir, 'home');
mkdirSync(join(dir, 'hooks'), { recursive: true });
mkdirSync(home);
writeFileSync(join(dir, 'hooks', 'echo.sh'), '#!/bin/sh\ncat\n');
chmodSync(join(dir, 'hooks', 'echo.sh'), 0o755);
const configFile = join(dir, 'config.toml');
writeFileSync(
  configFile,
  '# mine\n[notifications]\non_failure = true # keep this comment\n\n[[hooks]]\nname = "github"\nbind = "127.0.0.1:0"\nscript = "hooks/echo.sh"\n',
);
const running = await startHub({
  configFile,
  env: { HOME: home, XDG_DATA_HOME: join(home, '.local/share'), XDG_CONFIG_HOME: join(home, '.config'), ZDOTDIR: home },
});
const { api, close } = loopbackApi(running.hub.app.handlers, running.hub.app.subscriptions);
after(close);

const event = (command: string, extra: Partial<RecordedEvent> = {}): RecordedEvent => ({
  id: command,
  received_at: '2026-01-01T00:00:00.000Z',
  kind: 'shell',
  command,
  exit_code: 0,
  duration_ms: 10,
  output: '',
  metadata: {},
  ...extra,
});

test('matchesFilters checks kind and text on live arrivals; failed and long-running are left to the hub', () => {
  const failed = event('cargo build', { exit_code: 101, duration_ms: 45_000, output: 'error[E0425]' });
  assert.equal(matchesFilters(failed, NO_FILTERS), true);
  // Whether `ls` failed is the hub's definition (isFailure): the store asks it, not this check.
  assert.equal(matchesFilters(event('ls'), { ...NO_FILTERS, failedOnly: true }), true);
  assert.equal(matchesFilters(failed, { ...NO_FILTERS, kind: 'git' }), false);
  assert.equal(matchesFilters(failed, { ...NO_FILTERS, text: 'e0425' }), true, 'the output is searched, ignoring case');
  assert.equal(matchesFilters(failed, { ...NO_FILTERS, text: 'npm' }), false);
  assert.deepEqual(
    mergeEvents([event('a')], [event('a'), event('b')])
      .map((e) => e.id)
      .sort(),
    ['a', 'b'],
  );
});

test('the events store pages the history on the hub and takes live events only on the newest page', async () => {
  for (let i = 0; i < PAGE_SIZE + 10; i += 1)
    await running.hub.eventLog.record({ kind: 'system', command: `job ${i}`, exit_code: i % 2 });
  const store = createEventsStore(api);
  const disconnect = store.getState().connect();
  try {
    await until(store, (s) => s.status === 'ready' && s.health !== null);
    assert.equal(store.getState().events.length, PAGE_SIZE);
    assert.equal(store.getState().events[0]!.command, `job ${PAGE_SIZE + 9}`);
    await store.getState().setFilters({ failedOnly: true });
    assert.equal(store.getState().total, (PAGE_SIZE + 10) / 2);
    assert.ok(store.getState().events.every((e) => e.exit_code !== 0));
    await store.getState().setFilters({ failedOnly: false, kind: 'system' });
    await store.getState().olderPage();
    assert.deepEqual(
      store.getState().events.map((e) => e.command),
      Array.from({ length: 10 }, (_, i) => `job ${9 - i}`),
    );
    assert.equal(store.getState().nextCursor, null);

    // While an older page is shown, an arrival is counted, not inserted.
    await postEvent(running.url, { kind: 'system', command: 'late arrival', exit_code: 0 });
    await until(store, (s) => s.arrivedMeanwhile === 1);
    assert.ok(!store.getState().events.some((e) => e.command === 'late arrival'));
    await store.getState().newerPage();
    assert.equal(store.getState().events[0]!.command, 'late arrival');
    await postEvent(running.url, { kind: 'system', command: 'live one', exit_code: 0 });
    await until(store, (s) => s.events[0]?.command === 'live one');
    // One of another kind does not match the filter: not shown, but counted in the hub's total.
    const before = store.getState().health!.event_count;
    await postEvent(running.url, { kind: 'git', command: 'post-commit', exit_code: 0 });
    await until(store, (s) => s.health!.event_count === before + 1);
    assert.notEqual(store.getState().events[0]!.command, 'post-commit');

    await store.getState().select(store.getState().events[0]!.id);
    assert.equal(store.getState().selected?.command, 'live one');
  } finally {
    disconnect();
  }
});

test('the inbox store lists sessions with unread counts, writes into one, and marks handled; live', async () => {
  const store = createInboxStore(api);
  const disconnect = store.getState().connect();
  try {
    await until(store, (s) => s.status === 'ready');
    assert.equal(await store.getState().inject('first note', 'notes'), true);
    await until(store, (s) => s.sessions.some((x) => x.name === 'notes'));
    await store.getState().selectSession('notes');
    // From elsewhere (a hook, `hookbox send`): arrives live.
    await running.hub.inbox.inject({ session: 'notes', source: 'webhook', label: 'github', content: 'push to main' });
    await until(
      store,
      (s) => s.messages.length === 2 && unreadCount(s.sessions.find((x) => x.name === 'notes')!) === 2,
    );
    assert.deepEqual(
      store.getState().messages.map((m) => [m.content, m.source]),
      [
        ['push to main', 'webhook'],
        ['first note', 'inject'],
      ],
    );
    await store.getState().markHandled(store.getState().messages[1]!.id);
    await until(store, (s) => unreadCount(s.sessions.find((x) => x.name === 'notes')!) === 1);
    assert.equal(store.getState().messages[1]!.state, 'acked');
    assert.equal(await store.getState().inject('   '), false, 'an empty message is not sent');
  } finally {
    disconnect();
  }
});

test("the config store shows the hub's problems at their line, never saves them, and saves a valid text", async () => {
  const store = createConfigStore(api, { checkDelayMs: 10 });
  const disconnect = store.getState().connect();
  try {
    await until(store, (s) => s.status === 'ready');
    const good = store.getState().text;
    assert.match(good, /name = "github"/);
    store.getState().setText(`${good}\n[api\n`);
    await until(store, (s) => s.problems.length === 1);
    assert.equal(store.getState().problems[0]!.line, good.split('\n').length + 1);
    const refused = await store.getState().save();
    assert.equal(refused?.saved, false);
    assert.equal(readFileSync(configFile, 'utf8'), good, 'the file is untouched');

    store.getState().setText(good);
    store
      .getState()
      .addHook({ name: 'deploy', bind: '127.0.0.1:0', script: 'hooks/echo.sh', timeout: 5, session: 'ops' });
    assert.match(
      store.getState().text,
      /\n\n\[\[hooks\]\]\nname = "deploy"\nbind = "127\.0\.0\.1:0"\nscript = "hooks\/echo\.sh"\ntimeout = 5\nsession = "ops"\n$/,
    );
    const saved = await store.getState().save();
    assert.equal(saved?.saved, true, JSON.stringify(saved));
    assert.deepEqual(saved?.report?.started, ['deploy']);
    assert.equal(store.getState().savedText, store.getState().text);
    assert.ok(running.hub.hooks.status().some((h) => h.name === 'deploy' && h.state === 'listening'));
    await store.getState().loadScripts();
    assert.deepEqual(store.getState().scripts, ['hooks/echo.sh']);
  } finally {
    disconnect();
  }
});

test('the add-hook form names what is wrong, field by field', () => {
  const hook = { name: 'ok', bind: '127.0.0.1:9876', script: 'hooks/a.sh', timeout: 30, session: '' };
  assert.deepEqual(newHookProblems(hook), {});
  assert.deepEqual(
    Object.keys(
      newHookProblems({ ...hook, name: '-bad', bind: 'nope', script: ' ', timeout: 0, session: 'a b' }),
    ).sort(),
    ['bind', 'name', 'script', 'session', 'timeout'],
  );
  assert.ok(newHookProblems(hook, ['ok']).name);
  assert.ok(newHookProblems({ ...hook, bind: '127.0.0.1:70000' }).bind);
  // Quotes and backslashes stay strings in TOML.
  assert.match(hookToml({ ...hook, script: 'C:\\x "y".sh', timeout: null }), /script = "C:\\\\x \\"y\\"\.sh"$/);

  // The verifier choice: every scheme the hub knows, each with what it needs.
  assert.deepEqual(
    VERIFY_CHOICES.map((c) => c.value),
    VERIFY_SCHEMES,
  );
  assert.deepEqual(Object.keys(newHookProblems({ ...hook, verify: 'twilio' })).sort(), ['extra', 'secret']);
  assert.equal(
    hookToml({ ...hook, verify: 'stripe', secret: '${STRIPE_WHSEC}' })
      .split('\n')
      .slice(-2)
      .join('\n'),
    'verify = "stripe"\nsecrets = ["${STRIPE_WHSEC}"]',
  );
  assert.match(hookToml({ ...hook, verify: 'ed25519', secret: 'ab'.repeat(32) }), /public_key = "(ab){32}"$/);
});

test("the hooks store shows each hook's runs live, replays one and copies it as curl", async () => {
  const store = createHooksStore(api);
  const disconnect = store.getState().connect();
  try {
    await until(store, (s) => s.status === 'ready' && s.hooks.length > 0);
    const port = store.getState().hooks.find((h) => h.name === 'github')!.port!;
    await fetch(`http://127.0.0.1:${port}/push`, { method: 'POST', body: 'ping' });
    await until(store, (s) => s.runs.some((r) => r.path === '/push'));
    const run = store.getState().runs.find((r) => r.path === '/push')!;
    await store.getState().selectRun(run.id);
    assert.equal(store.getState().run?.stdout, 'ping');
    await store.getState().replayRun(run.id);
    assert.equal(store.getState().replay?.replay_of, run.id);
    await until(store, (s) => s.runs.filter((r) => r.path === '/push').length === 2);
    const curl = await store.getState().copyAsCurl(run.id);
    assert.match(curl ?? '', new RegExp(`^curl -X POST 'http://127\\.0\\.0\\.1:${port}/push'`));
    await store.getState().filterHook('nonexistent');
    assert.deepEqual(store.getState().runs, []);
  } finally {
    disconnect();
  }
});

test('the notifications store writes the rules to the config file and pauses through the hub', async () => {
  const store = createNotificationsStore(api);
  const disconnect = store.getState().connect();
  try {
    await until(store, (s) => s.view !== null);
    assert.equal(await store.getState().update({ on_long_running: false, long_running_threshold_ms: 90_000 }), true);
    const text = readFileSync(configFile, 'utf8');
    assert.match(text, /on_failure = true # keep this comment/);
    assert.match(text, /on_long_running = false/);
    assert.equal(running.hub.settings.notifications.longRunningThresholdMs, 90_000);
    await store.getState().pause(60);
    assert.equal(store.getState().view!.pause.paused, true);
    assert.equal(running.hub.notificationPause.isPaused(), true);
    // From elsewhere (the tray): pushed to the store.
    running.hub.notificationPause.resume();
    await until(store, (s) => s.view!.pause.paused === false);
  } finally {
    disconnect();
  }
});

test("the shell store installs into the hub's HOME and reports what changed where", async () => {
  const store = createShellStore(api);
  await store.getState().load();
  assert.deepEqual(
    store.getState().overview?.targets.map((t) => [t.target, t.installed]),
    [
      ['bash', false],
      ['zsh', false],
      ['fish', false],
      ['git', false],
    ],
  );
  await store.getState().install('zsh');
  const result = store.getState().results.zsh!;
  assert.deepEqual(
    result.changes.map((c) => c.path),
    [join(home, '.zshrc'), join(home, '.local/share/hookbox/shell/hookbox.zsh')],
  );
  assert.equal(store.getState().overview?.targets.find((t) => t.target === 'zsh')?.installed, true);
  await store.getState().uninstall('zsh');
  assert.equal(store.getState().overview?.targets.find((t) => t.target === 'zsh')?.installed, false);
});

test('the ui store remembers the theme and cycles system → light → dark', () => {
  const saved = new Map<string, string>();
  const storage = {
    getItem: (k: string) => saved.get(k) ?? null,
    setItem: (k: string, v: string) => void saved.set(k, v),
  };
  const ui = createUiStore({ storage });
  assert.equal(ui.getState().theme, 'system');
  ui.getState().cycleTheme();
  ui.getState().cycleTheme();
  assert.equal(ui.getState().theme, 'dark');
  assert.equal(createUiStore({ storage }).getState().theme, 'dark');
});

test('a failed load shows the error instead of an empty list', async () => {
  const failing = fakeApi({
    getHealth: () => Promise.reject(new Error('the hub is not started')),
    queryEvents: () => Promise.reject(new Error('the hub is not started')),
  });
  const store = createEventsStore(failing.api);
  store.getState().connect();
  const state = await until(store, (s) => s.status === 'error');
  assert.equal(state.error, 'the hub is not started');
});
