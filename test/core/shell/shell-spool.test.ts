import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import type { HookEventInput } from '../../../main/core/events/event-schema.ts';
import { ACCEPTING_FILE, ShellSpool, shellSpoolDir, STOPPED_FILE } from '../../../main/core/shell/shell-spool.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { waitForCount } from './event-polling.ts';

// The hub side of the fish integration's spool (main/core/shell/shell-spool.ts): shells append
// one JSON line per command to their own file; the hub records each as POST /events would.

const line = (command: string, exit_code = 0) =>
  `${JSON.stringify({ kind: 'shell', command, exit_code, duration_ms: 5, metadata: { shell: 'fish' } })}\n`;

/** A spool on its own folder, recording into an array (the hub's EventLog in production). */
function spoolAt(dir: string, options: Partial<ConstructorParameters<typeof ShellSpool>[0]> = {}) {
  const recorded: HookEventInput[] = [];
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (text: string) => void warnings.push(JSON.parse(text).msg as string) },
  );
  const spool = new ShellSpool({ dir, logger, record: async (input) => void recorded.push(input), ...options });
  return { spool, recorded, warnings };
}

test('a running hub records the lines shells append, in order; bad lines are skipped, the rest still count', async () => {
  const home = tempDir('hookbox-home-');
  const hub = await startHub({ env: { HOME: home, XDG_DATA_HOME: join(home, 'data') } });
  const dir = shellSpoolDir(hub.address.port, { XDG_DATA_HOME: join(home, 'data') }, home);
  assert.ok(existsSync(join(dir, ACCEPTING_FILE)), 'the hub says it is accepting');

  const file = join(dir, `events.${process.pid}.jsonl`);
  appendFileSync(file, line('make') + line('false', 1));
  appendFileSync(file, `not json at all\n${JSON.stringify({ kind: 'shell', exit_code: 0 })}\n`);
  // A line arriving in two pieces (fish writes long lines 512 bytes at a time) counts once.
  const long = line(`echo ${'x'.repeat(1500)}`);
  appendFileSync(file, long.slice(0, 512));
  await new Promise((resolve) => setTimeout(resolve, 100));
  appendFileSync(file, long.slice(512) + line('ls -la'));
  // A character split between two writes (and so between two reads) stays whole.
  const accented = Buffer.from(line('echo naïve 🎉'));
  const cut = accented.indexOf(Buffer.from('🎉')) + 2;
  appendFileSync(file, accented.subarray(0, cut));
  await new Promise((resolve) => setTimeout(resolve, 100));
  appendFileSync(file, accented.subarray(cut));

  const events = await waitForCount(hub.url, 5, 'the five good lines');
  assert.deepEqual(
    events.map((e) => [e.command, e.exit_code]),
    [
      ['make', 0],
      ['false', 1],
      [`echo ${'x'.repeat(1500)}`, 0],
      ['ls -la', 0],
      ['echo naïve 🎉', 0],
    ],
  );
  assert.equal(events[0]!.metadata.shell, 'fish');
});

test('lines written while no hub ran are recorded at start; the folder says accepting, then stopped', async () => {
  const dir = join(tempDir(), 'spool');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, STOPPED_FILE), '1\n');
  appendFileSync(join(dir, `events.${process.pid}.jsonl`), line('one') + line('two'));
  const { spool, recorded } = spoolAt(dir);

  await spool.start();
  assert.deepEqual(
    recorded.map((e) => e.command),
    ['one', 'two'],
  );
  assert.deepEqual([existsSync(join(dir, ACCEPTING_FILE)), existsSync(join(dir, STOPPED_FILE))], [true, false]);

  // Appended just before the stop: still recorded.
  appendFileSync(join(dir, `events.${process.pid}.jsonl`), line('three'));
  await spool.stop();
  assert.deepEqual(
    recorded.map((e) => e.command),
    ['one', 'two', 'three'],
  );
  assert.deepEqual([existsSync(join(dir, ACCEPTING_FILE)), existsSync(join(dir, STOPPED_FILE))], [false, true]);
});

