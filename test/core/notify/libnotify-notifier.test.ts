import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../../main/core/logger.ts';
import { createHeadlessNotifier, createLibnotifyNotifier } from '../../../main/core/notify/libnotify-notifier.ts';
import { postEvent } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { missingDesktopTools, startNotificationDaemon } from '../../helpers/notification-daemon.ts';
import { startServe } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// CI installs dunst, libnotify-bin, dbus and xvfb; on a machine without them this file says so
// instead of pretending to pass.
const missing = missingDesktopTools();
const skip = missing.length > 0 && !process.env.CI ? `needs ${missing.join(', ')}` : false;

describe('libnotify notifier against a real notification daemon (dunst)', { skip }, () => {
  test('notify-send delivers title, message and urgency', async () => {
    const daemon = await startNotificationDaemon();
    const notifier = createLibnotifyNotifier({ env: daemon.env });
    await notifier.notify({
      title: 'Command failed',
      message: 'Failed (exit 2) after 1m 5s: cargo build',
      priority: 'high',
      eventId: 'e1',
    });
    await notifier.notify({
      title: 'Command finished',
      message: "Done in 45 s: echo 'quotes' $HOME `x`",
      priority: 'normal',
      eventId: 'e2',
    });
    await eventually(() => daemon.shown().length === 2, 'two notifications in dunst');
    assert.deepEqual(daemon.shown(), [
      {
        appname: 'Hookbox',
        summary: 'Command failed',
        body: 'Failed (exit 2) after 1m 5s: cargo build',
        urgency: 'CRITICAL',
      },
      {
        appname: 'Hookbox',
        summary: 'Command finished',
        body: "Done in 45 s: echo 'quotes' $HOME `x`",
        urgency: 'NORMAL',
      },
    ]);
  });

  test('the headless choice is libnotify with a session bus and the log without one', async () => {
    const daemon = await startNotificationDaemon();
    assert.equal(createHeadlessNotifier(silentLogger(), daemon.env).channel, 'libnotify');
    assert.equal(createHeadlessNotifier(silentLogger(), { PATH: daemon.env.PATH }).channel, 'log');
    assert.equal(createHeadlessNotifier(silentLogger(), { ...daemon.env, PATH: tempDir() }).channel, 'log');
  });

  test('a failure without a daemon is reported, not swallowed', async () => {
    const notifier = createLibnotifyNotifier({
      env: { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: `unix:path=${tempDir()}/nobus` },
      timeoutMs: 5_000,
    });
    await assert.rejects(notifier.notify({ title: 't', message: 'm', priority: 'low', eventId: 'e' }));
  });

  test('hookbox serve on a desktop session notifies a failed command through dunst', async () => {
    const daemon = await startNotificationDaemon();
    const serve = await startServe(['--port', '0', '--data-dir', tempDir()], daemon.env);
    await eventually(() => /notifications: libnotify/.test(serve.output()), 'serve to report the libnotify channel');
    const { status } = await postEvent(serve.url, {
      kind: 'shell',
      command: 'npm test',
      exit_code: 1,
      duration_ms: 12_000,
    });
    assert.equal(status, 200);
    await eventually(() => daemon.shown().length === 1, 'the notification in dunst', 30_000);
    assert.deepEqual(daemon.shown()[0], {
      appname: 'Hookbox',
      summary: 'Command failed',
      body: 'Failed (exit 1) after 12 s: npm test',
      urgency: 'CRITICAL',
    });
    assert.equal(await serve.stop(), 0);
  });
});
