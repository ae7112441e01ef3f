import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { postEvent } from '../helpers/hub-fixture.ts';
import { eventually } from '../helpers/http-receiver.ts';
import { HOOKBOX_CLI, runCli, startServe } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('hookbox serve', () => {
  test('says where it listens, the data dir and the config file, then stops cleanly on SIGINT', async () => {
    const dataDir = tempDir();
    const configDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir], { XDG_CONFIG_HOME: configDir });
    await eventually(() => /config: /.test(serve.output()), 'the config line');
    assert.match(
      serve.output(),
      new RegExp(`Hookbox \\d+\\.\\d+\\.\\d+ listening on http://127\\.0\\.0\\.1:${serve.port}`),
    );
    assert.match(serve.output(), new RegExp(`data dir: ${dataDir}`));
    assert.match(
      serve.output(),
      new RegExp(`config: ${join(configDir, 'hookbox', 'config.toml')} \\(not found; defaults in use\\)`),
    );
    assert.equal((await postEvent(serve.url, { kind: 'shell', command: 'true', exit_code: 0 })).status, 200);
    assert.equal(await serve.stop('SIGINT'), 0);
    assert.match(serve.output(), /SIGINT: stopping[\s\S]*stopped/);
    // The database was closed: SQLite removes the WAL file when the last connection closes cleanly.
    assert.equal(existsSync(join(dataDir, 'hookbox.db-wal')), false);
  });

  test('a request in flight when SIGTERM arrives still completes and is stored', async () => {
    const dataDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir]);
    const body = JSON.stringify({ kind: 'shell', command: 'in-flight', exit_code: 0 });
    const socket = connect(serve.port, '127.0.0.1');
    await once(socket, 'connect');
    let response = '';
    socket.on('data', (c: Buffer) => (response += c.toString()));
    socket.write(
      `POST /events HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const stopped = serve.stop('SIGTERM');
    await eventually(() => /SIGTERM: stopping/.test(serve.output()), 'serve to start stopping');
    socket.write(body.slice(10));
    await eventually(() => response.includes('Event recorded'), 'the response to the in-flight request');
    assert.match(response, /^HTTP\/1\.1 200/);
    assert.equal(await stopped, 0);
    const db = new Database(join(dataDir, 'hookbox.db'), { readonly: true });
    assert.equal(
      (db.prepare("SELECT count(*) AS n FROM events WHERE command = 'in-flight'").get() as { n: number }).n,
      1,
    );
    db.close();
  });

  test('SIGTERM the moment it says where it listens still stops it cleanly (the spool says stopped)', async () => {
    // The race a service manager or a script hits: the signal comes before the rest of the start-up lines.
    const dataDir = tempDir();
    const dataHome = tempDir();
    const child = spawn(process.execPath, [HOOKBOX_CLI, 'serve', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, AGENTD_LOG_FORMAT: 'text', XDG_DATA_HOME: dataHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let port = 0;
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match && port === 0) {
        port = Number(match[1]);
        child.kill('SIGTERM');
      }
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    assert.deepEqual([code, signal], [0, null], output);
    assert.match(output, /SIGTERM: stopping[\s\S]*stopped/);
    // A port-0 hub's spool folder goes with it; what matters is it was stopped, not killed.
    assert.equal(existsSync(join(dataHome, 'hookbox/shell-spool', String(port), 'accepting')), false);
  });

  test('AGENTD_LOG_FORMAT=json logs one JSON object per line', async () => {
    const serve = await startServe(['--port', '0', '--data-dir', tempDir()], { AGENTD_LOG_FORMAT: 'json' });
    await eventually(() => /notifications: /.test(serve.output()), 'the start-up lines');
    const lines = serve.output().trim().split('\n');
    for (const line of lines) assert.equal(typeof JSON.parse(line).msg, 'string', line);
    await serve.stop();
  });

  const startupErrors: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
    [
      'AGENTD_PORT=abc',
      [],
      { AGENTD_PORT: 'abc' },
      /^hookbox: error: invalid AGENTD_PORT="abc": must be a whole number between 0 and 65535\n$/,
    ],
    [
      'a negative threshold',
      [],
      { AGENTD_LONG_RUNNING_THRESHOLD_MS: '-100' },
      /^hookbox: error: invalid AGENTD_LONG_RUNNING_THRESHOLD_MS="-100"/,
    ],
    ['--port abc', ['--port', 'abc'], {}, /--port must be a whole number between 0 and 65535 \(got 'abc'\)/],
    [
      'a missing --config file',
      ['--config', '/nonexistent/hookbox.toml'],
      {},
      /^hookbox: error: \/nonexistent\/hookbox\.toml: cannot read config file: file not found\n$/,
    ],
  ];
  for (const [name, args, env, message] of startupErrors) {
    test(`refuses to start on ${name}, with one clear line`, async () => {
      const result = await runCli(['serve', '--data-dir', tempDir(), ...args], env);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  test('refuses a broken config file naming the file, line and column', async () => {
    const config = join(tempDir(), 'config.toml');
    writeFileSync(config, '[notifications]\non_failure = tru\n');
    const result = await runCli(['serve', '--config', config, '--data-dir', tempDir()]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^hookbox: error: ${config}:2:\\d+: `));
  });

  test('refuses a hook whose verifier cannot work, naming the hook and the key, without the secret', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.toml');
    writeFileSync(join(dir, 'hook.sh'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(
      config,
      '[[hooks]]\nname = "pay"\nbind = "127.0.0.1:0"\nscript = "hook.sh"\nverify = "standard-webhooks"\nsecret = "whsec_top secret!"\n',
    );
    const result = await runCli(['serve', '--config', config, '--data-dir', tempDir()]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `hookbox: error: ${config}: hook 'pay': 'secrets': a Standard Webhooks secret is "whsec_" followed by base64\n`,
    );
  });

  test('a port already in use is one clear line', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    const result = await runCli(['serve', '--port', String(port), '--data-dir', tempDir()]);
    blocker.close();
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`hookbox: error: cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`),
    );
  });

  test('a database from a newer Hookbox is refused', async () => {
    const dataDir = tempDir();
    const db = new Database(join(dataDir, 'hookbox.db'));
    db.pragma('user_version = 999');
    db.close();
    const result = await runCli(['serve', '--port', '0', '--data-dir', dataDir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /has schema version 999, newer than this Hookbox understands/);
  });
});

