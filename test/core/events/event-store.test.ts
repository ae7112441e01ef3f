import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Clock } from '../../../main/core/clock.ts';
import { databaseFile } from '../../../main/core/config/paths.ts';
import { migrate, openDatabase } from '../../../main/core/db/database.ts';
import { MIGRATIONS } from '../../../main/core/db/migrations/index.ts';
import { EventLog } from '../../../main/core/events/event-log.ts';
import { EventStore } from '../../../main/core/events/event-store.ts';
import { WriteBatcher } from '../../../main/core/db/write-batcher.ts';
import { postEvent, startHub } from '../../helpers/hub-fixture.ts';
import { startServe } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const fixedClock = (iso: string): Clock => ({ now: () => new Date(iso) });

describe('database file and migrations', () => {
  test('a new database is created in WAL mode at the latest schema version', () => {
    const file = join(tempDir(), 'sub', 'hookbox.db');
    const db = openDatabase(file);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2); // FULL
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.at(-1)?.version);
    db.close();
    // Opening again applies nothing and keeps data.
    const again = openDatabase(file);
    assert.equal(again.pragma('user_version', { simple: true }), MIGRATIONS.at(-1)?.version);
    again.close();
  });

  test('migrations are numbered 1..n without gaps', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
  });

  test('a database from a newer Hookbox is refused and left untouched', () => {
    const file = join(tempDir(), 'hookbox.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma('user_version = 99');
    raw.close();
    for (const readonly of [false, true]) {
      assert.throws(() => openDatabase(file, { readonly }), {
        code: 'database_too_new',
        message: new RegExp(
          `database ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} has schema version 99, newer than this Hookbox understands \\(${MIGRATIONS.length}\\)`,
        ),
      });
    }
    const check = new Database(file, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), 99);
    check.close();
  });

  test('migrations 5 and 6 rebuild events and notifications without AUTOINCREMENT (and events without the kind index), keeping every row and every link', () => {
    const file = join(tempDir(), 'hookbox.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(
      old,
      file,
      MIGRATIONS.filter((m) => m.version <= 4),
    );
    assert.equal(old.pragma('user_version', { simple: true }), 4);
    const insertEvent = old.prepare(
      "INSERT INTO events (id, received_at, kind, command, exit_code, duration_ms, output, metadata) VALUES (?, '2026-01-01T00:00:00.000Z', 'shell', ?, 1, 5, '', '{}')",
    );
    for (let i = 0; i < 30; i++) insertEvent.run(`e${String(i).padStart(2, '0')}`, `cmd ${i}`);
    old.prepare('DELETE FROM events WHERE seq <= 10').run(); // retention pruned the oldest: seq starts at 11
    old
      .prepare(
        "INSERT INTO notifications (id, created_at, event_id, rule, decided_by, title, message, priority, deliveries) VALUES ('n1', '2026-01-01T00:00:01.000Z', 'e15', 'failure', 'rules', 't', 'm', 'normal', '[]')",
      )
      .run();
    old.close();

    const db = openDatabase(file);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.at(-1)?.version);
    for (const name of ['events', 'notifications']) {
      const table = db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string };
      assert.doesNotMatch(table.sql, /AUTOINCREMENT/, name);
    }
    assert.equal(
      (
        db
          .prepare(
            "SELECT count(*) AS n FROM sqlite_master WHERE name IN ('notifications_event', 'notifications_lifecycle_event')",
          )
          .get() as { n: number }
      ).n,
      2,
    );
    assert.equal(
      (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'events_kind_seq'").get() as { n: number }).n,
      0,
    );
    const rows = db.prepare('SELECT seq, id FROM events ORDER BY seq').all() as { seq: number; id: string }[];
    assert.equal(rows.length, 20);
    assert.deepEqual(
      [rows[0], rows.at(-1)],
      [
        { seq: 11, id: 'e10' },
        { seq: 30, id: 'e29' },
      ],
    );
    assert.equal(
      (db.prepare("SELECT event_id FROM notifications WHERE id = 'n1'").get() as { event_id: string }).event_id,
      'e15',
    );
    // New events continue the sequence; foreign keys are on again and still cascade.
    const store = new EventStore(db);
    store.insert(
      {
        id: 'e30',
        received_at: '2026-01-01T00:00:02.000Z',
        kind: 'shell',
        command: 'new',
        exit_code: 0,
        duration_ms: 1,
        output: '',
        metadata: {},
      },
      1_000,
    );
    assert.equal((db.prepare("SELECT seq FROM events WHERE id = 'e30'").get() as { seq: number }).seq, 31);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    db.prepare("DELETE FROM events WHERE id = 'e15'").run();
    assert.equal((db.prepare('SELECT count(*) AS n FROM notifications').get() as { n: number }).n, 0);
    db.close();
  });

  test('a failing migration rolls back completely', () => {
    const file = join(tempDir(), 'hookbox.db');
    const db = new Database(file);
    const broken = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'broken',
        up: (d: Database.Database) => d.exec('CREATE TABLE half (x); SELECT * FROM nowhere'),
      },
    ];
    assert.throws(() => migrate(db, file, broken));
    assert.equal(db.pragma('user_version', { simple: true }), 0);
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('events', 'half')").get() as {
      n: number;
    };
    assert.equal(tables.n, 0);
    db.close();
  });
});

