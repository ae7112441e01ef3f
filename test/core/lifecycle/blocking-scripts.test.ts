// Bernstein's script and blocking_script handlers, in bash and python3: the envelope on stdin, a
// non-zero exit blocks with the script's own words, a timeout is decided by the handler's
// explicit policy (block by default, or allow), and the seed's validate_task.py and Slack
// notifier run unchanged (the notifier's URL constant points at a local receiver).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { eventually, startReceiver } from '../../helpers/http-receiver.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { FakeClock, FIXTURES, startLifecycleHub } from './lifecycle-fixture.ts';

async function runsOf(hub: { api: (p: string) => Promise<Response> }, eventId: string): Promise<any[]> {
  return (await (await hub.api(`/lifecycle/events/${eventId}`)).json()).runs;
}

describe('blocking_script', () => {
  test('bash and python3: exit 0 allows, a non-zero exit blocks with the reason from the script; the caller gets {allowed, reason, hook, duration_ms}', async () => {
    const dir = tempDir();
    writeScript(
      dir,
      'role-check.sh',
      `#!/bin/bash
input=$(cat)
role=$(echo "$input" | jq -r '.data.role // empty')
if [ "$(echo "$input" | jq -r .event)" != "task.created" ]; then echo "wrong envelope" >&2; exit 1; fi
if [ "$role" = "prod" ]; then
  echo "role prod needs a human" >&2
  exit 1
fi
exit 0
`,
    );
    writeScript(
      dir,
      'budget_check.py',
      `#!/usr/bin/env python3
import json, sys
event = json.load(sys.stdin)
if event["data"].get("priority", 0) > 3:
    print("priority above 3 needs approval")
    sys.exit(4)
`,
    );
    const hub = await startLifecycleHub(
      `[[lifecycle."task.created"]]\nname = "role"\ntype = "blocking_script"\ncommand = "bash role-check.sh"\n\n[[lifecycle."task.created"]]\nname = "budget"\ntype = "blocking_script"\ncommand = ["python3", "budget_check.py"]\n`,
      { dir },
    );
    const ok = await hub.emit('task.created', {
      task_id: 't1',
      goal: 'Implement feature X',
      role: 'backend',
      priority: 2,
    });
    assert.equal(ok.allowed, true);
    assert.equal(ok.reason, null);
    assert.equal(typeof ok.duration_ms, 'number');
    assert.deepEqual(
      ok.runs.map((r: any) => [r.hook, r.outcome, r.exit_code]),
      [
        ['role', 'allowed', 0],
        ['budget', 'allowed', 0],
      ],
    );

    const bash = await hub.emit('task.created', { task_id: 't2', goal: 'Deploy to production', role: 'prod' });
    assert.deepEqual(
      { allowed: bash.allowed, reason: bash.reason, hook: bash.hook },
      { allowed: false, reason: 'role prod needs a human', hook: 'role' },
    );
    assert.deepEqual(bash.not_run, ['budget'], 'the first block stops the chain');

    const python = await hub.emit('task.created', { task_id: 't3', goal: 'Refactor everything', priority: 5 });
    assert.deepEqual(
      { allowed: python.allowed, reason: python.reason, hook: python.hook },
      { allowed: false, reason: 'priority above 3 needs approval', hook: 'budget' },
    );
    assert.equal(python.runs[1].exit_code, 4);

    const history = await (await hub.api('/lifecycle/events?event=task.created')).json();
    assert.deepEqual(
      history.events.map((e: any) => [e.data.task_id, e.allowed, e.hook]),
      [
        ['t3', false, 'budget'],
        ['t2', false, 'role'],
        ['t1', true, null],
      ],
    );
  });

  test('a timeout under each policy, in bash and python3: block (the default) refuses, allow lets it through; the script is killed at the timeout', async () => {
    const dir = tempDir();
    writeScript(dir, 'slow.sh', '#!/bin/bash\ncat > /dev/null\nsleep 60\n');
    writeScript(dir, 'slow.py', '#!/usr/bin/env python3\nimport sys, time\nsys.stdin.read()\ntime.sleep(60)\n');
    const hub = await startLifecycleHub(
      [
        `[[lifecycle."task.claimed"]]\nname = "slow-bash"\ntype = "blocking_script"\ncommand = "./slow.sh"\ntimeout_s = 0.4\n`,
        `[[lifecycle."task.retried"]]\nname = "slow-bash"\ntype = "blocking_script"\ncommand = "./slow.sh"\ntimeout_s = 0.4\non_failure = "allow"\n`,
        `[[lifecycle."agent.spawned"]]\nname = "slow-python"\ntype = "blocking_script"\ncommand = ["python3", "slow.py"]\ntimeout_s = 0.6\non_failure = "block"\n`,
        `[[lifecycle."agent.completed"]]\nname = "slow-python"\ntype = "blocking_script"\ncommand = ["python3", "slow.py"]\ntimeout_s = 0.6\non_failure = "allow"\n`,
      ].join('\n'),
      { dir },
    );
    const cases = [
      { event: 'task.claimed', data: { task_id: 't1' }, allowed: false, seconds: 0.4, policy: 'block' },
      { event: 'task.retried', data: { task_id: 't1' }, allowed: true, seconds: 0.4, policy: 'allow' },
      { event: 'agent.spawned', data: { agent_id: 'a1' }, allowed: false, seconds: 0.6, policy: 'block' },
      { event: 'agent.completed', data: { agent_id: 'a1' }, allowed: true, seconds: 0.6, policy: 'allow' },
    ];
    const replies = await Promise.all(cases.map((c) => hub.emit(c.event, c.data)));
    replies.forEach((reply, i) => {
      const c = cases[i]!;
      assert.equal(reply.allowed, c.allowed, c.event);
      const [run] = reply.runs;
      assert.equal(run.outcome, 'failed');
      assert.equal(run.policy, c.policy);
      assert.equal(run.decision, c.policy);
      assert.match(run.error, new RegExp(`timed out after ${c.seconds} s`));
      assert.ok(
        run.duration_ms < 30_000,
        `${c.event}: killed at the timeout, not after the 60 s sleep (${run.duration_ms} ms)`,
      );
      if (!c.allowed) {
        assert.match(
          reply.reason,
          new RegExp(`^${reply.hook} failed \\(timed out after ${c.seconds} s.*\\); its on_failure policy is block$`),
        );
      }
    });
    // The policy is visible to the user before anything runs.
    const handlers = await (await hub.api('/lifecycle/handlers')).json();
    assert.deepEqual(
      handlers.handlers.map((h: any) => [h.event, h.on_failure, h.timeout_s]),
      [
        ['task.claimed', 'block', 0.4],
        ['task.retried', 'allow', 0.4],
        ['agent.spawned', 'block', 0.6],
        ['agent.completed', 'allow', 0.6],
      ],
    );
  });

  test("the seed's validate_task.py runs unchanged (command relative to the config file, as the seed writes it); a blocked event sends no webhook", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'scripts'));
    copyFileSync(join(FIXTURES, 'validate_task.py'), join(dir, 'scripts/validate_task.py'));
    const receiver = await startReceiver();
    const hub = await startLifecycleHub(
      `[[lifecycle."task.created"]]\nname = "validate"\ntype = "blocking_script"\ncommand = "python3 scripts/validate_task.py"\ntimeout_s = 5\n\n[[lifecycle."task.created"]]\ntype = "webhook"\nurl = "${receiver.url}/created"\n`,
      { dir },
    );
    const noScope = await hub.emit('task.created', { task_id: 'task-abc123', goal: 'Implement feature X' });
    assert.deepEqual(
      [noScope.allowed, noScope.hook, noScope.reason],
      [false, 'validate', 'ERROR: Tasks must have a scope defined'],
    );
    const short = await hub.emit('task.created', { task_id: 'task-abc124', goal: 'Short', scope: ['src/'] });
    assert.deepEqual([short.allowed, short.reason], [false, 'ERROR: Task goal too short']);
    assert.deepEqual([noScope.deliveries, short.deliveries], [[], []]);

    const good = await hub.emit('task.created', {
      task_id: 'task-abc125',
      goal: 'Implement feature X',
      role: 'backend',
      priority: 2,
      scope: ['src/feature_x/'],
      complexity: 'medium',
    });
    assert.equal(good.allowed, true);
    await eventually(() => receiver.received.length === 1, 'the webhook of the allowed task');
    assert.equal(JSON.parse(receiver.received[0]!.body).data.task_id, 'task-abc125');
  });
  test("each handler's start is read from the hub's clock, as the event's time is", async () => {
    const dir = tempDir();
    writeScript(dir, 'ok.sh', '#!/bin/sh\nexit 0\n');
    const clock = new FakeClock(Date.parse('2020-01-02T03:04:05Z'));
    const hub = await startLifecycleHub(
      `[[lifecycle."task.created"]]\nname = "ok"\ntype = "blocking_script"\ncommand = "sh ok.sh"\n`,
      { dir, clock },
    );
    const emitted = await hub.emit('task.created', { task_id: 't1', goal: 'g' });
    assert.deepEqual(
      emitted.runs.map((r: any) => [r.hook, r.started_at]),
      [['ok', '2020-01-02T03:04:05.000Z']],
    );
    const stored = (await (await hub.api(`/lifecycle/events/${emitted.event_id}`)).json()) as any;
    assert.equal(stored.event.received_at, '2020-01-02T03:04:05.000Z');
    assert.deepEqual(
      stored.runs.map((r: any) => r.started_at),
      ['2020-01-02T03:04:05.000Z'],
    );
  });
});

