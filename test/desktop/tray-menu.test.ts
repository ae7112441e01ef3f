import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HookStatus } from '../../main/core/webhooks/hook-manager.ts';
import { HOUR_MS, trayMenuTemplate } from '../../main/electron/tray-menu.ts';

const hook = (name: string, state: HookStatus['state'], extra: Partial<HookStatus> = {}): HookStatus => ({
  name,
  bind: '127.0.0.1:0',
  port: state === 'listening' ? 40123 : null,
  session: 'default',
  script: '/x.sh',
  timeout_s: 30,
  state,
  error: null,
  running: 0,
  queued: 0,
  ...extra,
});

test('the tray menu offers the pause, lists each hook with its state, and quits', () => {
  const calls: unknown[] = [];
  const actions = { open: () => calls.push('open'), pause: (ms: number | null) => calls.push(['pause', ms]), resume: () => calls.push('resume'), quit: () => calls.push('quit') };
  const menu = trayMenuTemplate(
    { pause: { paused: false, until: null }, hooks: [hook('github', 'listening', { running: 2 }), hook('jira', 'error', { error: 'cannot listen on 127.0.0.1:9000: address already in use' }), hook('old', 'disabled')] },
    actions,
  );
  assert.deepEqual(
    menu.filter((i) => i.label).map((i) => i.label),
    ['Open Hookbox', 'Pause notifications for 1 hour', 'Pause notifications until resumed', 'github: listening on 127.0.0.1:40123, 2 running', 'jira: error (cannot listen on 127.0.0.1:9000: address already in use)', 'old: disabled', 'Quit'],
  );
  assert.ok(menu.filter((i) => i.label?.includes(':') && !i.label.startsWith('Pause')).every((i) => i.enabled === false), 'hook lines are information, not actions');
  menu.find((i) => i.label === 'Pause notifications for 1 hour')!.click!();
  menu.find((i) => i.label === 'Pause notifications until resumed')!.click!();
  menu.find((i) => i.label === 'Quit')!.click!();
  assert.deepEqual(calls, [['pause', HOUR_MS], ['pause', null], 'quit']);

  const paused = trayMenuTemplate({ pause: { paused: true, until: null }, hooks: [] }, actions);
  assert.deepEqual(paused.filter((i) => i.label).map((i) => i.label), ['Open Hookbox', 'Notifications paused until resumed', 'Resume notifications', 'No webhook hooks configured', 'Quit']);
});
