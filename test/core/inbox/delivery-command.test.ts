import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startHub } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { inboxApi } from './inbox-api.ts';

const readLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('per-session delivery command', async () => {
  const dir = tempDir();
  const out = join(dir, 'delivered.txt');
  const attempts = join(dir, 'attempts.txt');
  const marker = join(dir, 'failed-once');
  const pwned = join(dir, 'pwned');
  // A receiver that is down the first time it is called (slowly, so the other messages are queued
  // meanwhile), then appends each message it gets on stdin to a file.
  const receiver = [
    'msg=$(cat)',
    `printf '%s %s %s\\n' "$(date +%s%3N)" "$HOOK_SESSION" "$msg" >> '${attempts}'`,
    `if [ ! -e '${marker}' ]; then touch '${marker}'; sleep 0.5; echo 'receiver down' >&2; exit 1; fi`,
    `printf '%s\\n' "$msg" >> '${out}'`,
  ].join('\n');
  const configFile = join(dir, 'config.toml');
  writeFileSync(configFile, `[[sessions]]\nname = "x"\ndeliver_command = ["sh", "-c", ${JSON.stringify(receiver)}]\n`);
  const { hub, url } = await startHub({ configFile });
  const api = inboxApi(url, hub.controlToken);

  test('each message reaches the command exactly once, in order; the failed attempt is retried after 1 s; all end acked', async () => {
    const contents = ['first message', 'second message', `third $(touch '${pwned}') \`touch '${pwned}'\``];
    for (const content of contents) assert.equal((await api.inject('x', { content })).status, 201);

    await eventually(() => readLines(out).length >= 3, 'three deliveries', 30_000);
    await new Promise((r) => setTimeout(r, 300)); // a duplicate delivery would show up here
    const delivered = readLines(out);
    assert.deepEqual([...delivered].sort(), [...contents].sort(), 'each message delivered exactly once');
    assert.equal(existsSync(pwned), false, 'message content must never reach a shell command line');

    const tries = readLines(attempts).map((line) => {
      const [ms, session, ...rest] = line.split(' ');
      return { at: Number(ms), session, content: rest.join(' ') };
    });
    assert.ok(
      tries.every((t) => t.session === 'x'),
      'HOOK_SESSION names the session',
    );
    const firstTries = tries.filter((t) => t.content === 'first message');
    assert.equal(firstTries.length, 2, 'the failed message is tried exactly twice');
    // The failing attempt ran ~0.5 s; the retry comes 1 s after it failed (first backoff step).
    const gap = firstTries[1]!.at - firstTries[0]!.at;
    assert.ok(gap >= 1400, `retried ${gap} ms after the failed attempt started (expected ≥ 0.5 s run + 1 s backoff)`);
    assert.ok(gap < 20_000, `retried only ${gap} ms after the failed attempt started (the first backoff step is 1 s)`);

    let messages = await api.list('x');
    for (let i = 0; i < 50 && messages.some((m) => m.state !== 'acked'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      messages = await api.list('x');
    }
    assert.deepEqual(
      messages.map((m) => [m.content, m.state]).reverse(),
      contents.map((c) => [c, 'acked']),
    );
    // The worker keeps its claim while it retries (so nothing overtakes the failed message).
    assert.equal(messages.find((m) => m.content === 'first message')?.claims, 1);
    assert.equal(messages.find((m) => m.content === 'second message')?.claims, 1);
    const summary = (await api.sessions()).find((s) => s.name === 'x');
    assert.deepEqual([summary?.queued, summary?.claimed, summary?.acked], [0, 0, 3]);

    // Last, because it is the strictest: a retry must not let later messages overtake.
    assert.deepEqual(delivered, contents, 'delivered in inbox order (FIFO within a source)');
    assert.deepEqual(
      tries.map((t) => t.content),
      ['first message', 'first message', 'second message', contents[2]],
      'the failed message is retried before the ones behind it',
    );
  });
});

describe('per-session delivery command: reload and shutdown', async () => {
  test('a config edit that adds a deliver_command starts delivering what is already queued', async () => {
    const dir = tempDir();
    const out = join(dir, 'delivered.txt');
    const configFile = join(dir, 'config.toml');
    writeFileSync(configFile, '# no sessions yet\n');
    const { hub, url } = await startHub({ configFile });
    const api = inboxApi(url, hub.controlToken);
    await api.inject('y', { content: 'queued before the edit' });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(readLines(out), []);
    writeFileSync(
      configFile,
      `[[sessions]]\nname = "y"\ndeliver_command = ["sh", "-c", ${JSON.stringify(`cat >> '${out}'; echo >> '${out}'`)}]\n`,
    );
    await eventually(() => readLines(out).length === 1, 'the delivery after the reload', 30_000);
    assert.deepEqual(readLines(out), ['queued before the edit']);
    await api.inject('y', { content: 'after the edit' });
    await eventually(() => readLines(out).length === 2, 'the next delivery', 30_000);
    assert.deepEqual(readLines(out), ['queued before the edit', 'after the edit']);
  });

  test('stopping the hub does not wait for a slow delivery command, and the message is delivered promptly after a restart', async () => {
    const dir = tempDir();
    const dataDir = tempDir();
    const started = join(dir, 'started');
    const out = join(dir, 'delivered.txt');
    const configFile = join(dir, 'config.toml');
    writeFileSync(
      configFile,
      `[[sessions]]\nname = "z"\ndeliver_timeout = 120\ndeliver_command = ["sh", "-c", ${JSON.stringify(`touch '${started}'; sleep 60`)}]\n`,
    );
    const first = await startHub({ configFile, dataDir });
    await inboxApi(first.url, first.hub.controlToken).inject('z', { content: 'in flight at shutdown' });
    await eventually(() => existsSync(started), 'the delivery command to start');
    const stopStarted = Date.now();
    await first.hub.stop();
    const took = Date.now() - stopStarted;
    assert.ok(took < 30_000, `hub.stop() took ${took} ms: it waited for the 60 s delivery command`);

    writeFileSync(
      configFile,
      `[[sessions]]\nname = "z"\ndeliver_command = ["sh", "-c", ${JSON.stringify(`cat >> '${out}'; echo >> '${out}'`)}]\n`,
    );
    await startHub({ configFile, dataDir });
    await eventually(
      () => readLines(out).length === 1,
      'the interrupted message to be delivered after the restart',
      30_000,
    );
    assert.deepEqual(readLines(out), ['in flight at shutdown']);
  });
});
