// Emitting lifecycle events: over the local API (control token) and `hookbox emit`; unknown names
// and payloads that miss the seed's fields are refused; every event is in the history; the
// default lifecycle notifications, switchable; config errors are one line naming the place.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadHubConfig } from '../../../main/core/config/hub-config.ts';
import { openDatabase } from '../../../main/core/db/database.ts';
import { MIGRATIONS } from '../../../main/core/db/migrations/index.ts';
import { NotificationStore } from '../../../main/core/notify/notification-store.ts';
import { waitForNotifications } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';
import { startLifecycleHub } from './lifecycle-fixture.ts';

describe('emitting events', () => {
  test('unknown names are refused with the known list; payloads are checked against the seed shapes; the token is required', async () => {
    const hub = await startLifecycleHub('');
    const unknown = await hub.api('/lifecycle/events/task.exploded', { method: 'POST', body: '{}' });
    assert.equal(unknown.status, 400);
    assert.equal(
      (await unknown.json()).message,
      "unknown lifecycle event 'task.exploded'; known events: task.created, task.claimed, task.completed, task.failed, task.retried, agent.spawned, agent.heartbeat, agent.completed, agent.killed, agent.stalled, merge.started, merge.completed, merge.conflict, quality_gate.passed, quality_gate.failed, budget.threshold, budget.exceeded, pre-prompt, pre-tool-call, post-tool-call, post-response, on-error, on-claim, pre-close, on-block, pre-compact",
    );
    const cases: Array<[string, unknown, string]> = [
      ['task.created', { task_id: 't1' }, "task.created: missing required field 'goal'"],
      [
        'task.created',
        { task_id: 't1', goal: 'Implement feature X', priority: 'high' },
        "task.created: 'priority' must be an integer",
      ],
      [
        'merge.conflict',
        { branch: 'agent/backend-abc123', conflicting_files: 'src/shared/config.py' },
        "merge.conflict: 'conflicting_files' must be an array",
      ],
      ['agent.spawned', { task_id: 't1' }, "agent.spawned: missing required field 'agent_id'"],
      ['pre-tool-call', { issue_id: 'i1' }, "pre-tool-call: missing required field 'tool_call'"],
    ];
    for (const [event, data, message] of cases) {
      const response = await hub.api(`/lifecycle/events/${event}`, { method: 'POST', body: JSON.stringify(data) });
      assert.equal(response.status, 400, event);
      assert.equal((await response.json()).message, message);
    }
    const anonymous = await fetch(`${hub.url}/lifecycle/events/task.completed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"task_id":"t1"}',
    });
    assert.equal(anonymous.status, 401);
    const { events } = await (await hub.api('/lifecycle/events')).json();
    assert.deepEqual(events, [], 'nothing refused was stored');
  });

  test('every event is stored: the seed payloads, the event name in the path or the body, newest first', async () => {
    const hub = await startLifecycleHub('[lifecycle]\nnotify = false\n');
    const seedPayloads: Array<[string, Record<string, unknown>]> = [
      [
        'task.created',
        {
          task_id: 'task-abc123',
          goal: 'Implement feature X',
          role: 'backend',
          priority: 2,
          scope: ['src/feature_x/'],
          complexity: 'medium',
        },
      ],
      [
        'agent.spawned',
        {
          agent_id: 'agent-xyz',
          task_id: 'task-abc123',
          model: 'sonnet',
          role: 'backend',
          worktree: '/path/to/worktree',
        },
      ],
      [
        'task.completed',
        {
          task_id: 'task-abc123',
          agent_id: 'agent-xyz',
          summary: 'Added feature X with tests',
          files_changed: ['src/feature_x/main.py', 'tests/test_feature_x.py'],
          duration_s: 120.5,
          tokens_used: 45000,
        },
      ],
      [
        'merge.conflict',
        {
          agent_id: 'agent-xyz',
          branch: 'agent/backend-abc123',
          conflicting_files: ['src/shared/config.py'],
          base_branch: 'main',
        },
      ],
    ];
    const ids: string[] = [];
    for (const [event, data] of seedPayloads) ids.push((await hub.emit(event, data)).event_id);
    const viaBody = await hub.api('/lifecycle/events', {
      method: 'POST',
      body: JSON.stringify({ event: 'budget.threshold', data: { spent: 80, limit: 100, percent: 80 } }),
    });
    assert.equal(viaBody.status, 200);
    ids.push((await viaBody.json()).event_id);

    const { events } = await (await hub.api('/lifecycle/events')).json();
    assert.deepEqual(
      events.map((e: any) => e.id),
      [...ids].reverse(),
    );
    assert.deepEqual(events.at(-1).data, seedPayloads[0]![1]);
    assert.ok(events.every((e: any) => e.allowed && e.source === 'api'));
    const one = await (await hub.api(`/lifecycle/events/${ids[3]}`)).json();
    assert.equal(one.event.event, 'merge.conflict');
  });

  test('hookbox emit: --data JSON, @file and - (stdin); exit 1 when a hook blocks; hookbox lifecycle events lists them', async () => {
    const dir = tempDir();
    writeScript(
      dir,
      'no-friday.sh',
      '#!/bin/bash\nif grep -q friday; then echo "no merges on Friday" >&2; exit 1; fi\n',
    );
    const hub = await startLifecycleHub(
      '[lifecycle]\nnotify = false\n\n[[lifecycle."merge.started"]]\nname = "freeze"\ntype = "blocking_script"\ncommand = "./no-friday.sh"\n',
      { dir },
    );
    const base = ['--data-dir', hub.dataDir, 'emit', '--port', String(hub.address.port)];
    const file = join(dir, 'payload.json');
    writeFileSync(file, '{"branch": "agent/a", "agent_id": "a1"}');
    const [inline, fromFile, fromStdin, blocked] = await Promise.all([
      runCli([...base, 'task.claimed', '--data', '{"task_id": "t1", "agent_id": "a1"}']),
      runCli([...base, 'merge.completed', '--data', `@${file}`]),
      runCli([...base, 'task.retried', '--data', '-'], {}, '{"task_id": "t1", "attempt": 2}'),
      runCli([...base, 'merge.started', '--data', '{"branch": "friday-release"}']),
    ]);
    assert.equal(inline.code, 0, inline.stderr);
    assert.match(inline.stdout, /^task\.claimed \S+: allowed\n$/);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stdout, /^merge\.started \S+: blocked by freeze: no merges on Friday\n$/);

    const listed = await runCli(['--data-dir', hub.dataDir, 'lifecycle', 'events']);
    assert.equal(listed.code, 0, listed.stderr);
    for (const event of ['task.claimed', 'merge.completed', 'task.retried'])
      assert.match(listed.stdout, new RegExp(`${event.replace('.', '\\.')}\\s+cli\\s+allowed`));
    assert.match(listed.stdout, /merge\.started\s+cli\s+blocked by freeze: no merges on Friday/);

    const bad = await runCli([...base, 'task.claimed', '--data', '{oops']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--data: not valid JSON/);
  });
});

describe('lifecycle notifications', () => {
  const DEFAULTS: Array<[string, Record<string, unknown>, string, string]> = [
    [
      'task.failed',
      { task_id: 'task-abc123', error: 'Test suite failed', agent_id: 'agent-xyz' },
      'Task failed',
      'task-abc123: Test suite failed (agent agent-xyz)',
    ],
    [
      'agent.stalled',
      { agent_id: 'agent-xyz', task_id: 'task-abc123', stalled_s: 300 },
      'Agent stalled',
      'agent-xyz on task-abc123 (no heartbeat for 300 s)',
    ],
    ['agent.killed', { agent_id: 'agent-xyz', reason: 'out of memory' }, 'Agent killed', 'agent-xyz: out of memory'],
    [
      'merge.conflict',
      { branch: 'agent/backend-abc123', conflicting_files: ['src/shared/config.py'], base_branch: 'main' },
      'Merge conflict',
      'agent/backend-abc123 into main: src/shared/config.py',
    ],
    [
      'quality_gate.failed',
      { task_id: 'task-abc123', gate: 'lint', errors: ['E501 line too long'] },
      'Quality gate failed',
      'task-abc123 (lint): E501 line too long',
    ],
    ['budget.exceeded', { spent: 120.5, limit: 100 }, 'Budget exceeded', 'spent 120.5 of 100'],
  ];

  test('the six defaults raise one notification each, recorded against the lifecycle event; others raise none', async () => {
    const hub = await startLifecycleHub('');
    const raised = waitForNotifications(hub.hub, DEFAULTS.length);
    await hub.emit('task.completed', { task_id: 'task-abc123' });
    await hub.emit('budget.threshold', { spent: 80, limit: 100 });
    const ids: string[] = [];
    for (const [event, data] of DEFAULTS) ids.push((await hub.emit(event, data)).event_id);
    await raised;
    assert.deepEqual(
      hub.notifier.shown.map((n) => [n.title, n.message, n.priority]),
      DEFAULTS.map(([, , title, message]) => [title, message, 'high']),
    );
    assert.deepEqual(
      hub.notifier.shown.map((n) => n.eventId),
      ids,
    );
    const [record] = hub.hub.notifications.forEvent(ids[0]!);
    assert.deepEqual(
      [record?.source, record?.rule, record?.deliveries],
      ['lifecycle', 'lifecycle:task.failed', [{ channel: 'test', ok: true }]],
    );
  });

  test('switchable: `notify` names the events (or false for none); a blocked event notifies nobody', async () => {
    const dir = tempDir();
    writeScript(dir, 'deny.sh', '#!/bin/bash\necho "not now" >&2\nexit 1\n');
    const hub = await startLifecycleHub(
      '[lifecycle]\nnotify = ["task.completed", "agent.killed"]\n\n[[lifecycle."agent.killed"]]\ntype = "blocking_script"\ncommand = "./deny.sh"\n',
      { dir },
    );
    await hub.emit('task.failed', { task_id: 't1', error: 'boom' });
    const blocked = await hub.emit('agent.killed', { agent_id: 'a1' });
    assert.equal(blocked.allowed, false);
    await hub.emit('task.completed', { task_id: 't1', summary: 'done' });
    await eventually(() => hub.notifier.shown.length === 1, 'the task.completed notification');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      hub.notifier.shown.map((n) => [n.title, n.message, n.priority]),
      [['Task completed', 't1 · done', 'normal']],
    );

    writeFileSync(hub.configFile, '[lifecycle]\nnotify = false\n');
    await hub.hub.reloadConfig();
    await hub.emit('task.completed', { task_id: 't2' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(hub.notifier.shown.length, 1);
  });

  test('the agentd notifications from before schema 4 survive the migration and still resolve by event', () => {
    const file = join(tempDir(), 'hookbox.db');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) });
    old
      .prepare(
        "INSERT INTO events (id, received_at, kind, command, exit_code, duration_ms, output, metadata) VALUES ('e1', '2026-01-01T00:00:00Z', 'shell', 'make', 2, 10, '', '{}')",
      )
      .run();
    old
      .prepare(
        "INSERT INTO notifications (id, created_at, event_id, rule, decided_by, title, message, priority, deliveries) VALUES ('n1', '2026-01-01T00:00:01Z', 'e1', 'failure', 'rules', 'Command failed', 'Failed (exit 2): make', 'high', '[]')",
      )
      .run();
    old.close();
    const db = openDatabase(file);
    const [record] = new NotificationStore(db).forEvent('e1');
    assert.deepEqual(
      { ...record },
      {
        id: 'n1',
        created_at: '2026-01-01T00:00:01Z',
        event_id: 'e1',
        source: 'command',
        rule: 'failure',
        decided_by: 'rules',
        title: 'Command failed',
        message: 'Failed (exit 2): make',
        priority: 'high',
        deliveries: [],
        seq: 1,
      },
    );
    db.prepare("DELETE FROM events WHERE id = 'e1'").run();
    assert.deepEqual(new NotificationStore(db).forEvent('e1'), [], 'still cascades');
    db.close();
  });
});

describe('config errors', () => {
  function errorOf(toml: string, env: NodeJS.ProcessEnv = {}): string {
    const file = join(tempDir(), 'config.toml');
    writeFileSync(file, toml);
    try {
      loadHubConfig(file, env);
    } catch (error) {
      return (error as Error).message.replace(file, 'FILE');
    }
    return 'no error';
  }

  test('one line naming the file, the event, the handler and the field', () => {
    assert.equal(
      errorOf('[[lifecycle."task.completed"]]\ntype = "webhook"\nurll = "https://x"\n'),
      "FILE: lifecycle event 'task.completed' handler #1: unknown field 'urll'",
    );
    assert.equal(
      errorOf('[[lifecycle."task.completed"]]\nname = "ci"\ntype = "webhook"\n'),
      "FILE: lifecycle event 'task.completed' handler 'ci': a webhook needs 'url'",
    );
    assert.equal(
      errorOf('[[lifecycle."task.completed"]]\nname = "ci"\ntype = "script"\ncommand = "x"\nurl = "https://x"\n'),
      `FILE: lifecycle event 'task.completed' handler 'ci': 'url' only applies to type = "webhook"`,
    );
    assert.equal(
      errorOf(
        '[[lifecycle."task.completed"]]\nname = "ci"\ntype = "webhook"\nurl = "https://x"\nsecret = "${CI_SECRET}"\n',
      ),
      "FILE: lifecycle event 'task.completed' handler 'ci': 'secret': environment variable CI_SECRET is not set",
    );
    assert.equal(
      errorOf(
        '[[lifecycle."task.created"]]\nname = "v"\ntype = "blocking_script"\ncommand = "python3 check.py | tee log"\n',
      ),
      `FILE: lifecycle event 'task.created' handler 'v': 'command' cannot be split into arguments: it contains shell operators (; && || | &); use command = ["sh", "-c", "…"] to run a shell`,
    );
    assert.equal(
      errorOf('[[lifecycle.pre_tool_call]]\nname = "s"\nscript = "missing.sh"\n').replace(/\/\S+missing\.sh/, 'PATH'),
      "FILE: lifecycle event 'pre_tool_call' handler 's': 'script' PATH does not exist",
    );
    assert.match(
      errorOf('[[lifecycle."task.exploded"]]\ntype = "webhook"\nurl = "https://x"\n'),
      /^FILE: lifecycle\."task\.exploded": unknown lifecycle event 'task\.exploded'; known events: task\.created, .*, on-block, pre-compact \(settings: /,
    );
    assert.equal(
      errorOf('[lifecycle]\nnotify = ["task.failed", "task.fialed"]\n').split(';')[0],
      "FILE: lifecycle: 'notify' names unknown event 'task.fialed'",
    );
    assert.equal(
      errorOf(
        '[[lifecycle."task.completed"]]\nname = "ci"\ntype = "webhook"\nurl = "https://x"\nsecret = "${CI_SECRET}"\n',
        { CI_SECRET: 'set' },
      ),
      'no error',
    );
  });
});
