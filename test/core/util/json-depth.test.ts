import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { Readable } from 'node:stream';
import { readData } from '../../../main/cli/commands/lifecycle-commands.ts';
import { parseConfigText } from '../../../main/core/config/config-file.ts';
import type { HookEventInput } from '../../../main/core/events/event-schema.ts';
import { parseJson } from '../../../main/core/agents/agent-adapter.ts';
import { agentAdapter } from '../../../main/core/agents/agent-hooks.ts';
import { installAgentHooks } from '../../../main/core/agents/agent-install.ts';
import { ShellSpool } from '../../../main/core/shell/shell-spool.ts';
import { JSON_MAX_DEPTH, jsonTextTooDeep, parseJsonInput } from '../../../main/core/util/json-input.ts';
import { analyzeEvent } from '../../../main/core/notify/remote-calls.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { startReceiver } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';
import { startLifecycleHub } from '../lifecycle/lifecycle-fixture.ts';

// One nesting limit for every JSON input (main/core/util/json-input.ts). Before it, a body nested
// ~5,000+ levels crashed JSON.stringify while storing it: a 500 instead of a 400.

/** `levels` objects inside each other around `leaf`: `{"a":{"a":1}}` is 2 levels. */
const nested = (levels: number, leaf = '1') => `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;

/** The issue's reproduction: a shell event whose metadata nests `d` levels (the body d + 1). */
const deepEvent = (d: number) => `{"kind":"shell","command":"x","exit_code":0,"metadata":${nested(d)}}`;

const TOO_DEEP = new RegExp(`deeper than ${JSON_MAX_DEPTH} levels`);

test('the depth scan: brackets inside strings and escapes do not count; the limit is inclusive', () => {
  assert.equal(jsonTextTooDeep(nested(JSON_MAX_DEPTH)), false);
  assert.equal(jsonTextTooDeep(nested(JSON_MAX_DEPTH + 1)), true);
  assert.equal(jsonTextTooDeep(JSON.stringify({ s: '{'.repeat(1000) + '[\\"{{{'.repeat(100) })), false);
  assert.equal(
    jsonTextTooDeep(`[${'['.repeat(JSON_MAX_DEPTH)}"\\\\"${']'.repeat(JSON_MAX_DEPTH)}]`),
    true,
    'an escaped backslash ends its escape',
  );
  assert.deepEqual(parseJsonInput(nested(JSON_MAX_DEPTH)), JSON.parse(nested(JSON_MAX_DEPTH)));
  assert.throws(() => parseJsonInput(nested(10_000), 'the thing'), {
    name: 'JsonTooDeepError',
    message: `the thing nests objects/arrays deeper than ${JSON_MAX_DEPTH} levels (the limit for JSON input)`,
  });
  assert.throws(() => parseJsonInput('{"__proto__":{"x":1}}'), SyntaxError);
});

describe('API bodies', async () => {
  const { url, hub } = await startHub();
  const auth = { authorization: `Bearer ${hub.controlToken}`, 'content-type': 'application/json' };
  const seed = await (
    await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'shell', command: 'seed', exit_code: 0, metadata: { keep: [1, { me: true }] } }),
    })
  ).json();

  test("the issue's 10,000-level POST /events gets 400 naming the limit, and stored events are intact", async () => {
    const response = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deepEvent(10_000),
    });
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.deepEqual({ ...body, message: undefined }, { success: false, error: 'json_too_deep', message: undefined });
    assert.match(body.message, new RegExp(`^request body nests objects/arrays deeper than ${JSON_MAX_DEPTH} levels`));
    const stored = await (await fetch(`${url}/events/${seed.event_id}`)).json();
    assert.deepEqual([stored.command, stored.metadata], ['seed', { keep: [1, { me: true }] }]);
    assert.equal((await (await fetch(`${url}/health`)).json()).event_count, 1);
  });

  test('exactly at the limit is stored; one level more is refused', async () => {
    const at = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deepEvent(JSON_MAX_DEPTH - 1),
    });
    assert.equal(at.status, 200);
    const { event_id } = await at.json();
    assert.deepEqual(
      (await (await fetch(`${url}/events/${event_id}`)).json()).metadata,
      JSON.parse(nested(JSON_MAX_DEPTH - 1)),
    );
    const over = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deepEvent(JSON_MAX_DEPTH),
    });
    assert.equal(over.status, 400);
    assert.equal((await over.json()).error, 'json_too_deep');
  });

  // Every route that reads a body, with a valid token: the parser refuses before any handler runs.
  const routes = [
    '/sessions/deep/messages',
    '/schedules',
    '/hooks/claims',
    '/hooks/claims/some-claim/renew',
    '/app/rpc/injectMessage',
    '/app/rpc/queryEvents',
    '/app/rpc/saveConfig',
    '/lifecycle/events/task.completed',
    '/lifecycle/events',
    '/agents/claude/hook',
    '/agents/claude/run',
  ];
  for (const route of routes) {
    test(`POST ${route} with 10,000 levels → 400 json_too_deep`, async () => {
      const response = await fetch(`${url}${route}`, {
        method: 'POST',
        headers: auth,
        body: `{"content":"x","data":${nested(10_000)}}`,
      });
      assert.equal(response.status, 400);
      const body = await response.json();
      assert.equal(body.error, 'json_too_deep');
      assert.match(body.message, TOO_DEEP);
    });
  }

  test('nothing of those was stored', async () => {
    assert.deepEqual((await (await fetch(`${url}/sessions/deep/inbox`, { headers: auth })).json()).messages, []);
    assert.deepEqual((await (await fetch(`${url}/lifecycle/events`, { headers: auth })).json()).events, []);
    assert.deepEqual((await (await fetch(`${url}/schedules`, { headers: auth })).json()).schedules, []);
  });
});

test('shell spool lines nested too deep are skipped and logged; the lines around them are recorded', async () => {
  const dir = join(tempDir(), 'spool');
  mkdirSync(dir, { recursive: true });
  const line = (command: string) => JSON.stringify({ kind: 'shell', command, exit_code: 0 });
  writeFileSync(
    join(dir, `events.${process.pid}.jsonl`),
    `${line('before')}\n${deepEvent(10_000)}\n${line('after')}\n`,
  );
  const recorded: HookEventInput[] = [];
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (text: string) => void warnings.push(JSON.parse(text).msg as string) },
  );
  const spool = new ShellSpool({ dir, logger, record: async (input) => void recorded.push(input) });
  await spool.start();
  await spool.stop();
  assert.deepEqual(
    recorded.map((e) => e.command),
    ['before', 'after'],
  );
  assert.equal(spool.skipped, 1);
  assert.match(warnings.join('\n'), new RegExp(`skipped a line nested deeper than ${JSON_MAX_DEPTH} levels`));
});

test("a lifecycle script's Result nested too deep is a failed run naming the limit, decided by its policy", async () => {
  const dir = tempDir();
  const resultFile = join(dir, 'deep-result.json');
  writeFileSync(resultFile, `{"block":false,"data":${nested(10_000)}}`);
  writeScript(dir, 'deep.sh', `#!/bin/sh\ncat >/dev/null\ncat "${resultFile}"\n`);
  const hub = await startLifecycleHub('[[lifecycle."pre-close"]]\nname = "deep"\nscript = "deep.sh"\n', { dir });
  const reply = await hub.emit('pre-close', { issue_id: 'x' });
  assert.equal(reply.allowed, false);
  assert.equal(reply.runs[0].outcome, 'failed');
  assert.match(reply.runs[0].error, TOO_DEEP);
  // The hub still answers and kept the event.
  assert.equal((await (await hub.api('/lifecycle/events')).json()).events.length, 1);
});

