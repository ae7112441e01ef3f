// Publishing is durable with the record: each record of the five published kinds (command event,
// notification, lifecycle event, inbox message, hook run) commits in one SQLite transaction with
// its NATS outbox row. A hub killed with SIGKILL right after its answers leaves each record with
// its row, and a restart publishes each exactly once to a real nats-server; when the outbox row
// cannot be written, the record is refused with it (nothing is stored that would never be
// published).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import BetterSqlite3 from 'better-sqlite3';
import { pino } from 'pino';
import { readControlToken } from '../../../main/core/security/control-token.ts';
import { startHub, type RunningHub } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { startServe } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { hookToml, hookUrl, writeScript } from '../../helpers/webhook-fixture.ts';
import { natsServerMissing, startNatsServer } from './nats-server.ts';

const TABLES = {
  event: 'events',
  notification: 'notifications',
  lifecycle: 'lifecycle_events',
  inbox: 'messages',
  hook_run: 'hook_runs',
} as const;
type Kind = keyof typeof TABLES;
const KINDS = Object.keys(TABLES) as Kind[];

function configToml(natsUrl: string, dir: string): string {
  const script = writeScript(dir, 'ci.sh', '#!/bin/sh\necho "build $(cat)"\n');
  return (
    `[nats]\nservers = ["${natsUrl}"]\nhost = "box"\n` +
    `publish = ["events", "notifications", "lifecycle", "inbox", "hook_runs"]\n\n${hookToml('ci', script)}`
  );
}

/** Record ids per kind, and the record id of each NATS outbox row per kind (read from the file). */
function stored(dbFile: string): Record<Kind, { records: string[]; rows: string[] }> {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    const ids = (sql: string, ...args: string[]) =>
      (
        db
          .prepare(sql)
          .pluck()
          .all(...args) as string[]
      ).sort();
    return Object.fromEntries(
      KINDS.map((kind) => [
        kind,
        {
          records: ids(`SELECT id FROM ${TABLES[kind]}`),
          rows: ids(`SELECT event_id FROM lifecycle_deliveries WHERE channel = 'nats' AND event = ?`, kind),
        },
      ]),
    ) as Record<Kind, { records: string[]; rows: string[] }>;
  } finally {
    db.close();
  }
}

/** Every message in the HOOKBOX stream: its Nats-Msg-Id, subject and record kind. */
async function streamed(natsUrl: string): Promise<{ id: string; subject: string; kind: string }[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info('HOOKBOX');
    const out: { id: string; subject: string; kind: string }[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage('HOOKBOX', { seq });
      if (!m) continue;
      out.push({
        id: m.header.get('Nats-Msg-Id'),
        subject: m.subject,
        kind: (m.json() as { kind: string }).kind,
      });
    }
    return out;
  } finally {
    await nc.close();
  }
}

