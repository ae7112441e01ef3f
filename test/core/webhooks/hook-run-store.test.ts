import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { migrate, openDatabase } from '../../../main/core/db/database.ts';
import { MIGRATIONS } from '../../../main/core/db/migrations/index.ts';
import { HookRunStore, type HookRun } from '../../../main/core/webhooks/hook-run-store.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const run = (i: number): HookRun => ({
  id: `run-${String(i).padStart(4, '0')}`,
  hook: 'h',
  session: 'default',
  received_at: new Date(i * 1000).toISOString(),
  source_address: '127.0.0.1',
  method: 'POST',
  path: '/',
  query: '',
  headers: {},
  body: Buffer.from('x'),
  body_size: 1,
  body_truncated: false,
  outcome: 'empty',
  status: 204,
  exit_code: 0,
  stdout: '',
  stderr: '',
  duration_ms: 1,
  message_id: null,
  replay_of: null,
});

test('the hub keeps only the newest runs, while it runs and across a restart', () => {
  const file = join(tempDir(), 'hookbox.db');
  const db = openDatabase(file);
  const store = new HookRunStore(db, { keep: 10 });
  for (let i = 0; i < 25; i += 1) store.insert(run(i), Buffer.from('x'));
  assert.deepEqual(
    store.recent({ limit: 100 }).map((r) => r.id),
    Array.from({ length: 10 }, (_, i) => `run-${String(24 - i).padStart(4, '0')}`),
  );
  // A reader without `keep` (the CLI) never deletes anything.
  const reader = new HookRunStore(db);
  reader.insert(run(25), Buffer.from('x'));
  assert.equal(reader.recent({ limit: 100 }).length, 11);
  db.close();
  const reopened = openDatabase(file);
  assert.equal(new HookRunStore(reopened, { keep: 5 }).recent({ limit: 100 }).length, 5);
  reopened.close();
});

test('migration 10 rebuilds hook_runs without AUTOINCREMENT and the unused (hook, seq) index, keeping every run', () => {
  const file = join(tempDir(), 'hookbox.db');
  const old = new BetterSqlite3(file);
  old.pragma('journal_mode = WAL');
  migrate(
    old,
    file,
    MIGRATIONS.filter((m) => m.version <= 9),
  );
  const before = new HookRunStore(old);
  for (let i = 0; i < 30; i += 1) before.insert({ ...run(i), hook: i % 2 ? 'odd' : 'even' }, Buffer.from(`body ${i}`));
  old.prepare('DELETE FROM hook_runs WHERE seq <= 10').run(); // retention pruned the oldest: seq starts at 11
  old.close();

  const db = openDatabase(file);
  const schema = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'hook_runs'").get() as { sql: string };
  assert.doesNotMatch(schema.sql, /AUTOINCREMENT/);
  const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hook_runs'").all();
  assert.deepEqual(indexes, [{ name: 'sqlite_autoindex_hook_runs_1' }]); // the UNIQUE id only
  assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_sequence WHERE name = 'hook_runs'").pluck().get(), 0);
  const store = new HookRunStore(db);
  assert.deepEqual(
    store.recent({ hook: 'odd', limit: 3 }).map((r) => r.id),
    ['run-0029', 'run-0027', 'run-0025'],
  );
  assert.equal(store.find('run-0010')?.body.toString(), 'body 10');
  assert.equal(store.find('run-0009'), undefined);
  // New runs continue the sequence.
  store.insert(run(30), Buffer.from('x'));
  assert.deepEqual(db.prepare('SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM hook_runs').get(), {
    lo: 11,
    hi: 31,
    n: 21,
  });
  db.close();
});
