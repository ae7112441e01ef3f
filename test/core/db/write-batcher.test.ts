import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../../main/core/db/database.ts';
import { WriteBatcher } from '../../../main/core/db/write-batcher.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

for (const mode of ['fsync in COMMIT', 'WAL synced off the event loop'] as const) {
  test(`${mode}: writes of one turn commit together; one that throws is rolled back and rejected alone`, async () => {
    const file = join(tempDir(), 'hookbox.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (v TEXT NOT NULL UNIQUE)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const writes = new WriteBatcher(db, mode === 'fsync in COMMIT' ? {} : { walFile: `${file}-wal` });
    assert.equal(db.pragma('synchronous', { simple: true }), mode === 'fsync in COMMIT' ? 2 : 1); // FULL : NORMAL
    const results = await Promise.allSettled([
      writes.write(() => insert.run('a').changes),
      writes.write(() => {
        insert.run('b');
        insert.run('a'); // violates UNIQUE after 'b' was written: both of this write's rows must go
      }),
      writes.write(() => insert.run('c').changes),
      // A write that itself uses a transaction nests as a savepoint.
      writes.write(() => db.transaction(() => insert.run('d').changes)()),
      // A one-statement write runs without a savepoint: its failure is undone by SQLite alone.
      writes.write(() => insert.run('c'), { oneStatement: true }),
      writes.write(() => insert.run('e').changes, { oneStatement: true }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.match(String((results[4] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.deepEqual(
      (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v),
      ['a', 'c', 'd', 'e'],
    );
    assert.equal(db.inTransaction, false);
    // Writes queued from separate turns while a sync is in flight all settle, in order.
    const later: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      later.push(writes.write(() => insert.run(`n${i}`).changes, { oneStatement: true }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await Promise.all(later), Array(20).fill(1));
    await writes.drain();
    // Another connection (another process, after a crash) sees every acknowledged row.
    const reader = openDatabase(file, { readonly: true });
    assert.equal((reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 24);
    reader.close();
    db.close();
  });
}

test('while another connection holds the write lock, writes wait without blocking the event loop, then commit', async () => {
  const file = join(tempDir(), 'hookbox.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
  db.pragma('busy_timeout = 0'); // as the hub sets it
  const writes = new WriteBatcher(db, { walFile: `${file}-wal` });
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  // Another process, say: it takes the write lock and keeps it for a while.
  const other = openDatabase(file);
  other.exec('BEGIN IMMEDIATE');
  other.prepare('INSERT INTO t (v) VALUES (?)').run(0);
  let settled = 0;
  const pending = [1, 2, 3].map((v) => writes.write(() => insert.run(v)).then(() => (settled += 1)));
  // The event loop keeps turning: timers fire while the writes wait for the lock.
  const started = performance.now();
  let ticks = 0;
  while (performance.now() - started < 100) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    ticks += 1;
  }
  assert.ok(ticks >= 5, `the event loop was blocked (${ticks} timer turns in 100 ms)`);
  assert.equal(settled, 0);
  other.exec('COMMIT');
  await Promise.all(pending);
  assert.deepEqual(
    (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: number }[]).map((r) => r.v),
    [0, 1, 2, 3],
  );
  await writes.drain();
  other.close();
  db.close();
});

test('flush() while a WAL sync is in flight commits at once (readable), and the write settles after its own sync', async () => {
  const file = join(tempDir(), 'hookbox.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE t (v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const count = () => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  const writes = new WriteBatcher(db, { walFile: `${file}-wal` });
  const first = writes.write(() => insert.run('first'), { oneStatement: true });
  writes.flush(); // committed; its WAL sync is now in flight
  assert.equal(count(), 1);
  const second = writes.write(() => insert.run('second'), { oneStatement: true });
  assert.equal(count(), 1, 'queued behind the sync in flight: not committed yet');
  writes.flush();
  assert.equal(count(), 2, 'flush() commits it now');
  await Promise.all([first, second]);
  await writes.drain();
  db.close();
});

test('a write with durable: false settles at its commit, a durable one only after the WAL sync; both are on disk after drain()', async () => {
  const file = join(tempDir(), 'hookbox.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE t (v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const writes = new WriteBatcher(db, { walFile: `${file}-wal` });
  const settled: string[] = [];
  const durable = writes.write(() => insert.run('durable'), { oneStatement: true }).then(() => settled.push('durable'));
  const visible = writes
    .write(() => insert.run('visible'), { oneStatement: true, durable: false })
    .then(() => settled.push('visible'));
  writes.flush();
  // The fdatasync's callback needs a turn of the event loop; promise callbacks alone do not give it one.
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.deepEqual(settled, ['visible']);
  await Promise.all([durable, visible]);
  assert.deepEqual(settled, ['visible', 'durable']);
  // Queued while a sync is in flight, a write with durable: false is still committed in its own turn.
  const first = writes.write(() => insert.run('first'), { oneStatement: true });
  writes.flush();
  await writes.write(() => insert.run('during the sync'), { oneStatement: true, durable: false });
  await first;
  await writes.drain();
  db.close();
  const reader = openDatabase(file, { readonly: true });
  assert.deepEqual(
    (reader.prepare('SELECT v FROM t ORDER BY rowid').all() as { v: string }[]).map((r) => r.v),
    ['durable', 'visible', 'first', 'during the sync'],
  );
  reader.close();
});

test('durable: false settles once committed even where the WAL cannot be synced; a durable write in the same commit hears of the failure', async () => {
  const file = join(tempDir(), 'hookbox.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE t (v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  // A WAL path that cannot be opened: every sync fails, so a write that waited for one would reject.
  const writes = new WriteBatcher(db, { walFile: join(file, 'no-such-dir', 'wal') });
  const [quick, durable] = await Promise.allSettled([
    writes.write(() => insert.run('quick').changes, { durable: false }),
    writes.write(() => insert.run('durable').changes),
  ]);
  assert.deepEqual(quick, { status: 'fulfilled', value: 1 });
  assert.equal(durable.status, 'rejected', 'the sync was attempted and its failure reported to the durable write');
  assert.match(String((durable as PromiseRejectedResult).reason), /ENOTDIR|ENOENT/);
  // A lone quick write waits for no sync: it settles, and the row stays committed.
  assert.equal(await writes.write(() => insert.run('again').changes, { durable: false }), 1);
  assert.deepEqual(
    (db.prepare('SELECT v FROM t ORDER BY rowid').all() as { v: string }[]).map((r) => r.v),
    ['quick', 'durable', 'again'],
  );
});