describe('script (not blocking)', () => {
  test("the seed's Slack notifier runs unchanged against a local receiver: the envelope on stdin, exit status and output recorded", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'scripts'));
    const slack = await startReceiver();
    // The one edit the seed invites: its SLACK_WEBHOOK constant.
    const original = readFileSync(join(FIXTURES, 'notify_slack.py'), 'utf8');
    const edited = original.replace(
      /^SLACK_WEBHOOK = ".*"$/m,
      `SLACK_WEBHOOK = "${slack.url}/services/T000/B000/XXXX"`,
    );
    assert.deepEqual(
      original.split('\n').filter((line, i) => line !== edited.split('\n')[i]),
      ['SLACK_WEBHOOK = "https://hooks.slack.com/services/T.../B.../..."'],
    );
    writeFileSync(join(dir, 'scripts/notify_slack.py'), edited);
    writeScript(
      dir,
      'count.sh',
      '#!/bin/bash\nevent=$(jq -r .event)\necho "saw $event"\necho "and complained" >&2\nexit 3\n',
    );
    const hub = await startLifecycleHub(
      `[lifecycle]\nnotify = false\n\n[[lifecycle."task.failed"]]\nname = "slack"\ntype = "script"\ncommand = ["python3", "scripts/notify_slack.py"]\n\n[[lifecycle."task.failed"]]\nname = "count"\ntype = "script"\ncommand = "./count.sh"\n`,
      { dir },
    );
    const reply = await hub.emit('task.failed', {
      task_id: 'task-abc123',
      error: 'Test suite failed',
      agent_id: 'agent-xyz',
    });
    assert.equal(reply.allowed, true);
    assert.deepEqual(reply.background, ['slack', 'count']);
    assert.deepEqual(reply.runs, [], 'scripts are not part of the decision');

    await eventually(() => slack.received.length === 1, 'the Slack message');
    const message = JSON.parse(slack.received[0]!.body);
    assert.equal(slack.received[0]!.url, '/services/T000/B000/XXXX');
    assert.equal(message.text, ':x: Task `task-abc123` failed: Test suite failed');
    assert.equal(
      message.blocks[0].text.text,
      '*Task Failed*\nTask: `task-abc123`\nAgent: `agent-xyz`\nError: Test suite failed',
    );

    let runs: any[] = [];
    const deadline = Date.now() + 30_000;
    while (runs.length < 2 && Date.now() < deadline) {
      runs = await runsOf(hub, reply.event_id);
      if (runs.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    const byHook = Object.fromEntries(runs.map((r) => [r.hook, r]));
    assert.deepEqual([byHook.slack.outcome, byHook.slack.exit_code], ['ok', 0]);
    assert.deepEqual(
      [byHook.count.outcome, byHook.count.exit_code, byHook.count.stdout, byHook.count.stderr],
      ['failed', 3, 'saw task.failed\n', 'and complained\n'],
    );
  });
});
