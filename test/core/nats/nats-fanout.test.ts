// Fan-out over NATS JetStream with the real nats-server: one hub publishes, another consumes
// into a session inbox or its event history; an outage of the server loses and reorders nothing;
// a redelivered message is not stored twice; a message that is not a Hookbox record is terminated
// with the reason logged; bad credentials and an unreachable server are one log line and a state
// in /health while the hub keeps serving.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { createUser } from '@nats-io/nkeys';
import BetterSqlite3 from 'better-sqlite3';
import { pino } from 'pino';
import { parseToml } from '../../../main/core/config/config-file.ts';
import { parseNatsConfig } from '../../../main/core/nats/nats-config.ts';
import { startHub, type RunningHub } from '../../helpers/hub-fixture.ts';
import { closedPort, eventually } from '../../helpers/http-receiver.ts';
import { startServe } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { natsServerMissing, startNatsServer } from './nats-server.ts';

function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      done();
    },
  });
  return { logger: pino(stream), lines };
}

async function hubWith(toml: string, options: { dataDir?: string } = {}): Promise<RunningHub> {
  const dir = tempDir();
  const configFile = join(dir, 'config.toml');
  writeFileSync(configFile, toml);
  const captured = capturedLogger();
  const hub = await startHub({
    configFile,
    logger: captured.logger,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return Object.assign(hub, { lines: captured.lines });
}

const linesOf = (hub: RunningHub) => (hub as RunningHub & { lines: string[] }).lines;

async function health(hub: RunningHub): Promise<any> {
  return (await fetch(`${hub.url}/health`)).json();
}

const publisherToml = (url: string, extra = '') =>
  `[nats]\nservers = ["${url}"]\nhost = "ci-box"\npublish = ["inbox", "events"]\n${extra}`;
const consumerToml = (url: string, extra = '') =>
  `[nats]\nservers = ["${url}"]\nhost = "laptop"\n\n[[nats.subscribe]]\nsubject = "hookbox.inbox.team-ci"\ndurable = "laptop-team-ci"\ninto = "inbox:team-ci"\nack_wait = 2\n${extra}`;

async function inject(hub: RunningHub, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++)
    await hub.hub.inbox.inject({ session: 'team-ci', source: 'webhook', label: 'github', content: `push #${i}` });
}

const contents = (hub: RunningHub) =>
  hub.hub.inbox
    .list('team-ci', { limit: 10_000 })
    .sort((a, b) => a.seq - b.seq)
    .map((m) => m.content);
const expected = (n: number) => Array.from({ length: n }, (_, i) => `push #${i}`);

describe('NATS fan-out', { skip: natsServerMissing }, () => {
  test('inbox → inbox across two hubs: every message once, in order, labelled with the host it came from', async () => {
    const nats = await startNatsServer();
    const publisher = await hubWith(publisherToml(nats.url));
    const consumer = await hubWith(consumerToml(nats.url));
    await inject(publisher, 0, 40);
    await eventually(() => contents(consumer).length >= 40, 'forty messages in the consuming inbox');
    assert.deepEqual(contents(consumer), expected(40));
    const first = consumer.hub.inbox.list('team-ci').find((m) => m.content === 'push #0')!;
    assert.deepEqual([first.source, first.source_label], ['webhook', 'nats:ci-box github']);
    // Not published back by the consumer (it publishes nothing), and the publisher's own inbox is its own.
    assert.equal(contents(publisher).length, 40);
    // Counted once each commit is on disk: the rows are readable a little before (at commit).
    await eventually(
      () => consumer.hub.natsStatus()?.subscriptions[0]?.received === 40,
      'the forty counted as received',
    );
    const h = await health(consumer);
    assert.equal(h.nats.state, 'connected');
    assert.equal(h.nats.host, 'laptop');
    assert.deepEqual(
      h.nats.subscriptions.map((s: any) => [s.durable, s.into, s.received, s.terminated]),
      [['laptop-team-ci', 'inbox:team-ci', 40, 0]],
    );
    await eventually(() => publisher.hub.natsStatus()?.pending === 0, 'the outbox emptied');
    assert.equal(publisher.hub.natsStatus()?.published, 40);
  });

  test('the server stops mid-stream and comes back: what was queued meanwhile arrives after, once, in order', async () => {
    const nats = await startNatsServer();
    const publisher = await hubWith(publisherToml(nats.url));
    const consumer = await hubWith(consumerToml(nats.url));
    await inject(publisher, 0, 20);
    await eventually(() => contents(consumer).length >= 20, 'the first twenty');
    await nats.stop();
    await eventually(() => publisher.hub.natsStatus()?.state === 'disconnected', 'the publisher sees the outage');
    await inject(publisher, 20, 50);
    // Still serving locally, and the records wait in the outbox.
    await eventually(() => publisher.hub.natsStatus()?.pending === 30, 'thirty waiting in the outbox');
    assert.equal((await fetch(`${publisher.url}/health`)).status, 200);
    await nats.start();
    await eventually(() => contents(consumer).length >= 50, 'all fifty after the restart', 60_000);
    await eventually(() => publisher.hub.natsStatus()?.pending === 0, 'the outbox emptied');
    assert.deepEqual(contents(consumer), expected(50));
  });

  test('the consuming hub is killed (SIGKILL) while messages flow: after a restart every message is there once, in order', async () => {
    const nats = await startNatsServer();
    const publisher = await hubWith(publisherToml(nats.url));
    const dataDir = tempDir();
    const configFile = join(tempDir(), 'config.toml');
    writeFileSync(configFile, consumerToml(nats.url));
    const serve = await startServe(['--config', configFile, '--data-dir', dataDir, '--port', '0'], {
      XDG_CONFIG_HOME: tempDir(),
    });
    const received = async () => {
      const h = await (await fetch(`http://127.0.0.1:${serve.port}/health`)).json();
      return (h.nats?.subscriptions?.[0]?.received as number | undefined) ?? 0;
    };
    const total = 150;
    const sending = inject(publisher, 0, total);
    // Killed while it receives, commits and acknowledges one message after another: whichever
    // step it was in, the restarted hub must end with each message exactly once.
    let seen = 0;
    const deadline = Date.now() + 60_000;
    while (seen < 20) {
      if (Date.now() > deadline) throw new Error(`the consuming hub received ${seen}:\n${serve.output()}`);
      seen = await received();
    }
    assert.ok(seen < total, 'killed mid-stream');
    await serve.stop('SIGKILL');
    await sending;
    const restarted = await hubWith(consumerToml(nats.url), { dataDir });
    await eventually(() => contents(restarted).length >= total, `all ${total} after the restart`, 90_000).catch((e) => {
      throw new Error(
        `${e.message}: ${contents(restarted).length} ${JSON.stringify(restarted.hub.natsStatus())}\n${linesOf(restarted).join('\n')}`,
      );
    });
    assert.deepEqual(contents(restarted), expected(total));
  });

  test('a committed message delivered again (its ack lost) is acknowledged, not stored twice', async () => {
    const nats = await startNatsServer();
    const consumer = await hubWith(consumerToml(nats.url));
    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    await eventually(() => consumer.hub.natsStatus()?.state === 'connected', 'connected');
    const record = (id: string, content: string) =>
      JSON.stringify({
        v: 1,
        id,
        host: 'ci-box',
        at: new Date().toISOString(),
        kind: 'inbox',
        record: { session: 'team-ci', source: 'webhook', label: null, content },
      });
    // A copy JetStream does not catch (published without Nats-Msg-Id, or after its duplicate window)
    // reaches the consumer again; the record id is in nats_received, so it is acknowledged and dropped.
    await js.publish('hookbox.inbox.team-ci', record('r-1', 'once'), { msgID: 'r-1' });
    await eventually(() => contents(consumer).length === 1, 'the first copy');
    await nc.publish('hookbox.inbox.team-ci', record('r-1', 'once'), { headers: undefined });
    await js.publish('hookbox.inbox.team-ci', record('r-2', 'after'), { msgID: 'r-2' });
    await eventually(() => contents(consumer).includes('after'), 'the next message');
    assert.deepEqual(contents(consumer), ['once', 'after']);
    assert.equal(consumer.hub.natsStatus()?.subscriptions[0]?.duplicates, 1);
    await nc.close();
  });

  test('a commit that fails mid-window: nothing after it is stored first; once it succeeds all arrive once, in order', async () => {
    const nats = await startNatsServer();
    const consumer = await hubWith(consumerToml(nats.url));
    await eventually(() => consumer.hub.natsStatus()?.state === 'connected', 'connected');
    // The local commit of one message fails (as a full disk would) until the test lets it through.
    const db = new BetterSqlite3(join(consumer.dataDir, 'hookbox.db'));
    db.pragma('busy_timeout = 10000');
    db.exec(`CREATE TABLE test_refused (msg_id TEXT);
      INSERT INTO test_refused VALUES ('r-10');
      CREATE TRIGGER test_refuse BEFORE INSERT ON nats_received
        WHEN NEW.msg_id IN (SELECT msg_id FROM test_refused) BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    const record = (i: number) =>
      JSON.stringify({
        v: 1,
        id: `r-${i}`,
        host: 'ci-box',
        at: new Date().toISOString(),
        kind: 'inbox',
        record: { session: 'team-ci', source: 'webhook', label: null, content: `push #${i}` },
      });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => js.publish('hookbox.inbox.team-ci', record(i), { msgID: `r-${i}` })),
    );
    await eventually(
      () => /disk trouble/.test(consumer.hub.natsStatus()?.subscriptions[0]?.last_error ?? ''),
      'the failed commit reported',
    );
    assert.deepEqual(contents(consumer), expected(10), 'only what precedes the failed message');
    db.exec('DELETE FROM test_refused');
    db.close();
    await eventually(() => contents(consumer).length >= 40, 'all forty once the commit succeeds', 60_000);
    assert.deepEqual(contents(consumer), expected(40));
    await nc.close();
  });

  test('a message that is not a Hookbox record is terminated with the reason logged; the next one still arrives', async () => {
    const nats = await startNatsServer();
    const consumer = await hubWith(consumerToml(nats.url));
    await eventually(() => consumer.hub.natsStatus()?.state === 'connected', 'connected');
    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    await js.publish('hookbox.inbox.team-ci', 'not json at all');
    await js.publish(
      'hookbox.inbox.team-ci',
      JSON.stringify({ v: 1, id: 'x', host: 'ci', at: 'now', kind: 'inbox', record: { session: 'team-ci' } }),
    );
    await js.publish(
      'hookbox.inbox.team-ci',
      JSON.stringify({
        v: 1,
        id: 'ok-1',
        host: 'ci',
        at: 'now',
        kind: 'inbox',
        record: { session: 'team-ci', source: 'webhook', label: null, content: 'valid' },
      }),
    );
    await eventually(() => contents(consumer).length === 1, 'the valid message').catch((e) => {
      throw new Error(`${e.message}\n${linesOf(consumer).join('\n')}`);
    });
    assert.deepEqual(contents(consumer), ['valid']);
    const terminated = linesOf(consumer).filter((l) => l.includes('terminated (not retried)'));
    assert.equal(terminated.length, 2, linesOf(consumer).join('\n'));
    assert.match(terminated[0]!, /message 1 on hookbox\.inbox\.team-ci terminated \(not retried\): .*JSON/);
    assert.match(terminated[1]!, /record\/source|record\/content|source|content/);
    assert.equal(consumer.hub.natsStatus()?.subscriptions[0]?.terminated, 2);
    await nc.close();
  });

  test("a dev box's failed command lands in the laptop's history with its host, and notifies there", async () => {
    const nats = await startNatsServer();
    const devbox = await hubWith(publisherToml(nats.url));
    const laptop = await hubWith(
      `[nats]\nservers = ["${nats.url}"]\nhost = "laptop"\n\n[[nats.subscribe]]\nsubject = "hookbox.events.>"\ndurable = "laptop-events"\ninto = "events"\n`,
    );
    const posted = await fetch(`${devbox.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'shell', command: 'make release', exit_code: 2, duration_ms: 1200 }),
    });
    assert.equal(posted.status, 200);
    await eventually(() => laptop.notifier.shown.length === 1, 'the notification on the laptop');
    assert.equal(laptop.notifier.shown[0]?.message, 'Failed (exit 2) after 1.2 s: make release');
    const [event] = laptop.hub.eventLog.list(10);
    assert.equal(event?.command, 'make release');
    assert.equal(event?.metadata.host, 'ci-box');
  });
});

describe('NATS faults', { skip: natsServerMissing }, () => {
  test('bad credentials: one clear log line, the state in /health, the hub keeps serving', async () => {
    const nats = await startNatsServer(['--user', 'hookbox', '--pass', 'right-password']);
    const hub = await hubWith(
      `[nats]\nservers = ["${nats.url}"]\nuser = "hookbox"\npassword = "wrong-password"\npublish = ["events"]\n`,
    );
    await eventually(() => hub.hub.natsStatus()?.state === 'error', 'the error state');
    const h = await health(hub);
    assert.equal(h.status, 'ok');
    assert.equal(h.nats.state, 'error');
    assert.match(h.nats.error, /Authorization Violation/i);
    const lines = linesOf(hub).filter((l) => l.startsWith('NATS:'));
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /^NATS: cannot connect to nats:\/\/127\.0\.0\.1:\d+: .*Authorization Violation.*; the hub keeps serving locally and retries$/i,
    );
    assert.doesNotMatch(lines[0]!, /wrong-password/);
    const posted = await fetch(`${hub.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'shell', command: 'true', exit_code: 0 }),
    });
    assert.equal(posted.status, 200);
    await eventually(() => hub.hub.natsStatus()?.pending === 1, 'the event queued for later');
  });

  test('the right user and password connect', async () => {
    const nats = await startNatsServer(['--user', 'hookbox', '--pass', 'right-password']);
    const hub = await hubWith(
      `[nats]\nservers = ["${nats.url}"]\nuser = "hookbox"\npassword = "right-password"\npublish = ["events"]\n`,
    );
    await eventually(() => hub.hub.natsStatus()?.state === 'connected', 'connected');
  });

  test('a token, and an NKey seed file, connect to a server that requires them', async () => {
    const withToken = await startNatsServer(['--auth', 's3cret-token']);
    const tokenHub = await hubWith(
      `[nats]\nservers = ["${withToken.url}"]\ntoken = "s3cret-token"\npublish = ["events"]\n`,
    );
    await eventually(() => tokenHub.hub.natsStatus()?.state === 'connected', 'connected with the token');

    const user = createUser();
    const dir = tempDir();
    const serverConfig = join(dir, 'nats.conf');
    writeFileSync(serverConfig, `authorization { users = [ { nkey: ${user.getPublicKey()} } ] }\n`);
    const seedFile = join(dir, 'user.nk');
    writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
    const withNkey = await startNatsServer(['-c', serverConfig]);
    const nkeyHub = await hubWith(
      `[nats]\nservers = ["${withNkey.url}"]\nnkey = "${seedFile}"\npublish = ["events"]\n`,
    );
    await eventually(() => nkeyHub.hub.natsStatus()?.state === 'connected', 'connected with the NKey');
    const posted = await fetch(`${nkeyHub.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'shell', command: 'true', exit_code: 0 }),
    });
    assert.equal(posted.status, 200);
    await eventually(() => nkeyHub.hub.natsStatus()?.published === 1, 'published with the NKey');
  });

  test('config errors name the key: two kinds of credentials, a user without a password, a missing .creds file', () => {
    const parse = (toml: string) => parseNatsConfig(parseToml(toml).nats, { file: 'config.toml', env: {} });
    assert.throws(
      () => parse('[nats]\nservers = ["nats://h:4222"]\ntoken = "a"\nuser = "u"\npassword = "p"\n'),
      /config.toml: nats: give one of credentials, nkey, token or user \+ password \(got token, user\)/,
    );
    assert.throws(
      () => parse('[nats]\nservers = ["nats://h:4222"]\nuser = "u"\n'),
      /nats.user and nats.password go together/,
    );
    assert.throws(
      () => parse('[nats]\nservers = ["nats://h:4222"]\ncredentials = "/nonexistent/team.creds"\n'),
      /config.toml: nats.credentials: cannot read \/nonexistent\/team.creds: ENOENT/,
    );
    assert.throws(() => parse('[nats]\nservers = ["http://h:4222"]\n'), /config.toml: nats.*servers/);
    assert.throws(
      () =>
        parse(
          '[nats]\nservers = ["nats://h:4222"]\n[[nats.subscribe]]\nsubject = "a.b"\ndurable = "d"\ninto = "elsewhere"\n',
        ),
      /config.toml: nats.*into/,
    );
    const ok = parse(
      '[nats]\nservers = ["nats://h:4222"]\n[[nats.subscribe]]\nsubject = "hookbox.events.>"\ndurable = "d"\ninto = "inbox:ops"\n',
    );
    assert.deepEqual(ok?.subscribe[0]?.into, { kind: 'inbox', session: 'ops' });
  });

  test('an unreachable server: one log line, the error in /health', async () => {
    const port = await closedPort();
    const hub = await hubWith(`[nats]\nservers = ["nats://127.0.0.1:${port}"]\npublish = ["events"]\n`);
    await eventually(() => hub.hub.natsStatus()?.state === 'error', 'the error state');
    const h = await health(hub);
    assert.match(h.nats.error, new RegExp(`cannot connect to nats://127.0.0.1:${port}`));
    assert.equal(linesOf(hub).filter((l) => l.startsWith('NATS:')).length, 1);
  });
});
