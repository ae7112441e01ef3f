import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../../main/core/db/database.ts';
import { WalCheckpointer, WalCheckpoints } from '../../../main/core/db/wal-checkpointer.ts';
import { WriteBatcher } from '../../../main/core/db/write-batcher.ts';
import { silentLogger } from '../../../main/core/logger.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const MB = 1024 * 1024;

test('the checkpointer thread keeps the write-ahead log small under steady writes, and nothing written is lost', async () => {
  const file = join(tempDir(), 'hookbox.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE blobs (n INTEGER NOT NULL, data BLOB NOT NULL)');
  db.pragma('busy_timeout = 0'); // as the hub: the batcher retries while a RESTART holds writers off
  const writes = new WriteBatcher(db, { walFile: `${file}-wal` });
  const checkpointer = new WalCheckpointer(db, {
    databaseFile: file,
    logger: silentLogger(),
    walBytes: 1 * MB,
    intervalMs: 20,
  });
  // The hub's connection no longer checkpoints by itself.
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
  const insert = db.prepare('INSERT INTO blobs (n, data) VALUES (?, ?)');
  const blob = Buffer.alloc(64 * 1024, 7);
  let largestWal = 0;
  try {
    // 40 MB in 320 writes of 128 KB, a few per turn: without checkpoints the log would reach ~40 MB.
    // After each 2 MB the writer waits for the worker's next rewind, however slow a loaded
    // machine makes the worker: what is checked is that rewinds keep the log small, not their pace.
    let restartsSeen = 0;
    for (let n = 0; n < 320; n += 2) {
      await Promise.all([
        writes.write(() => insert.run(n, blob) && insert.run(n, blob)),
        writes.write(() => insert.run(n + 1, blob) && insert.run(n + 1, blob)),
      ]);
      largestWal = Math.max(largestWal, statSync(`${file}-wal`).size);
      if (n % 16 === 14) {
        await eventually(() => checkpointer.restarts > restartsSeen, 'the checkpointer to rewind the log', 30_000);
        restartsSeen = checkpointer.restarts;
      }
    }
    await writes.drain();
  } finally {
    await checkpointer.stop();
  }
  assert.ok(largestWal < 12 * MB, `the log grew to ${(largestWal / MB).toFixed(1)} MB`);
  assert.equal((db.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number }).n, 640);
  db.close();
  // Reopened: everything is there.
  const again = openDatabase(file, { readonly: true });
  assert.equal((again.prepare('SELECT count(DISTINCT n) AS n FROM blobs').get() as { n: number }).n, 320);
  again.close();
});

test('a checkpointer thread runs only while writes pour in; otherwise SQLite checkpoints inline as usual', async () => {
  const file = join(tempDir(), 'hookbox.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
  db.pragma('busy_timeout = 0');
  const writes = new WriteBatcher(db, { walFile: `${file}-wal` });
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const checkpoints = new WalCheckpoints(db, writes, { databaseFile: file, logger: silentLogger() });
  checkpoints.start({ checkMs: 50, startPerSecond: 1_000, quietChecks: 2 });
  try {
    // A trickle (a shell prompt now and then): no thread.
    for (let i = 0; i < 5; i++) {
      await writes.write(() => insert.run(i));
      await sleep(30);
    }
    assert.equal(checkpoints.active, false);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    // A flood: the thread takes over and the hub's connection stops checkpointing inline.
    const flood = Date.now();
    while (!checkpoints.active && Date.now() - flood < 5_000) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => writes.write(() => insert.run(i))));
      await sleep(1);
    }
    assert.equal(checkpoints.active, true);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    // Quiet again: the thread goes and inline checkpoints come back.
    await eventually(
      () => !checkpoints.active && db.pragma('wal_autocheckpoint', { simple: true }) === 1000,
      'the thread to stop',
      30_000,
    );
    assert.equal(checkpoints.active, false);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  } finally {
    await checkpoints.stop();
    await writes.drain();
    db.close();
  }
});

test('a checkpointer thread that fails hands checkpoints back to the hub connection, and stopping it still returns', async () => {
  const file = join(tempDir(), 'hookbox.db');
  const db = openDatabase(file);
  const warnings: string[] = [];
  const logger = { ...silentLogger(), warn: (message: string) => void warnings.push(message) } as unknown as ReturnType<
    typeof silentLogger
  >;
  // Its own connection cannot open (no such folder): the thread dies at once.
  const checkpointer = new WalCheckpointer(db, { databaseFile: join(tempDir(), 'missing', 'hookbox.db'), logger });
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
  await eventually(
    () => db.pragma('wal_autocheckpoint', { simple: true }) === 1000,
    'inline checkpoints to come back',
    30_000,
  );
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  assert.match(warnings.join('\n'), /WAL checkpointer (failed|stopped).*checkpoints run on the main thread again/);
  await checkpointer.stop();
  db.close();
});
