import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HookStatus } from '../../main/core/webhooks/hook-manager.ts';
import { HOUR_MS, trayMenuTemplate } from '../../main/electron/tray-menu.ts';
import { autostartFile, linuxLoginItem } from '../../main/electron/login-item.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const hook = (name: string, state: HookStatus['state'], extra: Partial<HookStatus> = {}): HookStatus => ({
  name,
  bind: '127.0.0.1:0',
  port: state === 'listening' ? 40123 : null,
  session: 'default',
  verify: null,
  filtered: false,
  script: '/x.sh',
  timeout_s: 30,
  state,
  error: null,
  running: 0,
  queued: 0,
  claim: null,
  ...extra,
});

test('the tray menu offers the pause, lists each hook with its state, and quits', () => {
  const calls: unknown[] = [];
  const actions = {
    open: () => calls.push('open'),
    pause: (ms: number | null) => calls.push(['pause', ms]),
    resume: () => calls.push('resume'),
    notifyNext: () => calls.push('next'),
    setStartAtLogin: (enabled: boolean) => calls.push(['login', enabled]),
    quit: () => calls.push('quit'),
  };
  const menu = trayMenuTemplate(
    {
      pause: { paused: false, until: null },
      hooks: [
        hook('github', 'listening', { running: 2 }),
        hook('jira', 'error', { error: 'cannot listen on 127.0.0.1:9000: address already in use' }),
        hook('old', 'disabled'),
      ],
      startAtLogin: false,
    },
    actions,
  );
  assert.deepEqual(
    menu.filter((i) => i.label).map((i) => i.label),
    [
      'Open Hookbox',
      'Pause notifications for 1 hour',
      'Pause notifications until resumed',
      'Notify when the next command finishes',
      'github: listening on 127.0.0.1:40123, 2 running',
      'jira: error (cannot listen on 127.0.0.1:9000: address already in use)',
      'old: disabled',
      'Start at login',
      'Quit',
    ],
  );
  assert.ok(
    menu.filter((i) => i.label?.includes(':') && !i.label.startsWith('Pause')).every((i) => i.enabled === false),
    'hook lines are information, not actions',
  );
  menu.find((i) => i.label === 'Pause notifications for 1 hour')!.click!();
  menu.find((i) => i.label === 'Pause notifications until resumed')!.click!();
  menu.find((i) => i.label === 'Notify when the next command finishes')!.click!();
  const login = menu.find((i) => i.label === 'Start at login')!;
  assert.deepEqual([login.type, login.checked], ['checkbox', false]);
  login.click!();
  menu.find((i) => i.label === 'Quit')!.click!();
  assert.deepEqual(calls, [['pause', HOUR_MS], ['pause', null], 'next', ['login', true], 'quit']);

  const paused = trayMenuTemplate({ pause: { paused: true, until: null }, hooks: [], startAtLogin: true }, actions);
  assert.deepEqual(
    paused.filter((i) => i.label).map((i) => i.label),
    [
      'Open Hookbox',
      'Notifications paused until resumed',
      'Resume notifications',
      'Notify when the next command finishes',
      'No webhook hooks configured',
      'Start at login',
      'Quit',
    ],
  );
  assert.equal(paused.find((i) => i.label === 'Start at login')?.checked, true);
});

test('start at login on Linux is an XDG autostart entry that starts the app hidden', () => {
  const home = mkdtempSync(join(tmpdir(), 'hookbox-login-'));
  try {
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'cfg') };
    const item = linuxLoginItem('/opt/Hook Box/hookbox-desktop', env);
    assert.equal(item.get(), false);
    item.set(true);
    const file = autostartFile(env);
    assert.equal(file, join(home, 'cfg', 'autostart', 'hookbox.desktop'));
    assert.equal(item.get(), true);
    const entry = readFileSync(file, 'utf8');
    assert.match(entry, /^\[Desktop Entry\]\nType=Application\nName=Hookbox\n/);
    assert.match(entry, /\nExec="\/opt\/Hook Box\/hookbox-desktop" --hidden\n/);
    item.set(true);
    item.set(false);
    assert.equal(item.get(), false);
    assert.equal(autostartFile({ HOME: home }), join(home, '.config', 'autostart', 'hookbox.desktop'));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
