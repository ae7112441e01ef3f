import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdleMemoryTrimmer, type GcFunction } from '../../main/core/util/idle-memory.ts';

test('memory is trimmed once after a burst goes quiet, never while requests keep coming', async () => {
  const calls: Parameters<GcFunction>[0][] = [];
  const trimmer = new IdleMemoryTrimmer({ quietMs: 50, gc: (options) => calls.push(options) });
  trimmer.start();
  try {
    // Busy: activity in every interval, no collection.
    for (let i = 0; i < 40; i++) {
      trimmer.activity();
      await sleep(5);
    }
    assert.equal(calls.length, 0);
    // Quiet: exactly one memory-reducing collection, however long the quiet lasts.
    await sleep(300);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0], { type: 'major', execution: 'sync', flavor: 'last-resort' });
    // The next burst earns the next one.
    trimmer.activity();
    await sleep(300);
    assert.equal(calls.length, 2);
  } finally {
    trimmer.stop();
  }
});