async function post(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

describe('NATS publish is durable with the record', { skip: natsServerMissing }, () => {
  test('killed (SIGKILL) right after its answers: each record has its outbox row, and a restart publishes each once', async () => {
    const nats = await startNatsServer();
    // NATS is down while the records are written: nothing can be published before the kill.
    await nats.stop();
    const dir = tempDir();
    const dataDir = tempDir();
    const configFile = join(dir, 'config.toml');
    writeFileSync(configFile, configToml(nats.url, dir));
    const serve = await startServe(['--config', configFile, '--data-dir', dataDir, '--port', '0'], {
      XDG_CONFIG_HOME: tempDir(),
      DBUS_SESSION_BUS_ADDRESS: '',
    });
    const token = readControlToken(dataDir)!;
    const hookPort = /hook ci listening on 127\.0\.0\.1:(\d+)/.exec(serve.output())?.[1];
    assert.ok(hookPort, serve.output());

    const answers = await Promise.all([
      post(`${serve.url}/events`, { kind: 'shell', command: 'make release', exit_code: 2, duration_ms: 1200 }),
      post(`${serve.url}/sessions/team/messages`, { content: 'deploy when green' }, token),
      post(`${serve.url}/lifecycle/events/task.completed`, { task_id: 't-1', summary: 'done' }, token),
      post(`http://127.0.0.1:${hookPort}/`, { ref: 'main' }),
    ]);
    assert.deepEqual(
      answers.map((a) => a.status < 300),
      [true, true, true, true],
    );
    // The failed command's notification is raised after the event's answer; kill once it is stored.
    const dbFile = join(dataDir, 'hookbox.db');
    await eventually(() => stored(dbFile).notification.records.length > 0, 'the notification stored');
    assert.equal(await serve.stop('SIGKILL'), null);

    const after = stored(dbFile);
    for (const kind of KINDS) {
      assert.ok(after[kind].records.length > 0, `a ${kind} was written`);
      assert.deepEqual(after[kind].rows, after[kind].records, `each ${kind} has its outbox row, and only those`);
    }

    await nats.start();
    const restarted = await startHub({ dataDir, configFile });
    await eventually(() => restarted.hub.natsStatus()?.pending === 0, 'the outbox emptied after the restart');
    const messages = await streamed(nats.url);
    const expected = KINDS.flatMap((kind) => after[kind].records.map((id) => `${kind} ${id}`)).sort();
    assert.deepEqual(messages.map((m) => `${m.kind} ${m.id}`).sort(), expected, 'each record exactly once');
    const event = messages.find((m) => m.kind === 'event')!;
    assert.equal(event.subject, 'hookbox.events.box.shell');
    assert.ok(messages.some((m) => m.subject === 'hookbox.inbox.team'));
  });

  test('when its outbox row cannot be written the record is refused with it; the others still publish once', async () => {
    const nats = await startNatsServer();
    const dir = tempDir();
    const configFile = join(dir, 'config.toml');
    writeFileSync(configFile, configToml(nats.url, dir));
    const lines: string[] = [];
    const logger = pino(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
          done();
        },
      }),
    );
    const hub: RunningHub = await startHub({ configFile, logger });
    await eventually(() => hub.hub.natsStatus()?.state === 'connected', 'connected');
    const dbFile = join(hub.dataDir, 'hookbox.db');
    // A second connection to the hub's file makes the outbox insert of one kind fail, as a full
    // disk or a corrupt index would: the hub's own statements see the trigger at their next run.
    const other = new BetterSqlite3(dbFile);
    other.pragma('busy_timeout = 10000');
    const failOutbox = (kind: Kind | null) => {
      other.exec('DROP TRIGGER IF EXISTS fail_nats_outbox');
      if (kind)
        other.exec(`CREATE TRIGGER fail_nats_outbox BEFORE INSERT ON lifecycle_deliveries
          WHEN NEW.channel = 'nats' AND NEW.event = '${kind}' BEGIN SELECT RAISE(ABORT, 'forced outbox failure'); END`);
    };
    const token = hub.hub.controlToken;
    const write: Record<Exclude<Kind, 'notification'>, (n: number) => Promise<Response>> = {
      event: (n) => post(`${hub.url}/events`, { kind: 'shell', command: `true ${n}`, exit_code: 0 }),
      inbox: (n) => post(`${hub.url}/sessions/team/messages`, { content: `message ${n}` }, token),
      lifecycle: (n) => post(`${hub.url}/lifecycle/events/task.completed`, { task_id: `t-${n}`, summary: 'x' }, token),
      hook_run: (n) => post(hookUrl(hub.hub, 'ci'), { n }),
    };
    try {
      for (const kind of ['event', 'inbox', 'lifecycle', 'hook_run'] as const) {
        const before = stored(dbFile)[kind].records.length;
        failOutbox(kind);
        const refused = await write[kind](1);
        assert.ok(refused.status >= 500, `${kind}: answered ${refused.status}`);
        assert.equal(stored(dbFile)[kind].records.length, before, `no ${kind} stored without its outbox row`);
        failOutbox(null);
        assert.ok((await write[kind](2)).status < 300, `${kind} accepted again`);
      }
      // A notification is raised after its event was answered: its failure is logged, and the
      // notification is not kept (the event is, with its own row).
      failOutbox('notification');
      assert.equal((await post(`${hub.url}/events`, { kind: 'shell', command: 'false', exit_code: 1 })).status, 200);
      await eventually(() => lines.some((l) => l.includes('notification pipeline failed')), 'the failure logged');
      failOutbox(null);
      assert.equal(stored(dbFile).notification.records.length, 0);
      assert.equal((await post(`${hub.url}/events`, { kind: 'shell', command: 'false', exit_code: 1 })).status, 200);
      await eventually(() => stored(dbFile).notification.records.length === 1, 'the next notification stored');
    } finally {
      failOutbox(null);
      other.close();
    }

    const after = stored(dbFile);
    await eventually(() => hub.hub.natsStatus()?.pending === 0, 'the outbox emptied');
    const messages = await streamed(nats.url);
    const expected = KINDS.flatMap((kind) => after[kind].records.map((id) => `${kind} ${id}`)).sort();
    assert.deepEqual(messages.map((m) => `${m.kind} ${m.id}`).sort(), expected, 'each stored record once, no other');
  });
});
