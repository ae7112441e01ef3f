import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { InvalidRequestError } from '../../main/core/app-api/app-api.ts';
import type { RecordedEvent } from '../../main/shared/api-contract.ts';
import { postEvent, startHub } from '../helpers/hub-fixture.ts';
import { loopbackApi } from './ipc-loopback.ts';

// The contract against a real hub (SQLite in a temp dir, HTTP on a free port): what the window
// gets is what `hookbox serve` recorded.
const running = await startHub();
const { api, close } = loopbackApi(running.hub.app.handlers, running.hub.app.subscriptions);
after(close);

test('getHealth reports the version, the event count and where the API listens', async () => {
  const health = await api.getHealth();
  assert.equal(health.service, 'hookbox');
  assert.match(health.version, /^\d+\.\d+\.\d+/);
  assert.equal(health.api_url, running.url);
  assert.equal(health.event_count, running.hub.eventLog.count());
});

test('events posted over HTTP are listed newest first, limited, and fetched by id', async () => {
  for (const command of ['first', 'second', 'third']) {
    const { status } = await postEvent(running.url, { kind: 'shell', command, exit_code: 0, duration_ms: 10 });
    assert.equal(status, 200);
  }
  const two = await api.listEvents({ limit: 2 });
  assert.deepEqual(
    two.map((e) => e.command),
    ['third', 'second'],
  );
  const all = await api.listEvents({});
  assert.ok(all.length >= 3);
  const third = await api.getEvent({ id: two[0]!.id });
  // With the notifications it raised (none for an event that exits 0 quickly).
  assert.deepEqual(third, { ...two[0], notifications: [] });
  assert.equal(await api.getEvent({ id: 'no-such-event' }), null);
});

test('listEvents defaults to 50 and is capped at 500, like GET /events', async () => {
  const own = await startHub();
  await Promise.all(
    Array.from({ length: 501 }, (_, i) =>
      own.hub.eventLog.record({ kind: 'shell', command: `cmd ${i}`, exit_code: 0 }),
    ),
  );
  const handlers = own.hub.app.handlers;
  assert.equal((await handlers.listEvents({})).length, 50);
  assert.equal((await handlers.listEvents(undefined)).length, 50);
  // Asking for more than the cap is allowed and answered with 500.
  assert.equal((await handlers.listEvents({ limit: 100_000 })).length, 500);
});

test('requests that do not match the contract are refused with the field named', async () => {
  const handlers = running.hub.app.handlers;
  await assert.rejects(
    handlers.listEvents({ limit: 0 }),
    (e: Error) => e instanceof InvalidRequestError && /listEvents: .*limit/.test(e.message),
  );
  await assert.rejects(handlers.listEvents({ limit: 'ten' }), InvalidRequestError);
  await assert.rejects(handlers.listEvents({ limit: 5, sql: 'drop table events' }), InvalidRequestError);
  await assert.rejects(
    handlers.getEvent({}),
    (e: Error) => e instanceof InvalidRequestError && /getEvent: .*id/.test(e.message),
  );
  await assert.rejects(handlers.getEvent('some-id'), InvalidRequestError);
});

test('onEventRecorded delivers each new event once, and nothing after unsubscribing', async () => {
  const received: RecordedEvent[] = [];
  const unsubscribe = api.onEventRecorded((event) => received.push(event));
  const { json } = await postEvent(running.url, { kind: 'git', command: 'git push', exit_code: 1, duration_ms: 1200 });
  assert.deepEqual(
    received.map((e) => [e.id, e.command, e.exit_code]),
    [[json.event_id, 'git push', 1]],
  );
  unsubscribe();
  await postEvent(running.url, { kind: 'shell', command: 'after unsubscribe', exit_code: 0 });
  assert.equal(received.length, 1);
});

// The implementations never see an unchecked request: one wrapper checks each against its schema.
test('every operation refuses a request its schema does not allow, naming the operation', async () => {
  const handlers = running.hub.app.handlers as unknown as Record<string, (request: unknown) => Promise<unknown>>;
  for (const [name, handle] of Object.entries(handlers)) {
    await assert.rejects(
      handle({ not_in_any_schema: true }),
      (e: Error) => e instanceof InvalidRequestError && e.message.startsWith(`${name}: `),
      name,
    );
  }
});
