import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Notification } from '@modelcontextprotocol/sdk/types.js';
import { mcpSessionName } from '../../main/cli/commands/mcp-command.ts';
import { closedPort, eventually } from '../helpers/http-receiver.ts';
import { HOOKBOX_CLI } from '../helpers/serve-process.ts';
import { hookToml, startWebhookHub, writeScript, type WebhookHub } from '../helpers/webhook-fixture.ts';
import { startHub } from '../helpers/hub-fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { inboxApi, type InboxApi } from '../core/inbox/inbox-api.ts';

// `hookbox mcp` as an agent runs it: a real child process spoken to by the MCP SDK's own Client
// over stdio, against a real hub (real SQLite, real webhook hooks on port 0).

const TOOL_NAMES = [
  'inbox_next',
  'inbox_ack',
  'inbox_list',
  'send_message',
  'events_recent',
  'events_search',
  'hook_runs',
];

interface McpRun {
  client: Client;
  transport: StdioClientTransport;
  notifications: Notification[];
  stderr: () => string;
  close: () => Promise<void>;
}

async function hubWithHook(): Promise<{ hub: WebhookHub; api: InboxApi }> {
  const dir = tempDir();
  const script = writeScript(dir, 'say.sh', '#!/bin/sh\nprintf "hook says: %s" "$(cat)"\necho "stderr line" >&2\n');
  const hub = await startWebhookHub(
    `${hookToml('deploys', script, 'session = "X"')}${hookToml('spare', script, 'session = "other"')}`,
    { dir },
  );
  return { hub, api: inboxApi(hub.url, hub.hub.controlToken) };
}

/** `hookbox mcp …` pointed at the hub, connected with the SDK's Client. */
async function startMcp(
  hub: { address: { port: number }; dataDir: string; configFile: string },
  args: string[],
  port = hub.address.port,
): Promise<McpRun> {
  let stderr = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [HOOKBOX_CLI, 'mcp', '--port', String(port), '--data-dir', hub.dataDir, '--config', hub.configFile, ...args],
    env: { ...(process.env as Record<string, string>), AGENTD_LOG_FORMAT: 'text' },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'hookbox-test', version: '1.0.0' });
  const notifications: Notification[] = [];
  client.fallbackNotificationHandler = async (notification) => {
    notifications.push(notification);
  };
  await client.connect(transport);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await client.close();
  };
  after(close);
  return { client, transport, notifications, stderr: () => stderr, close };
}

type ToolReply = { isError?: boolean; content: Array<{ type: string; text: string }>; structuredContent?: any };

async function call(run: McpRun, name: string, args: Record<string, unknown> = {}): Promise<ToolReply> {
  return (await run.client.callTool({ name, arguments: args })) as ToolReply;
}

