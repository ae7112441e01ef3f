import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { closedPort, eventually } from '../../helpers/http-receiver.ts';
import { startServe } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { hookToml, writeScript } from '../../helpers/webhook-fixture.ts';

interface HookStatus {
  name: string;
  port: number | null;
  state: string;
  timeout_s: number;
  error: string | null;
}

/** Polls `read` until `check` accepts its value; returns that value. */
async function until<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

async function post(port: number): Promise<number | string> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'ping' })).status;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
  }
}

describe('config hot reload (real hookbox serve --config)', async () => {
  const dir = tempDir();
  const dataDir = tempDir();
  const configFile = join(dir, 'config.toml');
  writeScript(dir, 'ok.sh', '#!/bin/sh\ncat >/dev/null\n');
  const steady = hookToml('steady', 'ok.sh');
  writeFileSync(configFile, steady);
  const serve = await startServe(['--config', configFile, '--port', '0', '--data-dir', dataDir]);
  const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();
  const hooksNow = async () =>
    (await (await fetch(`${serve.url}/hooks`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      hooks: HookStatus[];
      config_error: string | null;
    };
  const portOf = (state: { hooks: HookStatus[] }, name: string) =>
    state.hooks.find((h) => h.name === name)?.port ?? undefined;
  const reloads = () => serve.output().match(/config reloaded/g)?.length ?? 0;

  const initial = await hooksNow();
  const steadyPort = portOf(initial, 'steady')!;
  assert.ok(steadyPort > 0);

  test('adding a hook starts its listener; the existing one keeps its port', async () => {
    writeFileSync(configFile, steady + hookToml('extra', 'ok.sh'));
    const state = await until(hooksNow, (s) => portOf(s, 'extra') !== undefined, 'hook extra to listen');
    assert.equal(state.hooks.find((h) => h.name === 'extra')?.state, 'listening');
    assert.equal(portOf(state, 'steady'), steadyPort);
    assert.equal(await post(portOf(state, 'extra')!), 204);
    assert.equal(state.config_error, null);
    await eventually(() => /config reloaded: \+extra/.test(serve.output()), 'the reload log line');
  });

  test('broken TOML: the running hooks keep answering, /hooks reports the error, the log says not applied', async () => {
    const before = await hooksNow();
    writeFileSync(configFile, `${steady}${hookToml('extra', 'ok.sh')}[[hooks]\nname = "half`);
    const state = await until(hooksNow, (s) => s.config_error !== null, 'config_error');
    assert.match(
      state.config_error!,
      new RegExp(`${configFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+`),
      'names the file, line and column',
    );
    await eventually(
      () => /config not applied, the running config stays: .*config\.toml/.test(serve.output()),
      'the "not applied" log line',
    );
    assert.deepEqual(
      state.hooks.map((h) => [h.name, h.port]),
      before.hooks.map((h) => [h.name, h.port]),
    );
    assert.equal(await post(steadyPort), 204);
    assert.equal(await post(portOf(state, 'extra')!), 204);

    writeFileSync(configFile, steady + hookToml('extra', 'ok.sh'));
    const fixed = await until(hooksNow, (s) => s.config_error === null, 'the error to clear');
    assert.equal(portOf(fixed, 'steady'), steadyPort);
  });

  test('a semantically bad edit (duplicate bind) keeps the running config and names the hook and field', async () => {
    const before = await hooksNow();
    const port = await closedPort();
    const dup = `[[hooks]]\nname = "one"\nbind = "127.0.0.1:${port}"\nscript = "ok.sh"\n\n[[hooks]]\nname = "two"\nbind = "127.0.0.1:${port}"\nscript = "ok.sh"\n`;
    const logBefore = serve.output().length;
    writeFileSync(configFile, steady + hookToml('extra', 'ok.sh') + dup);
    const state = await until(hooksNow, (s) => s.config_error !== null, 'config_error');
    assert.match(state.config_error!, /hook 'two': 'bind' 127\.0\.0\.1:\d+ is already used by hook 'one'/);
    assert.ok(state.config_error!.includes(configFile), 'names the file');
    await eventually(() => /config not applied/.test(serve.output().slice(logBefore)), 'the "not applied" log line');
    assert.deepEqual(
      state.hooks.map((h) => [h.name, h.port]),
      before.hooks.map((h) => [h.name, h.port]),
      'no hook of the bad config was started',
    );
    assert.equal(await post(port), 'ECONNREFUSED');
    assert.equal(await post(steadyPort), 204);

    // A missing script is caught the same way.
    writeFileSync(configFile, steady + hookToml('extra', 'ok.sh') + hookToml('ghost', 'no-such-script.sh'));
    const missing = await until(
      hooksNow,
      (s) => s.config_error?.includes('ghost') ?? false,
      'the missing-script error',
    );
    assert.match(missing.config_error!, /hook 'ghost': 'script' .*no-such-script\.sh does not exist/);

    writeFileSync(configFile, steady + hookToml('extra', 'ok.sh'));
    await until(hooksNow, (s) => s.config_error === null, 'the error to clear');
  });

  test('moving a hook to a bind already in use: the error names the hook, and the hook keeps its old listener', async () => {
    const occupier = createServer();
    occupier.listen(0, '127.0.0.1');
    await once(occupier, 'listening');
    try {
      const busyPort = (occupier.address() as AddressInfo).port;
      const before = await hooksNow();
      const extraPort = portOf(before, 'extra')!;
      writeFileSync(
        configFile,
        `${steady}[[hooks]]\nname = "extra"\nbind = "127.0.0.1:${busyPort}"\nscript = "ok.sh"\n`,
      );
      const state = await until(hooksNow, (s) => s.config_error !== null, 'config_error');
      assert.match(state.config_error!, /hook 'extra'.*address already in use/);
      assert.equal(await post(steadyPort), 204);
      // The running config stays: the edit could not be applied, so extra should still serve.
      assert.equal(
        await post(extraPort),
        204,
        `hook extra stopped answering on its old port; /hooks: ${JSON.stringify(state.hooks)}`,
      );
    } finally {
      occupier.close();
      writeFileSync(configFile, steady + hookToml('extra', 'ok.sh'));
      await until(
        hooksNow,
        (s) => s.config_error === null && s.hooks.find((h) => h.name === 'extra')?.state === 'listening',
        'the error to clear',
      );
    }
  });

  test('an editor-style save (write a temp file, rename it over the config) is picked up, again and again', async () => {
    for (const name of ['renamed1', 'renamed2']) {
      const temp = join(dir, `.config.toml.${name}.swp`);
      const current = readFileSync(configFile, 'utf8');
      writeFileSync(temp, current + hookToml(name, 'ok.sh'));
      renameSync(temp, configFile);
      const state = await until(hooksNow, (s) => portOf(s, name) !== undefined, `hook ${name} after an atomic save`);
      assert.equal(await post(portOf(state, name)!), 204);
      assert.equal(portOf(state, 'steady'), steadyPort);
    }
    // Plain writes still work after the renames (the watch was not lost).
    writeFileSync(configFile, steady + hookToml('extra', 'ok.sh'));
    const state = await until(hooksNow, (s) => portOf(s, 'renamed2') === undefined, 'the renamed hooks to stop');
    assert.deepEqual(state.hooks.map((h) => h.name).sort(), ['extra', 'steady']);
  });

  test("changing one hook's timeout restarts only that hook; the other answers throughout", async () => {
    const before = await hooksNow();
    const extraPort = portOf(before, 'extra')!;
    const reloadsBefore = reloads();
    const logBefore = serve.output().length;
    const statuses: Array<number | string> = [];
    let firing = true;
    const fire = (async () => {
      while (firing) statuses.push(await post(steadyPort));
    })();
    // Requests before, during and after the reload, counted rather than timed.
    const answered = async (count: number) => {
      while (statuses.length < count) await new Promise((r) => setTimeout(r, 10));
    };
    await answered(3);
    writeFileSync(configFile, steady + hookToml('extra', 'ok.sh', 'timeout = 7'));
    const state = await until(
      hooksNow,
      (s) => s.hooks.find((h) => h.name === 'extra')?.timeout_s === 7,
      'extra to restart with timeout 7',
    );
    await answered(statuses.length + 3);
    firing = false;
    await fire;

    assert.deepEqual([...new Set(statuses)], [204], 'steady answered every request during the reload');
    assert.equal(portOf(state, 'steady'), steadyPort);
    assert.equal(state.hooks.find((h) => h.name === 'extra')?.state, 'listening');
    assert.equal(await post(portOf(state, 'extra')!), 204);
    assert.equal(reloads(), reloadsBefore + 1);
    const log = serve.output().slice(logBefore);
    assert.match(log, /config reloaded: ~extra/);
    assert.doesNotMatch(log, /[~+-]steady/);
    if (portOf(state, 'extra') !== extraPort)
      assert.equal(await post(extraPort), 'ECONNREFUSED', 'the old listener is closed');
  });

  test('removing a hook stops its listener (connection refused)', async () => {
    const before = await hooksNow();
    const extraPort = portOf(before, 'extra')!;
    writeFileSync(configFile, steady);
    const state = await until(hooksNow, (s) => portOf(s, 'extra') === undefined, 'extra to stop');
    assert.deepEqual(
      state.hooks.map((h) => h.name),
      ['steady'],
    );
    assert.equal(await post(extraPort), 'ECONNREFUSED');
    assert.equal(await post(steadyPort), 204);
    await eventually(() => /config reloaded: -extra/.test(serve.output()), 'the reload log line');
  });

  test('serve stops cleanly after all the reloads', async () => {
    assert.equal(await serve.stop('SIGTERM'), 0);
  });
});