test("a shell that exited has its file removed once read; a running shell's file stays", async () => {
  const dir = join(tempDir(), 'spool');
  mkdirSync(dir, { recursive: true });
  const exitedPid = 4_000_001; // above Linux's pid_max: no such process
  appendFileSync(join(dir, `events.${exitedPid}.jsonl`), line('from an exited shell'));
  appendFileSync(join(dir, `events.${process.pid}.jsonl`), line('from a running shell'));
  const { spool, recorded } = spoolAt(dir, { isAlive: (pid) => pid === process.pid });
  await spool.start();
  assert.deepEqual(recorded.map((e) => e.command).sort(), ['from a running shell', 'from an exited shell']);
  assert.deepEqual(
    readdirSync(dir).filter((name) => name.startsWith('events.')),
    [`events.${process.pid}.jsonl`],
  );
  await spool.stop();
});

test('rotation under concurrent appends loses and repeats nothing, and keeps each shell in order', async () => {
  const dir = join(tempDir(), 'spool');
  const { spool, recorded, warnings } = spoolAt(dir, { rotateBytes: 4 * 1024 });
  await spool.start();
  const shells = [process.pid, process.ppid];
  for (let i = 0; i < 400; i++) {
    for (const pid of shells) appendFileSync(join(dir, `events.${pid}.jsonl`), line(`${pid} cmd ${i}`));
    if (i % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await spool.settled();
  await spool.stop();
  assert.deepEqual(warnings, []);
  for (const pid of shells) {
    const mine = recorded.map((e) => e.command).filter((c) => c.startsWith(`${pid} `));
    assert.deepEqual(
      mine,
      Array.from({ length: 400 }, (_, i) => `${pid} cmd ${i}`),
    );
  }
  assert.ok(!readdirSync(dir).some((name) => name.includes('.rotated-')), 'rotated files are removed once read');
});

test('the backlog is capped and an over-long line is skipped without blocking the next', async () => {
  const dir = join(tempDir(), 'spool');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `events.${process.pid}.jsonl`);
  for (let i = 0; i < 50; i++) appendFileSync(file, line(`old ${i}`));
  const { spool, recorded, warnings } = spoolAt(dir, { backlogBytes: 10 * line('old 10').length, maxLineBytes: 2_000 });
  await spool.start();
  assert.deepEqual(
    recorded.map((e) => e.command),
    Array.from({ length: 9 }, (_, i) => `old ${41 + i}`),
    'the newest whole lines of the last 10 lines’ bytes',
  );
  assert.match(warnings[0]!, /backlog of \d+ bytes/);

  appendFileSync(file, line('y'.repeat(5_000)) + line('after the long one'));
  await spool.settled();
  assert.equal(recorded.at(-1)!.command, 'after the long one');
  assert.ok(
    warnings.some((w) => /skipped a line longer than the limit/.test(w)),
    warnings.join('\n'),
  );
  await spool.stop();
});

test('a running hub keeps touching "accepting" (fish reads its age), recreates it if removed, and not after stopping', async () => {
  const dir = join(tempDir(), 'spool');
  const { spool } = spoolAt(dir, { heartbeatMs: 50 });
  await spool.start();
  const accepting = join(dir, ACCEPTING_FILE);
  const longAgo = new Date(Date.now() - 120_000);
  utimesSync(accepting, longAgo, longAgo);
  await eventually(() => Date.now() - statSync(accepting).mtimeMs < 5_000, 'the heartbeat to touch accepting');
  rmSync(accepting);
  await eventually(() => existsSync(accepting), 'accepting to be recreated');
  await spool.stop();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual([existsSync(accepting), existsSync(join(dir, STOPPED_FILE))], [false, true]);
});
