import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HOOK_OUTCOMES } from '../../main/core/webhooks/hook-run-store.ts';
import {
  attentionSummary,
  createTrayAttention,
  isFailedHookRun,
  trayIconFile,
  type TrayAttentionState,
} from '../../main/electron/tray-attention.ts';
import { REPO_ROOT } from '../helpers/serve-process.ts';

function tracker(looking = false) {
  const window = { looking };
  const changes: TrayAttentionState[] = [];
  const attention = createTrayAttention({ looking: () => window.looking, onChange: (state) => changes.push(state) });
  return { attention, changes, window, badges: () => changes.map((c) => c.badge) };
}

test('unread messages badge the tray until the window is seen; a failure outranks them', () => {
  const { attention, badges, changes } = tracker();
  attention.message({ id: 'm1', state: 'queued' });
  attention.message({ id: 'm1', state: 'queued' }); // the same message again (a redelivery) counts once
  attention.message({ id: 'm2', state: 'queued' });
  assert.deepEqual(attention.state(), { unread: 2, failures: 0, badge: 'unread' });
  attention.event({ exit_code: 0 });
  attention.hookRun({ outcome: 'injected' });
  assert.equal(attention.state().badge, 'unread', 'successes do not badge');
  attention.event({ exit_code: 2 });
  assert.deepEqual(attention.state(), { unread: 2, failures: 1, badge: 'failure' });
  assert.equal(attentionSummary(attention.state()), '2 new messages, 1 failure');
  attention.seen();
  assert.deepEqual(attention.state(), { unread: 0, failures: 0, badge: 'none' });
  assert.deepEqual(badges(), ['unread', 'unread', 'failure', 'none']);
  attention.seen();
  assert.equal(changes.length, 4, 'seeing nothing new changes nothing');
});

test('a message handled elsewhere no longer waits; the badge goes when the last one is handled', () => {
  const { attention } = tracker();
  attention.message({ id: 'm1', state: 'queued' });
  attention.message({ id: 'm2', state: 'acked' });
  assert.equal(attention.state().unread, 1, 'an already handled message is not news');
  attention.handled({ id: 'm1' });
  assert.deepEqual(attention.state(), { unread: 0, failures: 0, badge: 'none' });
});

test('failed hook runs badge the tray, as the Hooks view colours them', () => {
  const { attention } = tracker();
  const failed = HOOK_OUTCOMES.filter((outcome) => isFailedHookRun({ outcome }));
  assert.deepEqual(failed, ['failed', 'timeout', 'output_limit', 'spawn_error', 'body_too_large', 'internal_error']);
  attention.hookRun({ outcome: 'bad_signature' });
  assert.equal(attention.state().badge, 'none', 'a refused caller is not a failure of the hook');
  attention.hookRun({ outcome: 'timeout' });
  assert.deepEqual(attention.state(), { unread: 0, failures: 1, badge: 'failure' });
});

test('nothing is counted while the window is in front', () => {
  const { attention, changes, window } = tracker(true);
  attention.message({ id: 'm1', state: 'queued' });
  attention.event({ exit_code: 1 });
  attention.hookRun({ outcome: 'failed' });
  assert.deepEqual(changes, []);
  window.looking = false;
  attention.event({ exit_code: 1 });
  assert.equal(attention.state().badge, 'failure');
});

test('the icon file follows the panel and the badge, and every file named exists', () => {
  const cases = [
    [
      { platform: 'linux', darkPanel: false, badge: 'none' },
      { file: 'tray-dark.png', template: false },
    ],
    [
      { platform: 'linux', darkPanel: true, badge: 'none' },
      { file: 'tray-light.png', template: false },
    ],
    [
      { platform: 'linux', darkPanel: true, badge: 'unread' },
      { file: 'tray-light-unread.png', template: false },
    ],
    [
      { platform: 'win32', darkPanel: false, badge: 'failure' },
      { file: 'tray-dark-failure.png', template: false },
    ],
    // A template image is one colour: the badge needs the coloured file.
    [
      { platform: 'darwin', darkPanel: true, badge: 'none' },
      { file: 'tray-dark.png', template: true },
    ],
    [
      { platform: 'darwin', darkPanel: true, badge: 'failure' },
      { file: 'tray-light-failure.png', template: false },
    ],
  ] as const;
  for (const [input, expected] of cases) {
    const chosen = trayIconFile(input);
    assert.deepEqual(chosen, expected, JSON.stringify(input));
    assert.ok(existsSync(join(REPO_ROOT, 'resources', chosen.file)), chosen.file);
    assert.ok(existsSync(join(REPO_ROOT, 'resources', chosen.file.replace('.png', '@2x.png'))), `${chosen.file} @2x`);
  }
});
