import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { installShellIntegration } from '../../main/core/shell/shell-installer.ts';
import { startHub } from '../helpers/hub-fixture.ts';
import { eventually } from '../helpers/http-receiver.ts';
import { HOOKBOX_CLI } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitForCount } from '../core/shell/event-polling.ts';
import { TmuxShell, prepareHome, shellArgv, shellEnv, waitForPrompt } from '../core/shell/tmux-shell.ts';

// `hookbox notify-next`, typed in a real shell: the next command line of that shell notifies
// (a quick success no rule would report), once; the line that armed it does not.

for (const shell of ['bash', 'fish'] as const) {
  test(`${shell}: hookbox notify-next notifies the next command of that shell, once`, async () => {
    const home = prepareHome(shell);
    const hub = await startHub({ env: { HOME: home, XDG_DATA_HOME: join(home, '.local/share') } });
    installShellIntegration(shell, { home, env: { HOME: home }, baseUrl: hub.url });
    const env = shellEnv(home, { AGENTD_PORT: String(hub.address.port) });
    const session = await TmuxShell.start({ argv: shellArgv(shell), env, cwd: tempDir() });
    await waitForPrompt(session);

    await session.line(`${process.execPath} ${HOOKBOX_CLI} --data-dir ${hub.dataDir} notify-next`);
    await session.waitForScreen((s) => s.includes('the next command that ends in this shell will notify'), 'armed');
    await waitForCount(hub.url, 1, 'the arming line');
    await session.line('echo one');
    await session.line('echo two');
    await session.line('false');
    await eventually(() => hub.notifier.shown.length === 2, 'two notifications');
    assert.deepEqual(
      hub.notifier.shown.map((n) => n.message.replace(/\d+ ms/, 'N ms')),
      ['Done in N ms: echo one', 'Failed (exit 1): false'],
    );
    const events = await waitForCount(hub.url, 4, 'all four events');
    assert.equal(hub.hub.notifications.forEvent(events[1]!.id)[0]?.rule, 'next_command');
  });
}

test('POST /notify-next without pids (the tray, --any): the next shell command anywhere, once; the token is required', async () => {
  const hub = await startHub();
  const arm = (token?: string) =>
    fetch(`${hub.url}/notify-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: '{}',
    });
  assert.equal((await arm()).status, 401);
  assert.equal((await arm(hub.hub.controlToken)).status, 200);
  const post = (command: string) =>
    fetch(`${hub.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'shell', command, exit_code: 0, duration_ms: 5, metadata: { pid: 4242 } }),
    });
  await post('ls');
  await post('ls again');
  await fetch(`${hub.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'shell', command: 'false', exit_code: 1 }),
  });
  // The failure's notification comes after any the two before could have raised.
  await eventually(() => hub.notifier.shown.length === 2, 'the one-shot and the failure notification');
  assert.deepEqual(
    hub.notifier.shown.map((n) => n.message),
    ['Done in 5 ms: ls', 'Failed (exit 1): false'],
  );
});
