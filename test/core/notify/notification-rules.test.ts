import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../../main/core/config/settings.ts';
import type { RecordedEvent } from '../../../main/core/events/event-schema.ts';
import { join } from 'node:path';
import { openDatabase } from '../../../main/core/db/database.ts';
import { EventStore } from '../../../main/core/events/event-store.ts';
import {
  evaluateRules,
  isFailure,
  isLongRunning,
  programOf,
  shortCommand,
} from '../../../main/core/notify/notification-rules.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const settings = DEFAULT_SETTINGS.notifications;
const event = (patch: Partial<RecordedEvent>): RecordedEvent => ({
  id: 'e1',
  received_at: '2026-01-01T00:00:00Z',
  kind: 'shell',
  command: 'cargo build',
  exit_code: 0,
  duration_ms: 0,
  output: '',
  metadata: {},
  ...patch,
});

describe('notification rules', () => {
  test('texts say what happened and how long it took', () => {
    assert.deepEqual(evaluateRules(event({ exit_code: 2, duration_ms: 65_000 }), settings), {
      rule: 'failure',
      title: 'Command failed',
      message: 'Failed (exit 2) after 1m 5s: cargo build',
      priority: 'high',
    });
    assert.deepEqual(evaluateRules(event({ command: 'npm test', duration_ms: 45_000 }), settings), {
      rule: 'long_running',
      title: 'Command finished',
      message: 'Done in 45 s: npm test',
      priority: 'normal',
    });
    assert.equal(
      evaluateRules(event({ exit_code: 1, duration_ms: 200 }), settings)?.message,
      'Failed (exit 1): cargo build',
    );
    assert.equal(
      evaluateRules(event({ kind: 'git', command: 'pre-push', exit_code: 1 }), settings)?.title,
      'Git hook failed',
    );
  });

  test('a quick success raises nothing; the threshold is exclusive', () => {
    assert.equal(evaluateRules(event({ duration_ms: 1_000 }), settings), null);
    assert.equal(evaluateRules(event({ duration_ms: 30_000 }), settings), null);
    assert.notEqual(evaluateRules(event({ duration_ms: 30_001 }), settings), null);
  });

  test('each rule can be switched off on its own', () => {
    const noFailure = { ...settings, onFailure: false };
    assert.equal(evaluateRules(event({ exit_code: 1 }), noFailure), null);
    assert.equal(evaluateRules(event({ exit_code: 1, duration_ms: 60_000 }), noFailure)?.rule, 'long_running');
    const noLong = { ...settings, onLongRunning: false };
    assert.equal(evaluateRules(event({ duration_ms: 60_000 }), noLong), null);
    assert.equal(evaluateRules(event({ exit_code: 3, duration_ms: 60_000 }), noLong)?.rule, 'failure');
  });

  test('interactive programs on the ignore list never count as long-running', () => {
    for (const command of [
      'vim notes.md',
      'sudo -E vim /etc/hosts',
      'ssh prod',
      'TERM=xterm htop',
      '/usr/bin/less log',
      'tmux attach',
    ]) {
      assert.equal(evaluateRules(event({ command, duration_ms: 3_600_000 }), settings), null, command);
    }
    // …nor as failed (issue 20: quitting vim with :cq, a dropped ssh connection).
    assert.equal(evaluateRules(event({ command: 'ssh prod', exit_code: 255 }), settings), null);
    assert.equal(evaluateRules(event({ command: 'sudo vim x', exit_code: 1 }), settings), null);
    // A program not on the list, wrapped the same way, still does.
    assert.equal(evaluateRules(event({ command: 'sudo make x', exit_code: 1 }), settings)?.rule, 'failure');
  });

  test('Ctrl-C, SIGTERM and Ctrl-Z are not failures; other signals are', () => {
    for (const exit_code of [130, 143, 148]) {
      assert.equal(isFailure({ exit_code }), false, String(exit_code));
      assert.equal(evaluateRules(event({ exit_code }), settings), null, String(exit_code));
    }
    for (const exit_code of [1, 2, 137, 139, 255, -1]) assert.equal(isFailure({ exit_code }), true, String(exit_code));
    assert.equal(evaluateRules(event({ exit_code: 137 }), settings)?.rule, 'failure');
    // Interrupted after a long run: "finished" (stopped), not "failed".
    assert.equal(
      evaluateRules(event({ exit_code: 130, duration_ms: 60_000 }), settings)?.message,
      'Stopped (exit 130) after 1m 0s: cargo build',
    );
  });

  test('helpers (formatDuration: test/shared/format-duration.test.ts)', () => {
    assert.equal(programOf('FOO=1 BAR=2 nice -n 5 make -j8'), 'make');
    assert.equal(programOf('  '), '');
    assert.equal(programOf('sudo -u postgres psql'), 'psql');
    assert.equal(shortCommand('echo one\necho two'), 'echo one …');
    assert.equal(shortCommand('x'.repeat(100)).length, 80);
  });
});

test("the history's failed and long-running filters are the rules' isFailure and isLongRunning", () => {
  const db = openDatabase(join(tempDir(), 'hookbox.db'));
  try {
    const store = new EventStore(db);
    const events = [
      event({ id: 'ok', exit_code: 0 }),
      event({ id: 'failed', exit_code: 2 }),
      event({ id: 'ctrl-c', exit_code: 130 }),
      event({ id: 'killed', exit_code: 143 }),
      event({ id: 'suspended', exit_code: 148 }),
      event({ id: 'long', command: 'cargo test', duration_ms: 120_000 }),
      event({ id: 'vim', command: 'sudo -E vim /etc/hosts', duration_ms: 600_000 }),
      event({ id: 'ssh', command: 'ssh prod', duration_ms: 900_000, exit_code: 255 }),
    ];
    for (const e of events) store.insert(e, 1_000);
    const ids = (page: { events: RecordedEvent[] }) => page.events.map((e) => e.id).sort();
    assert.deepEqual(
      ids(store.query({ failedOnly: true, limit: 50 })),
      events
        .filter(isFailure)
        .map((e) => e.id)
        .sort(),
    );
    assert.deepEqual(ids(store.query({ failedOnly: true, limit: 50 })), ['failed', 'ssh']);
    const long = store.query({
      longerThanMs: settings.longRunningThresholdMs,
      ignorePrograms: settings.longRunningIgnore,
      limit: 50,
    });
    assert.deepEqual(
      ids(long),
      events
        .filter((e) => isLongRunning(e, settings))
        .map((e) => e.id)
        .sort(),
    );
    assert.deepEqual(ids(long), ['long']);
  } finally {
    db.close();
  }
});
