// Lifecycle webhooks through the durable outbox, against a real HTTP receiver on 127.0.0.1:
// both signatures verified from scratch, retries with backoff on 5xx / 429 / network errors
// (fake clock), no retry on 4xx, a receiver that is down and then up across a Hookbox restart
// (real time, same data dir), and a stop that waits for the attempt in flight.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { closedPort, eventually, startReceiver, type ReceivedRequest } from '../../helpers/http-receiver.ts';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { checkSignatures, FakeClock, startLifecycleHub, type LifecycleHub } from './lifecycle-fixture.ts';

const COMPLETED = {
  task_id: 'task-abc123',
  agent_id: 'agent-xyz',
  summary: 'Added feature X with tests',
  files_changed: ['src/feature_x/main.py'],
  duration_s: 120.5,
  tokens_used: 45000,
};

function webhookToml(url: string, extra = ''): string {
  return `[lifecycle.outbox]\nbackoff_initial_s = 10\nbackoff_max_s = 60\n\n[[lifecycle."task.completed"]]\nname = "ci"\ntype = "webhook"\nurl = "${url}"\nsecret = "\${LIFECYCLE_SECRET}"\n${extra}\n`;
}

async function attemptsOf(hub: LifecycleHub, deliveryId: string): Promise<any[]> {
  const response = await hub.api(`/lifecycle/deliveries/${deliveryId}`);
  return (await response.json()).attempts;
}

async function deliveryOf(hub: LifecycleHub, deliveryId: string): Promise<any> {
  const response = await hub.api(`/lifecycle/deliveries/${deliveryId}`);
  return (await response.json()).delivery;
}

