// Against a real hub: every agent's tool call lands in the events history as kind "agent" (a
// denied one with the rule that denied it, an allowed one completed by its result, paired by
// tool-use id), filterable by agent and session in the app API, never shown to agentd clients;
// and `[claude] inbox` hands waiting messages to Claude Code at Stop and SessionStart.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startLifecycleHub } from '../lifecycle/lifecycle-fixture.ts';
import { claudeSamples } from './fixtures/claude-inputs.ts';
import { codexSamples } from './fixtures/codex-inputs.ts';

const hub = await startLifecycleHub(`
[claude]
inbox = "claude-inbox"

[[lifecycle."pre-tool-call"]]
name = "safety-check"
builtin = "safety-guard"
`);

const claudeHook = async (body: unknown) => {
  const response = await hub.api('/agents/claude/hook', { method: 'POST', body: JSON.stringify(body) });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, any>;
};
const run = async (agent: string, body: unknown) =>
  (await hub.api(`/agents/${agent}/run`, { method: 'POST', body: JSON.stringify(body) })).json();
const queryEvents = async (request: Record<string, unknown>) =>
  (await (await hub.api('/app/rpc/queryEvents', { method: 'POST', body: JSON.stringify(request) })).json()) as {
    events: any[];
    total: number;
  };

describe('the record of agent tool calls', () => {
  test('a denied call shows the handler and the guard rule; an allowed one is completed by its result', async () => {
    await claudeHook({ ...claudeSamples.preTool('rm -rf /'), tool_use_id: 'toolu_denied' });
    await claudeHook({ ...claudeSamples.preTool('npm test'), tool_use_id: 'toolu_ok' });
    await claudeHook({ ...claudeSamples.postTool, tool_use_id: 'toolu_ok' });
    const { events } = await queryEvents({ kind: 'agent', agent: 'claude' });
    const denied = events.find((e) => e.metadata.tool_use_id === 'toolu_denied');
    assert.deepEqual(
      [
        denied.kind,
        denied.command,
        denied.exit_code,
        denied.metadata.decision,
        denied.metadata.rule,
        denied.metadata.session,
      ],
      ['agent', 'Bash: rm -rf /', 2, 'deny', 'safety-check', 'abc123'],
    );
    assert.equal(typeof denied.metadata.guard_rule, 'string');
    assert.match(denied.output, /rm -rf/);
    const ok = events.filter((e) => e.metadata.tool_use_id === 'toolu_ok');
    assert.equal(ok.length, 1, 'pre and post are one record');
    assert.deepEqual(
      [ok[0].exit_code, ok[0].metadata.decision, ok[0].metadata.state, ok[0].output],
      [0, 'allow', 'done', '12 passing'],
    );
    assert.ok(ok[0].duration_ms >= 0);
  });

  test('filters by agent and session; agentd clients never see the agent calls', async () => {
    await run('codex', codexSamples.preTool('git push --force origin main'));
    const codex = await queryEvents({ kind: 'agent', agent: 'codex' });
    assert.equal(codex.events.length, 1);
    assert.equal(codex.events[0].metadata.session, '0199a213-81c0-7800-8aa1-bbab2a035a53');
    assert.equal(
      (await queryEvents({ session: 'abc123' })).events.every((e) => e.metadata.agent === 'claude'),
      true,
    );
    assert.ok(
      (await queryEvents({})).events.some((e) => e.kind === 'agent'),
      'the window shows them beside shell and git',
    );

    const posted = await fetch(`${hub.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'shell', command: 'make', exit_code: 0 }),
    });
    const { event_id } = await posted.json();
    const listed = (await (await fetch(`${hub.url}/events?limit=500`)).json()) as any[];
    assert.deepEqual(
      listed.map((e) => e.id),
      [event_id],
    );
    const agentId = codex.events[0].id;
    assert.equal((await fetch(`${hub.url}/events/${agentId}`)).status, 404);
  });
});

describe('[claude] inbox: waiting messages at Stop and SessionStart', () => {
  const stop = (active: boolean) =>
    claudeHook({ ...claudeSamples.stop, session_id: 'drain', stop_hook_active: active });

  test('Stop takes the waiting messages as the reason to go on, acknowledges them, and stops when none wait', async () => {
    await hub.hub.inbox.inject({ session: 'claude-inbox', source: 'inject', label: 'lead', content: 'rebase on main' });
    await hub.hub.inbox.inject({
      session: 'claude-inbox',
      source: 'inject',
      label: 'lead',
      content: 'then run the tests',
    });
    const answer = await stop(false);
    assert.equal(answer.decision, 'block');
    assert.match(answer.reason, /rebase on main[\s\S]*then run the tests/);
    assert.deepEqual(
      hub.hub.inbox.list('claude-inbox').map((m) => m.state),
      ['acked', 'acked'],
    );
    assert.deepEqual(await stop(true), {});
  });

  test('at most 8 stops in a row are kept going', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      await hub.hub.inbox.inject({ session: 'claude-inbox', source: 'inject', label: 'loop', content: `message ${i}` });
      answers.push((await stop(i > 0)).decision ?? 'stop');
    }
    assert.deepEqual(answers, [
      'block',
      'block',
      'block',
      'block',
      'block',
      'block',
      'block',
      'block',
      'stop',
      'block',
    ]);
  });

  test('SessionStart adds the waiting messages as additionalContext', async () => {
    await hub.hub.inbox.inject({
      session: 'claude-inbox',
      source: 'inject',
      label: 'lead',
      content: 'the API moved to v2',
    });
    const answer = await claudeHook({ ...claudeSamples.sessionStart, session_id: 'fresh', cwd: hub.dir });
    assert.equal(answer.hookSpecificOutput.hookEventName, 'SessionStart');
    assert.match(answer.hookSpecificOutput.additionalContext, /the API moved to v2/);
  });
});
