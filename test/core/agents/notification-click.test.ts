// Claude Code's Notification hook ("Claude needs your input") raises a desktop notification; a
// click on it brings forward the terminal the session runs in. Real pieces end to end: `hookbox
// serve` on a private D-Bus with dunst (test/helpers/notification-daemon.ts), the hook command run
// from inside a tmux server of the test's own, and the click made by dunst itself (`dunstctl
// action`, the notification's default action, as a mouse click does).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
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

const x11Missing = ['openbox', 'xdotool', 'xmessage', 'xprop'].filter((tool) => !findOnPath(tool));
const x11Skip = skip || (x11Missing.length > 0 && !process.env.CI ? `needs ${x11Missing.join(', ')}` : false);

/**
 * Openbox on the test's display (Xvfb runs no window manager, and only one that follows EWMH moves
 * _NET_ACTIVE_WINDOW when asked) and two windows standing for terminals (xmessage): the
 * agent's, then another one in front of it.
 */
async function startX11Terminals(env: NodeJS.ProcessEnv) {
  const started = [spawn('openbox', ['--sm-disable'], { env, stdio: 'ignore' })];
  after(() => {
    for (const child of started) child.kill();
  });
  const activeWindow = () => {
    const out = spawnSync('xprop', ['-root', '_NET_ACTIVE_WINDOW'], { env, encoding: 'utf8' }).stdout;
    const id = /window id # (0x[0-9a-f]+)/.exec(out)?.[1];
    return id ? String(Number.parseInt(id, 16)) : null;
  };
  const openWindow = async (name: string) => {
    started.push(spawn('xmessage', ['-name', name, name], { env, stdio: 'ignore' }));
    let id = '';
    await eventually(
      () => {
        id = spawnSync('xdotool', ['search', '--classname', `^${name}$`], { env, encoding: 'utf8' }).stdout.trim();
        return id !== '';
      },
      `the ${name} window`,
      60_000,
    );
    return id.split('\n')[0]!;
  };
  // The window manager is up once it announces EWMH support on the root window.
  await eventually(
    () => /_NET_SUPPORTED/.test(spawnSync('xprop', ['-root'], { env, encoding: 'utf8' }).stdout),
    'openbox to manage the display',
    60_000,
  );
  const agent = await openWindow('agentterm');
  const other = await openWindow('otherterm');
  spawnSync('xdotool', ['windowactivate', other], { env });
  await eventually(() => activeWindow() === other, 'the other window in front', 60_000);
  return { agent, other, activeWindow };
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

  test("Claude's Notification from an X11 terminal (WINDOWID): a click raises and focuses that window", {
    skip: x11Skip,
  }, async () => {
    const x11 = await startX11Terminals(daemon!.env);
    const dataDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir], daemon!.env);
    await eventually(() => /notifications: libnotify/.test(serve.output()), 'serve to report libnotify', 60_000);
    const message = 'Claude needs your permission to use Edit';
    const hook = await runCli(
      ['--data-dir', dataDir, 'agent-hook', 'claude', '--port', String(serve.port)],
      { TMUX: '', TMUX_PANE: '', WINDOWID: x11.agent },
      JSON.stringify({ ...claudeSamples.notification, message }),
    );
    assert.deepEqual(hook, { code: 0, stdout: '', stderr: '' });
    await eventually(() => daemon!.shown().some((n) => n.body === message), 'the notification on the desktop', 60_000);
    assert.equal(x11.activeWindow(), x11.other, 'nothing moves before the click');

    const click = spawnSync('dunstctl', ['action', '0'], { env: daemon!.env, encoding: 'utf8' });
    assert.equal(click.status, 0, click.stderr);
    await eventually(() => x11.activeWindow() === x11.agent, "the agent's terminal window in front", 60_000);
    assert.doesNotMatch(serve.output(), /`hookbox open` shows the window/);
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