test('config: TOML nested too deep (inline or by dotted keys) is an error naming the limit', () => {
  assert.throws(() => parseConfigText(`x = ${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'c.toml'), {
    code: 'invalid_config',
    message: /^c\.toml:1:\d+: .*nested/,
  });
  assert.throws(() => parseConfigText(`a${'.b'.repeat(10_000)} = 1`, 'c.toml'), {
    code: 'invalid_config',
    message: `c.toml: nests tables/arrays deeper than ${JSON_MAX_DEPTH} levels (the limit for structured input)`,
  });
});

test("Claude Code's hook input and settings.json nested too deep are refused; the settings file is left as it was", () => {
  assert.throws(() => parseJson('Claude Code', `{"hook_event_name":"Stop","session_id":"s","x":${nested(10_000)}}`), {
    code: 'invalid_input',
    message: TOO_DEEP,
  });
  const file = join(tempDir(), 'settings.json');
  const original = `{"permissions":${nested(10_000)}}\n`;
  writeFileSync(file, original);
  const claude = agentAdapter('claude');
  assert.throws(
    () => installAgentHooks(claude, claude.hooksFile, { file, command: () => 'hookbox agent-hook claude' }),
    {
      code: 'invalid_input',
      message: /settings\.json nests .*deeper than 64 levels .*nothing was changed$/,
    },
  );
  assert.equal(readFileSync(file, 'utf8'), original);
});

test("an analysis server's answer nested too deep is a failed analysis naming the limit (the rules decide)", async () => {
  const receiver = await startReceiver((_request, res) => res.end(`{"should_notify":true,"x":${nested(10_000)}}`));
  const event = {
    id: 'e',
    received_at: new Date().toISOString(),
    kind: 'shell' as const,
    command: 'x',
    exit_code: 1,
    duration_ms: 1,
    output: '',
    metadata: {},
  };
  const result = await analyzeEvent(fetch, `${receiver.url}/analyze`, event, 5_000);
  assert.equal(result.ok, false);
  assert.match((result as { error: string }).error, /the analysis answer nests objects\/arrays deeper than 64 levels/);
  assert.equal(receiver.received.length, 1);
});

test('hookbox emit --data nested too deep (argument, file or stdin) is refused before anything is sent', async () => {
  const file = join(tempDir(), 'deep.json');
  writeFileSync(file, nested(10_000));
  await assert.rejects(readData(nested(10_000), Readable.from([])), {
    code: 'invalid_input',
    message: `--data nests objects/arrays deeper than ${JSON_MAX_DEPTH} levels (the limit for JSON input)`,
  });
  await assert.rejects(readData(`@${file}`, Readable.from([])), { code: 'invalid_input', message: TOO_DEEP });
  await assert.rejects(readData('-', Readable.from([nested(10_000)])), {
    code: 'invalid_input',
    message: /^stdin nests/,
  });
  assert.deepEqual(await readData(nested(3), Readable.from([])), { a: { a: { a: 1 } } });
});
