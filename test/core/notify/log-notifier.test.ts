import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { createLogNotifier, type DesktopNotification } from '../../../main/core/notify/notifier.ts';

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

const failed = (n: number): DesktopNotification => ({
  title: 'Command failed',
  message: `run ${n}`,
  priority: 'high',
  eventId: `e${n}`,
});

test('the log notifier writes one line per notification up to the limit, then one summary per second', async () => {
  const { logger, lines } = capturedLogger();
  let now = 0;
  const notifier = createLogNotifier(logger, { linesPerSecond: 2, now: () => now });
  for (let n = 1; n <= 5; n++) await notifier.notify(failed(n));
  assert.deepEqual(lines, ['notification: Command failed: run 1', 'notification: Command failed: run 2']);

  // The next second starts with the summary of the previous one, then full lines again.
  now = 1_000;
  await notifier.notify(failed(6));
  assert.deepEqual(lines.slice(2), [
    'notification: 3 more in the last second, not shown one by one (each is recorded with its event)',
    'notification: Command failed: run 6',
  ]);
});

test('a flood that stops is summarised when its second ends, without another notification', async () => {
  const { logger, lines } = capturedLogger();
  let now = 0;
  const notifier = createLogNotifier(logger, { linesPerSecond: 1, now: () => now });
  await notifier.notify(failed(1));
  now = 980; // 20 ms before the second ends
  await notifier.notify(failed(2));
  await notifier.notify(failed(3));
  assert.equal(lines.length, 1);
  await sleep(200);
  assert.deepEqual(lines.slice(1), [
    'notification: 2 more in the last second, not shown one by one (each is recorded with its event)',
  ]);
});
