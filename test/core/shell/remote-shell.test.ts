import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { after, test } from 'node:test';
import { installShellIntegration } from '../../../main/core/shell/shell-installer.ts';
import { shellSpoolDir } from '../../../main/core/shell/shell-spool.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { listEvents, waitForCount } from './event-polling.ts';
import { TmuxShell, prepareHome, shellArgv, shellEnv, waitForPrompt } from './tmux-shell.ts';

// A shell on a remote host reporting over `ssh -R PORT:127.0.0.1:PORT` (docs/shell-notifications.md),
// as far as one machine can show it: a home where no Hookbox ever ran (no spool), its own hostname,
// HOOKBOX_URL set to the forwarded address. And a TCP forward to a different port number (what
// `ssh -R 27002:127.0.0.1:17002` is) is refused by the hub's Host check: the port must match.

/** A plain TCP forwarder on 127.0.0.1 (what sshd does for -R), to `port`. */
async function forwarder(port: number): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`${shell} on a "remote" host: HOOKBOX_URL to the forwarded port, events carry the remote hostname`, async () => {
    const hub = await startHub();
    const remoteHome = prepareHome(shell);
    // Installed from the hub's own script (curl $HOOKBOX_URL/shell/SHELL on the remote host).
    installShellIntegration(shell, { home: remoteHome, env: { HOME: remoteHome }, baseUrl: hub.url });
    const env = shellEnv(remoteHome, {
      HOOKBOX_URL: hub.url,
      ...(shell === 'bash' ? { HOSTNAME: 'remote-box' } : shell === 'zsh' ? { HOST: 'remote-box' } : {}),
    });
    const session = await TmuxShell.start({ argv: shellArgv(shell), env, cwd: tempDir() });
    await waitForPrompt(session);
    await session.line('echo from-remote');
    const [event] = await waitForCount(hub.url, 1, 'the remote event');
    assert.equal(event!.command, 'echo from-remote');
    // fish reads the machine's name itself ($hostname): only bash and zsh can be given another here.
    assert.equal(event!.metadata.hostname, shell === 'fish' ? hostname() : 'remote-box');
    assert.match(String(event!.metadata.tty), /^\/dev\/pts\/\d+$/);
    // Nothing went through a spool on the "remote" side.
    assert.equal(existsSync(shellSpoolDir(hub.address.port, {}, remoteHome)), false);
  });
}

test('a forward to another port number is refused by the Host check (forward the same port)', async () => {
  const hub = await startHub();
  const other = await forwarder(hub.address.port);
  const body = JSON.stringify({ kind: 'shell', command: 'true', exit_code: 0 });
  const refused = await fetch(`http://127.0.0.1:${other}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  assert.equal(refused.status, 403);
  assert.equal(((await refused.json()) as { error: string }).error, 'forbidden_host');
  // The same bytes with the hub's own port in Host (ssh -R PORT:127.0.0.1:PORT) are taken.
  const taken = await fetch(`${hub.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  assert.equal(taken.status, 200);
  assert.deepEqual(
    (await listEvents(hub.url)).map((e) => e.command),
    ['true'],
  );
});