/** Polls an asynchronous check until it holds (generous deadline, no fixed sleeps). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const channelEvents = (run: McpRun) =>
  run.notifications.filter((n) => n.method === 'notifications/claude/channel') as Array<
    Notification & { params: { content: string; meta: Record<string, string> } }
  >;

describe('hookbox mcp: tools over stdio (no push)', async () => {
  const { hub, api } = await hubWithHook();
  const run = await startMcp(hub, ['--name', 'X', '--no-push']);

  test('initialize: the server names itself, offers tools and subscribable resources, and says how to use them', () => {
    assert.equal(run.client.getServerVersion()?.name, 'hookbox');
    const capabilities = run.client.getServerCapabilities();
    assert.ok(capabilities?.tools);
    assert.equal(capabilities?.resources?.subscribe, true);
    assert.equal(capabilities?.experimental?.['claude/channel'], undefined, '--no-push declares no channel');
    assert.match(run.client.getInstructions() ?? '', /session "X"[\s\S]*inbox_next/);
  });

  test('tools/list: every tool, each with an object input schema', async () => {
    const { tools } = await run.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOL_NAMES].sort());
    for (const tool of tools) {
      assert.equal(tool.inputSchema.type, 'object', tool.name);
      assert.ok(tool.description, tool.name);
    }
    const next = tools.find((t) => t.name === 'inbox_next')!;
    assert.deepEqual((next.inputSchema.properties as any).wait_seconds, {
      type: 'integer',
      minimum: 0,
      maximum: 300,
      default: 0,
      description: 'how long to wait for a message (0-300, default 0)',
    });
    assert.deepEqual(tools.find((t) => t.name === 'inbox_ack')!.inputSchema.required, ['id']);
  });

  test('inbox_next with wait_seconds returns the message a webhook hook injected while it waited; inbox_ack handles it', async () => {
    const waiting = call(run, 'inbox_next', { wait_seconds: 60 });
    const posted = await fetch(hub.hookUrl('deploys'), { method: 'POST', body: 'v2.1 is live' });
    assert.equal(posted.status, 200);
    const reply = await waiting;
    assert.equal(reply.isError, undefined, reply.content[0]?.text);
    const message = reply.structuredContent.message;
    assert.equal(message.content, 'hook says: v2.1 is live');
    assert.equal(message.source, 'webhook');
    assert.equal(message.hook, 'deploys');
    assert.equal(JSON.parse(reply.content[0]!.text).message.id, message.id, 'the text carries the same JSON');
    assert.equal((await api.list('X')).find((m) => m.id === message.id)?.state, 'claimed');

    const acked = await call(run, 'inbox_ack', { id: message.id });
    assert.equal(acked.isError, undefined, acked.content[0]?.text);
    assert.equal((await api.list('X')).find((m) => m.id === message.id)?.state, 'acked');
    const empty = await call(run, 'inbox_next');
    assert.equal(empty.structuredContent.message, null);
  });

  test('inbox_list shows waiting messages oldest first without claiming; all: true adds handled ones', async () => {
    await api.inject('X', { content: 'first' });
    await api.inject('X', { content: 'second' });
    const listed = await call(run, 'inbox_list');
    assert.deepEqual(
      listed.structuredContent.waiting.map((m: { content: string }) => m.content),
      ['first', 'second'],
    );
    assert.equal(listed.structuredContent.handled, undefined);
    assert.ok((await api.list('X')).filter((m) => m.state === 'queued').length >= 2, 'nothing was claimed');
    const all = await call(run, 'inbox_list', { all: true });
    assert.ok(all.structuredContent.handled.some((m: { content: string }) => m.content === 'hook says: v2.1 is live'));
    // Drain them for the next tests.
    for (let i = 0; i < 2; i += 1) {
      const next = await call(run, 'inbox_next');
      await call(run, 'inbox_ack', { id: next.structuredContent.message.id });
    }
  });

  test('send_message puts a message into another session, labelled with this one', async () => {
    const sent = await call(run, 'send_message', { session: 'reviewer', content: 'please review PR 7' });
    assert.equal(sent.isError, undefined, sent.content[0]?.text);
    const [message] = await api.list('reviewer');
    assert.deepEqual(
      [message?.content, message?.source, message?.source_label],
      ['please review PR 7', 'inject', 'mcp:X'],
    );
  });

  test('events_search finds failed commands by text, newest first; events_recent lists them all', async () => {
    for (const event of [
      { kind: 'shell', command: 'npm test', exit_code: 1, duration_ms: 1200, output: 'FAIL src/a.test.ts' },
      { kind: 'shell', command: 'npm test', exit_code: 0, duration_ms: 900 },
      { kind: 'git', command: 'git push', exit_code: 1, duration_ms: 300 },
    ]) {
      const response = await fetch(`${hub.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
      });
      assert.equal(response.status, 200);
    }
    const failed = await call(run, 'events_search', { failed: true, text: 'npm' });
    assert.equal(failed.isError, undefined, failed.content[0]?.text);
    assert.deepEqual(
      failed.structuredContent.events.map((e: { command: string; exit_code: number }) => [e.command, e.exit_code]),
      [['npm test', 1]],
    );
    assert.equal(failed.structuredContent.events[0].output, 'FAIL src/a.test.ts');
    const git = await call(run, 'events_search', { kind: 'git' });
    assert.deepEqual(
      git.structuredContent.events.map((e: { command: string }) => e.command),
      ['git push'],
    );
    const recent = await call(run, 'events_recent', { limit: 2 });
    assert.deepEqual(
      recent.structuredContent.events.map((e: { exit_code: number; kind: string }) => [e.kind, e.exit_code]),
      [
        ['git', 1],
        ['shell', 0],
      ],
    );
  });

  test("hook_runs: this session's hook runs with outcome and the stderr tail", async () => {
    const reply = await call(run, 'hook_runs');
    assert.equal(reply.isError, undefined, reply.content[0]?.text);
    const runs = reply.structuredContent.runs;
    assert.ok(runs.length >= 1);
    assert.deepEqual(
      [runs[0].hook, runs[0].outcome, runs[0].exit_code, runs[0].stderr_tail],
      ['deploys', 'injected', 0, 'stderr line\n'],
    );
  });

  test('bad arguments: a tool error naming the field, never a stack trace', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['inbox_next', { wait_seconds: 301 }, /wait_seconds/],
      ['inbox_next', { wait_seconds: 'soon' }, /'wait_seconds' must be an integer/],
      ['inbox_next', { wait: 5 }, /unknown field 'wait'/],
      ['inbox_ack', {}, /missing required field 'id'/],
      ['send_message', { session: 'bad name!', content: 'x' }, /session/],
      ['events_search', { kind: 'browser' }, /'kind' must be one of: shell, git, system/],
    ];
    for (const [name, args, expected] of cases) {
      const reply = await call(run, name, args);
      assert.equal(reply.isError, true, `${name} ${JSON.stringify(args)}`);
      assert.match(reply.content[0]!.text, expected);
      assert.doesNotMatch(reply.content[0]!.text, /\n\s+at /, 'no stack trace');
    }
    const unknownAck = await call(run, 'inbox_ack', { id: 'no-such-id' });
    assert.equal(unknownAck.isError, true);
    assert.match(unknownAck.content[0]!.text, /no message no-such-id in session 'X'/);
    await assert.rejects(call(run, 'inbox_peek'), /unknown tool 'inbox_peek'/);
  });

  test('resources: the session inbox, subscribable; a change is announced as resources/updated', async () => {
    const { resources } = await run.client.listResources();
    assert.deepEqual(
      resources.map((r) => r.uri),
      ['hookbox://sessions/X'],
    );
    await run.client.subscribeResource({ uri: 'hookbox://sessions/X' });
    // The change stream is open once its catch-up announcement came.
    await eventually(
      () => run.notifications.some((n) => n.method === 'notifications/resources/updated'),
      'the first resources/updated',
      15_000,
    );
    const before = run.notifications.length;
    await api.inject('X', { content: 'resource check' });
    await eventually(
      () =>
        run.notifications
          .slice(before)
          .some(
            (n) =>
              n.method === 'notifications/resources/updated' &&
              (n.params as { uri: string }).uri === 'hookbox://sessions/X',
          ),
      'resources/updated for X',
      15_000,
    );
    const read = await run.client.readResource({ uri: 'hookbox://sessions/X' });
    const body = JSON.parse((read.contents[0] as { text: string }).text);
    assert.deepEqual(
      body.waiting.map((m: { content: string }) => m.content),
      ['resource check'],
    );
    await assert.rejects(run.client.readResource({ uri: 'hookbox://other/X' }), /unknown resource/);
    const next = await call(run, 'inbox_next');
    await call(run, 'inbox_ack', { id: next.structuredContent.message.id });
  });
});

test('the session defaults to the directory name; one that is not a session name is one clear error', () => {
  assert.equal(mcpSessionName(undefined, '/home/me/src/web-app'), 'web-app');
  assert.equal(mcpSessionName('api', '/home/me/src/web-app'), 'api');
  assert.throws(
    () => mcpSessionName(undefined, '/home/me/My Project'),
    /the directory name "My Project" is not a valid session name; give one with --name/,
  );
  assert.throws(() => mcpSessionName('a/b'), /invalid session name "a\/b"/);
});

describe('hookbox mcp: leases', async () => {
  const { hub, api } = await hubWithHook();
  const run = await startMcp(hub, ['--name', 'L', '--no-push', '--lease', '1']);

  test('a claim not acknowledged within its lease is delivered again, and the second claim can be acknowledged', async () => {
    await api.inject('L', { content: 'lease me' });
    const first = await call(run, 'inbox_next');
    const id = first.structuredContent.message.id;
    const again = await call(run, 'inbox_next', { wait_seconds: 120 });
    assert.equal(again.structuredContent.message.id, id, 'the same message came back');
    assert.equal((await api.list('L'))[0]?.claims, 2);
    const acked = await call(run, 'inbox_ack', { id });
    assert.equal(acked.isError, undefined, acked.content[0]?.text);
    assert.equal((await api.list('L'))[0]?.state, 'acked');
  });
});

describe('hookbox mcp --hook', async () => {
  const { hub, api } = await hubWithHook();

  test("--hook points another session's hook at this one while the server runs, then gives it back", async () => {
    const hookState = async () =>
      (
        (await (await hub.api('/hooks')).json()) as { hooks: Array<{ name: string; session: string; claim: unknown }> }
      ).hooks.find((h) => h.name === 'spare')!;
    const run = await startMcp(hub, ['--name', 'X', '--hook', 'spare']);
    await until(async () => (await hookState()).session === 'X', 'the claim');
    const posted = await fetch(hub.hookUrl('spare'), { method: 'POST', body: 'disk full' });
    assert.equal(posted.status, 200);
    await eventually(
      () =>
        channelEvents(run).some((e) => e.params.content === 'hook says: disk full' && e.params.meta.hook === 'spare'),
      'the pushed message',
      15_000,
    );
    await run.close();
    await until(async () => (await hookState()).claim === null, 'the claim given back');
    assert.equal((await hookState()).session, 'other');
    assert.deepEqual((await api.list('other')).length, 0);
  });
});

describe('hookbox mcp with no hub running', async () => {
  const configFile = join(tempDir(), 'config.toml');
  writeFileSync(configFile, '');
  const run = await startMcp({ address: { port: await closedPort() }, dataDir: tempDir(), configFile }, [
    '--name',
    'X',
  ]);

  test('tools answer that Hookbox is not running, and that the server keeps trying', async () => {
    const reply = await call(run, 'inbox_next');
    assert.equal(reply.isError, true);
    assert.match(
      reply.content[0]!.text,
      /Hookbox is not running .*start it with: hookbox serve\. This MCP server keeps trying/,
    );
    const { tools } = await run.client.listTools();
    assert.equal(tools.length, TOOL_NAMES.length, 'listing tools needs no hub');
  });
});

describe('hookbox mcp started before the hub', async () => {
  test('once a hub answers on its address, what waits is pushed (the token the hub made is read then)', async () => {
    const dataDir = tempDir();
    const configFile = join(tempDir(), 'config.toml');
    writeFileSync(configFile, '');
    const port = await closedPort();
    const run = await startMcp({ address: { port }, dataDir, configFile }, ['--name', 'late']);
    const reply = await call(run, 'inbox_list');
    assert.match(reply.content[0]!.text, /Hookbox is not running/);
    const late = await startHub({ dataDir, edit: (settings) => (settings.api.port = port) });
    const api = inboxApi(late.url, late.hub.controlToken);
    await api.inject('late', { content: 'you are back' });
    await eventually(() => channelEvents(run).length === 1, 'the pushed message', 30_000);
    assert.equal(channelEvents(run)[0]!.params.content, 'you are back');
    const listed = await call(run, 'inbox_list', { all: true });
    assert.equal(listed.isError, undefined, listed.content[0]?.text);
  });
});

describe('hookbox mcp: channel push', async () => {
  const { hub, api } = await hubWithHook();

  test('a plain client receives notifications/claude/channel for a webhook POST, with identifier meta; it is acknowledged', async () => {
    const run = await startMcp(hub, ['--name', 'X']);
    assert.deepEqual(run.client.getServerCapabilities()?.experimental?.['claude/channel'], {});
    const posted = await fetch(hub.hookUrl('deploys'), { method: 'POST', body: 'build 42 failed' });
    assert.equal(posted.status, 200);
    await eventually(() => channelEvents(run).length === 1, 'the channel event', 15_000);
    const [event] = channelEvents(run);
    assert.equal(event!.params.content, 'hook says: build 42 failed');
    const [stored] = await api.list('X');
    assert.deepEqual(event!.params.meta, { source: 'webhook', hook: 'deploys', message_id: stored!.id, session: 'X' });
    for (const key of Object.keys(event!.params.meta)) assert.match(key, /^[A-Za-z0-9_]+$/);
    await until(async () => (await api.list('X'))[0]?.state === 'acked', 'the acknowledgement');
    await run.close();
  });

  test('messages stored while no agent was connected are pushed in inbox order on connect (100 of them), none twice', async () => {
    for (let i = 0; i < 100; i += 1) await api.inject('Q', { content: `message ${i}` });
    const run = await startMcp(hub, ['--name', 'Q']);
    await eventually(() => channelEvents(run).length >= 100, '100 channel events', 60_000);
    assert.deepEqual(
      channelEvents(run).map((e) => e.params.content),
      Array.from({ length: 100 }, (_, i) => `message ${i}`),
    );
    await until(
      async () => (await api.list('Q', '?limit=1000')).every((m) => m.state === 'acked'),
      'every message acknowledged',
    );
    await run.close();

    // A new connection gets only what came after: the sentinel, nothing acknowledged before it.
    await api.inject('Q', { content: 'sentinel' });
    const second = await startMcp(hub, ['--name', 'Q']);
    await eventually(() => channelEvents(second).length >= 1, 'the sentinel', 15_000);
    assert.deepEqual(
      channelEvents(second).map((e) => e.params.content),
      ['sentinel'],
    );
    await second.close();
  });

  test('killed between claiming a message and writing it, the server pushes it again after a restart', async () => {
    // Spoken to by hand, so this client can stop reading: the pipe fills and the write of a large
    // message cannot complete while the server holds its claim.
    const child = spawn(
      process.execPath,
      [
        HOOKBOX_CLI,
        'mcp',
        '--name',
        'K',
        '--lease',
        '1',
        '--port',
        String(hub.address.port),
        '--data-dir',
        hub.dataDir,
        '--config',
        hub.configFile,
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'by-hand', version: '1' } } })}\n`,
    );
    await eventually(() => out.includes('"id":1'), 'the initialize answer', 15_000);
    child.stdout.pause();
    child.stdout.removeAllListeners('data');
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);

    // Far more than the pipe and this process's read buffer hold (the API takes up to 1 MiB).
    const big = `large payload ${'x'.repeat(900 * 1024)}`;
    const injected = await api.inject('K', { content: big });
    assert.equal(injected.status, 201);
    await until(async () => (await api.list('K'))[0]?.state === 'claimed', 'the server claiming it');
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal((await api.list('K'))[0]?.state, 'claimed', 'never acknowledged');

    const run = await startMcp(hub, ['--name', 'K', '--lease', '1']);
    await eventually(() => channelEvents(run).length === 1, 'the message again', 30_000);
    assert.equal(channelEvents(run)[0]!.params.content, big);
    assert.equal(channelEvents(run)[0]!.params.meta.message_id, injected.json.message.id);
    await run.close();
    const [message] = await api.list('K');
    assert.deepEqual([message?.state, message?.claims], ['acked', 2]);
  });
});