describe('event log: cache, history and retention', () => {
  function newLog(dir: string, cacheSize: number, retention: number) {
    const db = openDatabase(join(dir, 'hookbox.db'));
    const log = new EventLog({
      store: new EventStore(db),
      writes: new WriteBatcher(db),
      clock: fixedClock('2026-01-02T03:04:05.000Z'),
      cacheSize,
      retention,
    });
    return { db, log };
  }

  test('history is kept beyond the in-memory cache (AGENTD_HISTORY_SIZE)', async () => {
    const { db, log } = newLog(tempDir(), 5, 1000);
    for (let i = 0; i < 12; i += 1) await log.record({ kind: 'shell', command: `c${i}`, exit_code: 0 });
    assert.equal(log.count(), 12);
    assert.deepEqual(
      log.list(3).map((e) => e.command),
      ['c11', 'c10', 'c9'],
    );
    assert.deepEqual(
      log.list(12).map((e) => e.command),
      Array.from({ length: 12 }, (_, i) => `c${11 - i}`),
    );
    const oldest = log.list(12).at(-1);
    assert.ok(oldest && log.get(oldest.id), 'an event older than the cache is found by id');
    db.close();
  });

  test('the oldest events beyond the retention limit are pruned', async () => {
    const { db, log } = newLog(tempDir(), 3, 10);
    for (let i = 0; i < 25; i += 1) await log.record({ kind: 'shell', command: `c${i}`, exit_code: 0 });
    assert.equal(log.count(), 10);
    assert.equal((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 10);
    assert.deepEqual(
      log.list(100).map((e) => e.command),
      Array.from({ length: 10 }, (_, i) => `c${24 - i}`),
    );
    db.close();
  });

  test('the cache is rebuilt from the database on restart', async () => {
    const dir = tempDir();
    const first = newLog(dir, 4, 100);
    for (let i = 0; i < 6; i += 1) await first.log.record({ kind: 'git', command: `h${i}`, exit_code: 0 });
    first.db.close();
    const second = newLog(dir, 4, 100);
    assert.equal(second.log.count(), 6);
    assert.deepEqual(
      second.log.list(2).map((e) => e.command),
      ['h5', 'h4'],
    );
    assert.equal(second.log.list(6).length, 6);
    second.db.close();
  });

  test('events received in the same instant are written as one batch and all acknowledged', async () => {
    const { db, log } = newLog(tempDir(), 500, 1000);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => log.record({ kind: 'shell', command: `p${i}`, exit_code: i % 3 })),
    );
    assert.equal(new Set(results.map((e) => e.id)).size, 200);
    assert.equal((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 200);
    assert.equal(results[0]?.received_at, '2026-01-02T03:04:05.000Z');
    db.close();
  });
});

describe('durability', () => {
  test('every acknowledged event survives a SIGKILL of hookbox serve', async () => {
    const dataDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir], { AGENTD_NOTIFY_ON_FAILURE: 'false' });
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = 0; i < 50; i += 1) {
          const { status, json } = await postEvent(serve.url, {
            kind: 'shell',
            command: `w${worker}-${i}`,
            exit_code: 0,
          });
          if (status === 200) acknowledged.push(json.event_id);
        }
      }),
    );
    assert.equal(await serve.stop('SIGKILL'), null);
    const db = new Database(databaseFile(dataDir), { readonly: true });
    const stored = new Set((db.prepare('SELECT id FROM events').all() as { id: string }[]).map((r) => r.id));
    db.close();
    assert.equal(acknowledged.length, 200);
    assert.deepEqual(
      acknowledged.filter((id) => !stored.has(id)),
      [],
    );
  });

  test('the in-process hub reports the same count as the file', async () => {
    const { url, hub } = await startHub();
    await postEvent(url, { kind: 'system', command: 'x', exit_code: 0 });
    const health = await (await fetch(`${url}/health`)).json();
    assert.equal(health.event_count, 1);
    assert.equal(hub.eventLog.count(), 1);
  });
});
