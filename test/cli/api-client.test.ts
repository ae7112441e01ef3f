import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCode, HookboxError } from '../../main/core/errors.ts';
import { ApiClient, replyError } from '../../main/cli/api-client.ts';
import { startHub } from '../helpers/hub-fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// The CLI's client against a real hub: routes by name (http/api-routes.ts), parameters encoded,
// replies typed by the routes' schemas, and refusals turned into the hub's own error codes.

async function clientOfHub() {
  const running = await startHub();
  // An empty config file of its own, so no config of the machine's user is read.
  const config = join(tempDir(), 'config.toml');
  writeFileSync(config, '');
  const client = new ApiClient({ dataDir: running.dataDir, config, port: running.address.port });
  return { running, client };
}

test('a message sent and claimed through the typed routes comes back as sent; no message is null', async () => {
  const { client } = await clientOfHub();
  const session = 'team.a-1';
  const sent = await client.call('POST /sessions/:name/messages', {
    params: { name: session },
    body: { content: 'hello', label: 'test' },
  });
  assert.equal(sent.status, 201);
  assert.equal(sent.json.message.session, session);
  const next = await client.call('GET /sessions/:name/next', { params: { name: session }, query: { wait: 0 } });
  assert.equal(next.json?.message.id, sent.json.message.id);
  const acked = await client.call('POST /sessions/:name/messages/:id/ack', {
    params: { name: session, id: sent.json.message.id },
    query: { claim: next.json?.message.claims },
  });
  assert.equal(acked.json.message.state, 'acked');
  const none = await client.call('GET /sessions/:name/next', { params: { name: session }, query: { wait: 0 } });
  assert.equal(none.status, 204);
  assert.equal(none.json, null);
});

test('refusals carry the hub code: not found, conflict, invalid input', async () => {
  const { client } = await clientOfHub();
  await assert.rejects(
    client.call('GET /hooks/runs/:id', { params: { id: 'no/such run' } }),
    (e: Error) => e instanceof HookboxError && e.code === ErrorCode.NotFound && /no\/such run/.test(e.message),
  );
  await assert.rejects(
    client.call('POST /sessions/:name/messages', { params: { name: 'x' }, body: { content: '' } }),
    (e: Error) => e instanceof HookboxError && e.code === ErrorCode.InvalidInput,
  );
  const { json } = await client.call('POST /sessions/:name/messages', {
    params: { name: 'x' },
    body: { content: 'm' },
  });
  const claimed = await client.call('GET /sessions/:name/next', { params: { name: 'x' }, query: { wait: 0 } });
  assert.equal(claimed.json?.message.id, json.message.id);
  await assert.rejects(
    client.call('POST /sessions/:name/messages/:id/ack', {
      params: { name: 'x', id: json.message.id },
      query: { claim: (claimed.json?.message.claims ?? 0) + 1 },
    }),
    (e: Error) => e instanceof HookboxError && e.code === ErrorCode.Conflict,
  );
});

test("a window operation goes through rpc() with the contract's types", async () => {
  const { client, running } = await clientOfHub();
  await running.hub.eventLog.record({ kind: 'shell', command: 'make', exit_code: 2 });
  const page = await client.rpc('queryEvents', { failed_only: true, limit: 5 });
  assert.deepEqual(
    page.events.map((e) => e.command),
    ['make'],
  );
});

test('replyError: the body code when it is a Hookbox code, else what the status means', () => {
  assert.equal(replyError(503, { error: 'not_running', message: 'stopping' }).code, ErrorCode.NotRunning);
  assert.equal(replyError(401, { error: 'unauthorized', message: 'bad token' }).code, ErrorCode.Unauthorized);
  assert.equal(replyError(404, { error: 'FST_ERR_SOMETHING', message: 'x' }).code, ErrorCode.NotFound);
  assert.equal(replyError(409, null).code, ErrorCode.Conflict);
  const other = replyError(400, { error: 'validation', message: 'body/content: must be a string' });
  assert.equal(other.code, ErrorCode.InvalidInput);
  assert.equal(other.message, 'body/content: must be a string');
  assert.equal(replyError(502, 'not json').message, 'HTTP 502');
});
