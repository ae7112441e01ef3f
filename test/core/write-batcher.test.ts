import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../main/core/db/database.ts';
import { WriteBatcher } from '../../main/core/db/write-batcher.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('writes of one turn commit together; one that throws is rolled back and rejected alone', async () => {
  const db = openDatabase(join(tempDir(), 'hookbox.db'));
  db.exec('CREATE TABLE t (v TEXT NOT NULL UNIQUE)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const writes = new WriteBatcher(db);
  const results = await Promise.allSettled([
    writes.write(() => insert.run('a').changes),
    writes.write(() => {
      insert.run('b');
      insert.run('a'); // violates UNIQUE after 'b' was written: both of this write's rows must go
    }),
    writes.write(() => insert.run('c').changes),
    // A write that itself uses a transaction nests as a savepoint.
    writes.write(() => db.transaction(() => insert.run('d').changes)()),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.match(String((results[1] as PromiseRejectedResult).reason), /UNIQUE/);
  assert.deepEqual((db.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v), ['a', 'c', 'd']);
  assert.equal(db.inTransaction, false);
  db.close();
});