describe('hookbox events', () => {
  test('reads the store while serve is running: list, --json, show by prefix', async () => {
    const dataDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir]);
    const first = await postEvent(serve.url, {
      kind: 'shell',
      command: 'cargo build',
      exit_code: 2,
      duration_ms: 65_000,
      output: 'error[E0308]',
      metadata: { cwd: '/p' },
    });
    await postEvent(serve.url, { kind: 'git', command: 'post-commit', exit_code: 0 });

    const list = await runCli(['events', '--data-dir', dataDir]);
    assert.equal(list.code, 0);
    const lines = list.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /git\s+0\s+0 ms\s+post-commit$/);
    assert.match(lines[2]!, /shell\s+2\s+1m 5s\s+cargo build$/);

    const json = JSON.parse((await runCli(['events', '--limit', '1', '--json', '--data-dir', dataDir])).stdout);
    assert.equal(json.length, 1);
    assert.equal(json[0].command, 'post-commit');

    // Ids are time-ordered (UUIDv7): events from the same minute share their first characters.
    const ambiguous = await runCli(['events', 'show', first.json.event_id.slice(0, 8), '--data-dir', dataDir]);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /is ambiguous; give more characters/);
    const shown = await runCli(['events', 'show', first.json.event_id.slice(0, 30), '--data-dir', dataDir]);
    assert.equal(shown.code, 0);
    assert.match(shown.stdout, new RegExp(`id:\\s+${first.json.event_id}`));
    assert.match(shown.stdout, /exit code:\s+2/);
    assert.match(shown.stdout, /output:\nerror\[E0308\]/);
    await serve.stop();
  });

  test('errors are one line and a non-zero exit', async () => {
    const dataDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir]);
    await postEvent(serve.url, { kind: 'shell', command: 'x', exit_code: 0 });
    await serve.stop();
    const unknown = await runCli(['events', 'show', 'ffffffff-0000', '--data-dir', dataDir]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, "hookbox: error: no event with id 'ffffffff-0000'\n");
    const badLimit = await runCli(['events', '--limit', '0', '--data-dir', dataDir]);
    assert.notEqual(badLimit.code, 0);
    assert.match(badLimit.stderr, /--limit must be between 1 and 100000 \(got 0\)/);
  });

  test('before anything was recorded it says so', async () => {
    const result = await runCli(['events', '--data-dir', tempDir()]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'no events recorded yet\n');
    const json = await runCli(['events', '--json', '--data-dir', tempDir()]);
    assert.deepEqual(JSON.parse(json.stdout), []);
  });
});
