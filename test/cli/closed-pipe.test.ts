import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../main/core/db/database.ts';
import { EventStore } from '../../main/core/events/event-store.ts';
import { HOOKBOX_CLI } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('a reader that stops early (`hookbox events | head`) ends the CLI quietly, not with an EPIPE crash', async () => {
  const dataDir = tempDir();
  const db = openDatabase(join(dataDir, 'hookbox.db'));
  const store = new EventStore(db);
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) {
      store.insert(
        {
          id: `ev-${String(i).padStart(6, '0')}`,
          received_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
          kind: 'shell',
          command: `make test # run ${i}, long enough that the listing is far over a pipe's 64 KiB`,
          exit_code: 0,
          duration_ms: 10,
          output: '',
          metadata: {},
        },
        1_000_000,
      );
    }
  })();
  db.close();
  for (const format of [[], ['--json']]) {
    const child = spawn(
      process.execPath,
      [HOOKBOX_CLI, 'events', '--limit', '3000', ...format, '--data-dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await once(child.stdout, 'data');
    child.stdout.destroy(); // as `head` does once it has its lines
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(stderr, '', `no crash report (${format.join(' ') || 'table'})`);
    assert.equal(code, 0);
  }
});
