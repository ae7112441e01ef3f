// The window's lifecycle operations (main/core/app-api): the webhook outbox's deliveries with
// their state, attempts and last error, a retry of a dead one, recent lifecycle events, live
// updates; and where a clicked notification sends the window. A real hub, a real receiver on
// 127.0.0.1 that is down and then up.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import type { LifecycleDelivery, LifecycleEventRecord, NavigateTarget } from '../../../main/shared/api-contract.ts';
import { postEvent } from '../../helpers/hub-fixture.ts';
import { closedPort, eventually } from '../../helpers/http-receiver.ts';
import { startLifecycleHub } from './lifecycle-fixture.ts';

const COMPLETED = { task_id: 'task-abc123', agent_id: 'agent-xyz', summary: 'Added feature X' };

test('deliveries to a receiver that is down are dead with the reason; retried once it is up, they are delivered; all live', async () => {
  const port = await closedPort();
  const hub = await startLifecycleHub(
    `[[lifecycle."task.completed"]]\nname = "ci"\ntype = "webhook"\nurl = "http://127.0.0.1:${port}/hook"\nretry = 0\n`,
  );
  const { handlers, subscriptions } = hub.hub.app;
  const seen: LifecycleDelivery[] = [];
  const events: LifecycleEventRecord[] = [];
  const offDeliveries = subscriptions.onLifecycleDelivery((d) => seen.push(d));
  const offEvents = subscriptions.onLifecycleEvent((e) => events.push(e));
  after(() => {
    offDeliveries();
    offEvents();
  });

  const reply = await hub.emit('task.completed', COMPLETED);
  const id: string = reply.deliveries[0];
  await eventually(() => seen.some((d) => d.id === id && d.state === 'dead'), 'the dead delivery pushed live');
  assert.deepEqual(
    events.map((e) => [e.id, e.event, e.allowed]),
    [[reply.event_id, 'task.completed', true]],
  );

  const [dead] = await handlers.listLifecycleDeliveries({});
  assert.equal(dead!.id, id);
  assert.equal(dead!.state, 'dead');
  assert.equal(dead!.attempts, 1);
  assert.equal(dead!.max_attempts, 1);
  assert.match(dead!.last_error ?? '', /^connection refused \(ECONNREFUSED\); gave up after 1 attempt$/);
  assert.equal('body' in dead!, false, 'the list leaves the body out');
  assert.deepEqual(await handlers.listLifecycleDeliveries({ state: 'delivered' }), []);

  const [listed] = await handlers.listLifecycleEvents({ limit: 5 });
  assert.equal(listed!.id, reply.event_id);
  const detail = await handlers.getLifecycleEvent({ id: reply.event_id });
  assert.deepEqual(
    detail?.deliveries.map((d) => [d.id, d.state]),
    [[id, 'dead']],
  );
  assert.equal(await handlers.getLifecycleEvent({ id: '0190aaaa-0000-7000-8000-000000000000' }), null);

  // The receiver comes up on that port; the retry is attempted at once and delivered.
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.end('ok');
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  after(() => server.close());

  const revived = await handlers.retryLifecycleDelivery({ id });
  assert.equal(revived.state, 'pending');
  assert.equal(revived.max_attempts, 2, 'one more attempt than it had');
  await eventually(() => seen.some((d) => d.id === id && d.state === 'delivered'), 'the delivered state pushed live');
  assert.deepEqual(
    seen.filter((d) => d.id === id).map((d) => [d.state, d.attempts]),
    [
      ['dead', 1],
      ['pending', 1],
      ['delivered', 2],
    ],
  );
  assert.equal(received.length, 1);
  assert.equal(JSON.parse(received[0]!).data.task_id, 'task-abc123');
  const [delivered] = await handlers.listLifecycleDeliveries({ state: 'delivered' });
  assert.deepEqual([delivered!.id, delivered!.last_error, delivered!.last_status], [id, null, 200]);

  // Only a dead delivery can be retried; a request off the contract is refused before the core.
  await assert.rejects(handlers.retryLifecycleDelivery({ id }), /is delivered; only a dead one can be retried/);
  await assert.rejects(handlers.retryLifecycleDelivery({ id: 'nope' }), /no webhook delivery with id nope/);
  await assert.rejects(handlers.listLifecycleDeliveries({ state: 'lost' }), /listLifecycleDeliveries: /);
});

test("a notification's id sends the window to the command event or the lifecycle event it is about", async () => {
  const hub = await startLifecycleHub('');
  const targets: NavigateTarget[] = [];
  const off = hub.hub.app.subscriptions.onNavigate((t) => targets.push(t));
  after(off);

  const posted = await postEvent(hub.url, { kind: 'shell', command: 'make', exit_code: 1, duration_ms: 10 });
  const commandId: string = posted.json.event_id;
  await eventually(() => hub.hub.eventLog.get(commandId) !== undefined, 'the event committed');
  const lifecycleId: string = (await hub.emit('task.failed', { task_id: 't-1', error: 'boom' })).event_id;

  assert.deepEqual(hub.hub.app.navigate(commandId), { view: 'events', event_id: commandId });
  assert.deepEqual(hub.hub.app.navigate(lifecycleId), { view: 'hooks', lifecycle_event_id: lifecycleId });
  // A prefix or an id that is gone sends nothing: the shell just shows the window.
  assert.equal(hub.hub.app.navigate(lifecycleId.slice(0, 12)), null);
  assert.equal(hub.hub.app.navigate('0190aaaa-0000-7000-8000-000000000000'), null);
  assert.deepEqual(targets, [
    { view: 'events', event_id: commandId },
    { view: 'hooks', lifecycle_event_id: lifecycleId },
  ]);
});
