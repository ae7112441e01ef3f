import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { findOnPath } from '../../../main/core/notify/libnotify-notifier.ts';
import { x11Probe } from '../../../main/core/notify/focus/x11-focus.ts';
import { missingDesktopTools, startNotificationDaemon } from '../../helpers/notification-daemon.ts';

// The X11 focus probe against a real X server (Xvfb, from the notification stack): the window
// manager's _NET_ACTIVE_WINDOW is set on the root window by hand (Xvfb runs no window manager),
// and the probe compares it with the WINDOWID a shell sends.

const missing = [...missingDesktopTools(), ...['xprop', 'xwininfo'].filter((tool) => !findOnPath(tool))];
const skip = missing.length > 0 && !process.env.CI ? `needs ${missing.join(', ')}` : false;

describe('X11 focus: _NET_ACTIVE_WINDOW against WINDOWID', { skip }, () => {
  test('the same window is in front, another or none is not; without DISPLAY or a window id it cannot tell', async () => {
    const { env } = await startNotificationDaemon();
    const setActive = (id: string) =>
      execFileSync('xprop', ['-root', '-f', '_NET_ACTIVE_WINDOW', '32x', '-set', '_NET_ACTIVE_WINDOW', id], { env });
    const probe = x11Probe(env);
    setActive('0x123');
    assert.equal(await probe.check({ window_id: String(0x123) }), 'focused');
    setActive('0x0');
    assert.equal(await probe.check({ window_id: String(0x123) }), 'unfocused');
    // The root window is active (no window inside it is ours).
    const root = /Window id: (0x[0-9a-f]+)/.exec(execFileSync('xwininfo', ['-root'], { env, encoding: 'utf8' }))![1]!;
    setActive(root);
    assert.equal(await probe.check({ window_id: String(0x123) }), 'unfocused');
    assert.equal(await probe.check({}), 'unknown');
    assert.equal(await probe.check({ window_id: 'not-a-number' }), 'unknown');
    const { DISPLAY: _display, ...noDisplay } = env;
    assert.equal(await x11Probe(noDisplay).check({ window_id: '291' }), 'unknown');
  });
});