describe('signed webhook deliveries', () => {
  test('a 503, a 503, then 200: three signed attempts on the backoff schedule, the attempt log matches what the receiver saw', async () => {
    const answers = [503, 503, 200];
    const receiver = await startReceiver((_req, res) => {
      res.statusCode = answers.shift() ?? 500;
      res.end('');
    });
    const clock = new FakeClock();
    const hub = await startLifecycleHub(webhookToml(`${receiver.url}/hooks/task-completed`, 'retry = 3'), {
      env: { LIFECYCLE_SECRET: 'hush-from-env' },
      clock,
    });
    const sentAt: number[] = [clock.ms];
    const reply = await hub.emit('task.completed', COMPLETED);
    assert.equal(reply.allowed, true);
    assert.equal(reply.deliveries.length, 1);
    const id = reply.deliveries[0];

    await eventually(() => hub.hub.lifecycle.outboxStore.find(id)?.attempts === 1, 'the first attempt recorded');
    await hub.hub.lifecycle.outbox.settle();
    // Not due yet: the clock has not moved, so a tick sends nothing.
    await hub.hub.lifecycle.outbox.tick();
    assert.equal(receiver.received.length, 1);

    clock.advance(12_000); // first backoff: 10 s ± 20 %
    sentAt.push(clock.ms);
    await hub.hub.lifecycle.outbox.tick();
    assert.equal(receiver.received.length, 2);
    clock.advance(24_000); // second: 20 s ± 20 %
    sentAt.push(clock.ms);
    await hub.hub.lifecycle.outbox.tick();
    assert.equal(receiver.received.length, 3);

    const attempts = await attemptsOf(hub, id);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.status, a.outcome]),
      [
        [1, 503, 'retry'],
        [2, 503, 'retry'],
        [3, 200, 'delivered'],
      ],
    );
    const delivery = await deliveryOf(hub, id);
    assert.equal(delivery.state, 'delivered');
    assert.equal(delivery.last_error, null);

    receiver.received.forEach((request: ReceivedRequest, i) => {
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/hooks/task-completed');
      assert.equal(request.headers['x-bernstein-event'], 'task.completed');
      assert.equal(request.headers['x-bernstein-delivery'], id);
      assert.equal(request.headers['x-bernstein-attempt'], String(i + 1));
      assert.equal(request.headers['x-bernstein-timestamp'], String(Math.floor(sentAt[i]! / 1000)));
      assert.deepEqual(checkSignatures(request, 'hush-from-env'), { body: true, timestamped: true });
      assert.deepEqual(checkSignatures(request, 'another-secret'), { body: false, timestamped: false });
      assert.deepEqual(JSON.parse(request.body), {
        event: 'task.completed',
        timestamp: sentAt[0]! / 1000,
        data: COMPLETED,
      });
    });
    // The same bytes every time (the body signature holds), a fresh timestamp per attempt.
    assert.equal(new Set(receiver.received.map((r) => r.body)).size, 1);
    assert.equal(new Set(receiver.received.map((r) => r.headers['x-bernstein-signature-v2'])).size, 3);
  });

  test('a 4xx is final (not retried); a 429 is retried no sooner than its Retry-After', async () => {
    const receiver = await startReceiver((req, res) => {
      if (req.url === '/bad') {
        res.statusCode = 400;
        res.end('bad payload: missing field');
      } else {
        res.statusCode = 429;
        res.setHeader('retry-after', '120');
        res.end('slow down');
      }
    });
    const clock = new FakeClock();
    const dataDir = tempDir();
    const toml = `${webhookToml(`${receiver.url}/bad`)}\n[[lifecycle."task.completed"]]\nname = "busy"\ntype = "webhook"\nurl = "${receiver.url}/busy"\n`;
    const hub = await startLifecycleHub(toml, { env: { LIFECYCLE_SECRET: 's' }, clock, dataDir });
    const reply = await hub.emit('task.completed', COMPLETED);
    const [bad, busy] = reply.deliveries;
    await eventually(
      () =>
        hub.hub.lifecycle.outboxStore.find(bad)?.attempts === 1 &&
        hub.hub.lifecycle.outboxStore.find(busy)?.attempts === 1,
      'both first attempts',
    );
    await hub.hub.lifecycle.outbox.settle();

    const dead = await deliveryOf(hub, bad);
    assert.equal(dead.state, 'dead');
    assert.equal(dead.last_status, 400);
    assert.match(dead.last_error, /^HTTP 400: bad payload: missing field; not retried/);
    const throttled = await deliveryOf(hub, busy);
    assert.equal(throttled.state, 'pending');
    assert.ok(
      throttled.next_attempt_at - clock.ms >= 120_000,
      `next attempt in ${throttled.next_attempt_at - clock.ms} ms`,
    );

    clock.advance(60_000); // past the backoff (10 s) but not the Retry-After
    await hub.hub.lifecycle.outbox.tick();
    clock.advance(3_600_000);
    await hub.hub.lifecycle.outbox.tick();
    assert.equal(receiver.received.filter((r) => r.url === '/bad').length, 1, 'the 400 was never retried');
    assert.equal(receiver.received.filter((r) => r.url === '/busy').length, 2);

    const listed = await (await hub.api('/lifecycle/deliveries?state=dead')).json();
    assert.deepEqual(
      listed.deliveries.map((d: any) => d.id),
      [bad],
    );
    const cli = await runCli(['--data-dir', dataDir, 'lifecycle', 'deliveries', '--state', 'dead']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`${bad} .* dead\\s+\\(HTTP 400: bad payload`));
  });

  test('out of attempts it is dead with the last error; retry gives a dead delivery one more attempt', async () => {
    let status = 502;
    const receiver = await startReceiver((_req, res) => {
      res.statusCode = status;
      res.end('upstream down');
    });
    const clock = new FakeClock();
    const hub = await startLifecycleHub(webhookToml(receiver.url, 'retry = 1'), {
      env: { LIFECYCLE_SECRET: 's' },
      clock,
    });
    const { deliveries } = await hub.emit('task.completed', COMPLETED);
    await eventually(() => hub.hub.lifecycle.outboxStore.find(deliveries[0])?.attempts === 1, 'first attempt');
    await hub.hub.lifecycle.outbox.settle();
    clock.advance(13_000);
    await hub.hub.lifecycle.outbox.tick();
    const dead = await deliveryOf(hub, deliveries[0]);
    assert.equal(dead.state, 'dead');
    assert.equal(dead.attempts, 2);
    assert.equal(dead.last_error, 'HTTP 502: upstream down; gave up after 2 attempts');

    status = 200;
    const retried = await hub.api(`/lifecycle/deliveries/${deliveries[0]}/retry`, { method: 'POST' });
    assert.equal(retried.status, 200);
    await eventually(
      () => hub.hub.lifecycle.outboxStore.find(deliveries[0])?.state === 'delivered',
      'the revived delivery',
    );
    assert.equal(receiver.received.length, 3);
  });
});

