import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { closedPort } from '../helpers/http-receiver.ts';
import { runCli, startServe } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { hasDesktop, openCommand, OPEN_WINDOW_FILE } from '../../main/cli/commands/open-command.ts';

// `hookbox open`: the signed-in window address, shown only to the user who asks for it.

describe('hookbox open against a running serve', async () => {
  const dataDir = tempDir();
  const env = { XDG_CONFIG_HOME: tempDir() };
  const serve = await startServe(['--port', '0', '--data-dir', dataDir], env);
  const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();
  const flags = { dataDir, port: serve.port };

  test('--print prints the address with the token, and that token opens the control API', async () => {
    const result = await runCli(['open', '--print', '--data-dir', dataDir, '--port', String(serve.port)], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${serve.url}/#token=${token}\n`);
    const printed = decodeURIComponent(result.stdout.trim().split('#token=')[1]!);
    assert.equal(
      (await fetch(`${serve.url}/sessions`, { headers: { authorization: `Bearer ${printed}` } })).status,
      200,
    );
  });

  test('with a desktop it opens a 0600 redirect page, so the token is on no command line', async () => {
    const opened: string[] = [];
    const stdout = new PassThrough();
    await openCommand(flags, {
      stdout,
      openFile: async (path) => void opened.push(path),
      env: { DISPLAY: ':0' },
      platform: 'linux',
    });
    stdout.end();
    const page = join(dataDir, OPEN_WINDOW_FILE);
    assert.deepEqual(opened, [page]);
    assert.equal(statSync(page).mode & 0o777, 0o600);
    assert.match(
      readFileSync(page, 'utf8'),
      new RegExp(`<meta http-equiv="refresh" content="0;url=${serve.url.replace(/\./g, '\\.')}/#token=${token}">`),
    );
    const said = await text(stdout);
    assert.match(said, /opening the Hookbox window/);
    assert.ok(!said.includes(token), 'the token is not printed when a browser opens');
  });

  test('without a desktop session it prints the address instead of starting a browser', async () => {
    const stdout = new PassThrough();
    await openCommand(flags, {
      stdout,
      openFile: () => Promise.reject(new Error('must not open')),
      env: {},
      platform: 'linux',
    });
    stdout.end();
    assert.equal(await text(stdout), `${serve.url}/#token=${token}\n`);
  });

  test("a data dir without the running hub's token is refused with one line naming the file", async () => {
    const otherDir = tempDir();
    const missing = await runCli(['open', '--print', '--data-dir', otherDir, '--port', String(serve.port)], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.equal(
      missing.stderr,
      `hookbox: error: no control token in ${join(otherDir, 'control-token')}; give the --data-dir the running Hookbox uses\n`,
    );

    // Another hub's token (its own data dir) does not open this one.
    const other = await startServe(['--port', '0', '--data-dir', otherDir], env);
    await other.stop();
    const wrong = await runCli(['open', '--print', '--data-dir', otherDir, '--port', String(serve.port)], env);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /the token in .*control-token is not the running Hookbox's/);
  });

  test('nothing running on the port: a clear error', async () => {
    const port = await closedPort();
    const result = await runCli(['open', '--print', '--data-dir', dataDir, '--port', String(port)], env);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `hookbox: error: Hookbox is not running (nothing answers on http://127.0.0.1:${port}); start it with: hookbox serve (or the desktop app)\n`,
    );
  });

  test('a desktop session is a display, Wayland, WSL, macOS or Windows', () => {
    assert.equal(hasDesktop({}, 'linux'), false);
    assert.equal(hasDesktop({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux'), true);
    assert.equal(hasDesktop({ WSL_DISTRO_NAME: 'Ubuntu' }, 'linux'), true);
    assert.equal(hasDesktop({}, 'darwin'), true);
  });

  test.after(() => serve.stop());
});
