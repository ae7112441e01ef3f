// Claude Code's Notification hook ("Claude needs your input") raises a desktop notification; a
// click on it brings forward the terminal the session runs in. Real pieces end to end: `hookbox
// serve` on a private D-Bus with dunst (test/helpers/notification-daemon.ts), the hook command run
// from inside a tmux server of the test's own, and the click made by dunst itself (`dunstctl
// action`, the notification's default action, as a mouse click does).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findOnPath } from '../../../main/core/notify/libnotify-notifier.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { missingDesktopTools, startNotificationDaemon } from '../../helpers/notification-daemon.ts';
import { runCli, startServe } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { claudeSamples } from './fixtures/claude-inputs.ts';

const missing = [...missingDesktopTools(), ...['tmux', 'dunstctl'].filter((tool) => !findOnPath(tool))];
const skip = missing.length > 0 && !process.env.CI ? `needs ${missing.join(', ')}` : false;

/** A tmux server on a socket of its own: session "work" with the agent's window and another one in front. */
function startTmux() {
  const socket = join(tempDir('hookbox-tmux-'), 'tmux.sock');
  const { TMUX: _outer, TMUX_PANE: _outerPane, ...env } = process.env;
  const tmux = (...args: string[]) => {
    const result = spawnSync('tmux', ['-S', socket, ...args], { env, encoding: 'utf8' });
    assert.equal(result.status, 0, `tmux ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  tmux('new-session', '-d', '-s', 'work', '-n', 'agent', '-x', '80', '-y', '24');
  after(() => spawnSync('tmux', ['-S', socket, 'kill-server'], { env }));
  const pane = tmux('display-message', '-p', '-t', 'work:agent', '#{pane_id}');
  tmux('new-window', '-t', 'work', '-n', 'other');
  return { socket, pane, current: () => tmux('display-message', '-p', '-t', 'work', '#{window_name}') };
}

// One desktop for the file: a second Xvfb on the same display number could start while the first
// is still going away.
const daemon = skip ? undefined : await startNotificationDaemon();

describe('a click on an agent notification', { skip }, () => {
  test("Claude's Notification: shown by the desktop, a click brings the session's tmux window forward", async () => {
    const tmux = startTmux();
    assert.equal(tmux.current(), 'other');

    const dataDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir], daemon!.env);
    await eventually(() => /notifications: libnotify/.test(serve.output()), 'serve to report libnotify', 60_000);
    // The hook as Claude Code runs it from a pane of that tmux (its environment passed on).
    const hook = await runCli(
      ['--data-dir', dataDir, 'agent-hook', 'claude', '--port', String(serve.port)],
      { TMUX: `${tmux.socket},4242,0`, TMUX_PANE: tmux.pane },
      JSON.stringify(claudeSamples.notification),
    );
    assert.deepEqual(hook, { code: 0, stdout: '', stderr: '' });
    await eventually(
      () => daemon!.shown().some((n) => n.body === 'Claude needs your permission to use Bash'),
      'the notification on the desktop',
      60_000,
    );
    const shown = daemon!.shown().find((n) => n.body === 'Claude needs your permission to use Bash')!;
    assert.equal(shown.appname, 'Hookbox');
    assert.match(shown.summary, /^Claude Code/);
    assert.equal(shown.urgency, 'CRITICAL', 'a permission prompt is high priority');
    assert.equal(tmux.current(), 'other', 'nothing moves before the click');

    const click = spawnSync('dunstctl', ['action', '0'], { env: daemon!.env, encoding: 'utf8' });
    assert.equal(click.status, 0, click.stderr);
    await eventually(() => tmux.current() === 'agent', "the agent's tmux window in front", 60_000);
    assert.equal(await serve.stop(), 0);
  });

  test('a hook that names no terminal: the click says how to open the window', async () => {
    const dataDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir], daemon!.env);
    await eventually(() => /notifications: libnotify/.test(serve.output()), 'serve to report libnotify', 60_000);
    const hook = await runCli(
      ['--data-dir', dataDir, 'agent-hook', 'claude', '--port', String(serve.port)],
      { TMUX: '', TMUX_PANE: '', WINDOWID: '' },
      JSON.stringify({ ...claudeSamples.notification, message: 'Claude is waiting for your input' }),
    );
    assert.equal(hook.code, 0, hook.stderr);
    await eventually(
      () => daemon!.shown().some((n) => n.body === 'Claude is waiting for your input'),
      'the notification on the desktop',
      60_000,
    );
    const click = spawnSync('dunstctl', ['action', '0'], { env: daemon!.env, encoding: 'utf8' });
    assert.equal(click.status, 0, click.stderr);
    await eventually(
      () => /notification clicked: `hookbox open` shows the window/.test(serve.output()),
      'the note',
      60_000,
    );
    assert.equal(await serve.stop(), 0);
  });
});