describe('durability', () => {
  test('a receiver down, then up across a Hookbox restart: every delivery arrives once, signed, and the attempt log matches', async () => {
    const port = await closedPort();
    const dataDir = tempDir();
    const dir = tempDir();
    const url = `http://127.0.0.1:${port}/bernstein`;
    const toml = `[lifecycle.outbox]\nbackoff_initial_s = 0.1\nbackoff_max_s = 0.3\n\n[[lifecycle."task.completed"]]\nname = "ci"\ntype = "webhook"\nurl = "${url}"\nsecret = "\${LIFECYCLE_SECRET}"\nretry = 100\n`;
    const env = { LIFECYCLE_SECRET: 'across-restarts' };

    const first = await startLifecycleHub(toml, { env, dir, dataDir });
    const ids: string[] = [];
    for (const n of [1, 2, 3])
      ids.push(...(await first.emit('task.completed', { ...COMPLETED, task_id: `task-${n}` })).deliveries);
    await eventually(
      () => ids.every((id) => (first.hub.lifecycle.outboxStore.find(id)?.attempts ?? 0) >= 2),
      'two failed attempts each',
      30_000,
    );
    await first.hub.stop();

    // The receiver comes up on the port while Hookbox is down.
    const received: ReceivedRequest[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.end('ok');
      });
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    try {
      const second = await startLifecycleHub(toml, { env, dir, dataDir });
      await eventually(
        () => ids.every((id) => second.hub.lifecycle.outboxStore.find(id)?.state === 'delivered'),
        'all delivered after the restart',
        30_000,
      );

      assert.equal(received.length, 3, 'each delivery arrived exactly once');
      assert.deepEqual(new Set(received.map((r) => r.headers['x-bernstein-delivery'])), new Set(ids));
      for (const request of received) {
        assert.deepEqual(checkSignatures(request, 'across-restarts'), { body: true, timestamped: true });
        const id = String(request.headers['x-bernstein-delivery']);
        const attempts = second.hub.lifecycle.outboxStore.attempts(id);
        const last = attempts.at(-1)!;
        // Every earlier attempt failed on the network (and never reached a receiver); the last one is this request.
        assert.ok(attempts.length >= 3, `attempts for ${id}: ${attempts.length}`);
        assert.deepEqual(
          attempts.map((a) => a.attempt),
          attempts.map((_, i) => i + 1),
        );
        for (const failed of attempts.slice(0, -1)) {
          assert.equal(failed.outcome, 'retry');
          assert.equal(failed.status, null);
          assert.match(failed.error!, /connection refused \(ECONNREFUSED\)/);
        }
        assert.equal(last.outcome, 'delivered');
        assert.equal(last.status, 200);
        assert.equal(request.headers['x-bernstein-attempt'], String(last.attempt));
        assert.equal(
          JSON.parse(request.body).data.task_id,
          second.hub.lifecycle.store.find(second.hub.lifecycle.outboxStore.find(id)!.event_id)!.data.task_id,
        );
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('stop waits for an attempt in flight and records it: nothing is sent twice after the restart', async () => {
    const receiver = await startReceiver((_req, res) => {
      setTimeout(() => res.end('slow but fine'), 400);
    });
    const dataDir = tempDir();
    const dir = tempDir();
    const toml = webhookToml(receiver.url);
    const first = await startLifecycleHub(toml, { env: { LIFECYCLE_SECRET: 's' }, dir, dataDir });
    const { deliveries } = await first.emit('task.completed', COMPLETED);
    await eventually(() => receiver.received.length === 1, 'the request in flight');
    await first.hub.stop();

    const second = await startLifecycleHub(toml, { env: { LIFECYCLE_SECRET: 's' }, dir, dataDir });
    const delivery = second.hub.lifecycle.outboxStore.find(deliveries[0])!;
    assert.equal(delivery.state, 'delivered');
    assert.equal(delivery.attempts, 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(receiver.received.length, 1);
  });
});
