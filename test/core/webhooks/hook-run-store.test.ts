import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../../main/core/db/database.ts';
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
