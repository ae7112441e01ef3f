import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startHub } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { hookToml, startWebhookHub, writeScript } from '../../helpers/webhook-fixture.ts';
import { drain, inboxApi, sleep } from './inbox-api.ts';

interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: any;
}

/** A real EventSource-style client over fetch: collects parsed events until closed. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  let raw = '';
  let connected = false;
  const reading = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        raw += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = raw.indexOf('\n\n')) !== -1) {
          const block = raw.slice(0, end);
          raw = raw.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
          }
          if (fields.has('data'))
            events.push({ id: fields.get('id'), event: fields.get('event'), data: JSON.parse(fields.get('data')!) });
          else if (block.includes(': connected')) connected = true;
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    res,
    events,
    isConnected: () => connected,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

describe('session inbox over HTTP', async () => {
  const dir = tempDir();
  writeScript(dir, 'echo.sh', '#!/bin/sh\ncat\n');
  const { hub, url, hookUrl } = await startWebhookHub(
    [hookToml('wh', 'echo.sh', 'session = "order"'), hookToml('iso', 'echo.sh', 'session = "iso-b"')].join('\n'),
    { dir },
  );
  const token = hub.controlToken;
  const api = inboxApi(url, token);

  test('delivery order is schedule → background → skill → inject → webhook whatever the arrival order, FIFO within a source', async () => {
    const arrivals: Array<[string, string]> = [
      ['webhook', 'w1'],
      ['inject', 'i1'],
      ['skill', 's1'],
      ['webhook', 'w2'],
      ['background', 'b1'],
      ['schedule', 'c1'],
      ['inject', 'i2'],
      ['skill', 's2'],
      ['schedule', 'c2'],
      ['background', 'b2'],
    ];
    for (const [source, content] of arrivals) {
      if (source === 'webhook') {
        assert.equal((await fetch(hookUrl('wh'), { method: 'POST', body: content })).status, 200);
      } else {
        assert.equal((await api.inject('order', { content, source })).status, 201);
      }
    }
    const delivered = await drain(api, 'order');
    assert.deepEqual(
      delivered.map((m) => m.content),
      ['c1', 'c2', 'b1', 'b2', 's1', 's2', 'i1', 'i2', 'w1', 'w2'],
    );
    assert.deepEqual(
      delivered.map((m) => m.source),
      ['schedule', 'schedule', 'background', 'background', 'skill', 'skill', 'inject', 'inject', 'webhook', 'webhook'],
    );
    assert.equal(delivered.at(-1)!.source_label, 'wh');
  });

  test('sessions are isolated: one session never sees another one’s messages', async () => {
    await api.inject('iso-a', { content: 'for a' });
    assert.equal((await fetch(hookUrl('iso'), { method: 'POST', body: 'for b (webhook)' })).status, 200);
    await api.inject('iso-b', { content: 'for b' });
    assert.deepEqual(
      (await drain(api, 'iso-a')).map((m) => m.content),
      ['for a'],
    );
    assert.deepEqual(
      (await drain(api, 'iso-b')).map((m) => m.content),
      ['for b', 'for b (webhook)'],
    );
    assert.deepEqual(
      (await api.list('iso-a')).map((m) => m.session),
      ['iso-a'],
    );
  });

  test('GET /sessions counts queued, claimed and acknowledged messages per session', async () => {
    for (const content of ['one', 'two', 'three']) await api.inject('counts', { content });
    const first = (await api.next('counts', { lease: 60 })).message!;
    assert.equal((await api.ack('counts', first.id)).status, 200);
    await api.next('counts', { lease: 60 }); // claimed, not acknowledged
    const sessions = await api.sessions();
    const counts = sessions.find((s) => s.name === 'counts');
    assert.ok(counts, JSON.stringify(sessions));
    assert.deepEqual(
      { queued: counts.queued, claimed: counts.claimed, acked: counts.acked },
      { queued: 1, claimed: 1, acked: 1 },
    );
    assert.ok(counts.last_message_at);
    // The hooks' sessions exist from the start, even before a message.
    assert.ok(sessions.some((s) => s.name === 'order'));
  });

  test('GET /sessions/{name}/inbox lists newest first, filters by state and honours limit', async () => {
    for (const content of ['l1', 'l2', 'l3', 'l4']) await api.inject('listing', { content });
    const claimed = (await api.next('listing', { lease: 60 })).message!;
    assert.equal(claimed.content, 'l1');
    assert.deepEqual(
      (await api.list('listing')).map((m) => m.content),
      ['l4', 'l3', 'l2', 'l1'],
    );
    assert.deepEqual(
      (await api.list('listing', 'state=queued')).map((m) => m.content),
      ['l4', 'l3', 'l2'],
    );
    const claimedOnly = await api.list('listing', 'state=claimed');
    assert.deepEqual(
      claimedOnly.map((m) => [m.content, m.state, m.claims]),
      [['l1', 'claimed', 1]],
    );
    assert.deepEqual(await api.list('listing', 'state=acked'), []);
    assert.deepEqual(
      (await api.list('listing', 'limit=2')).map((m) => m.content),
      ['l4', 'l3'],
    );
    const bad = await api.call('/sessions/listing/inbox?state=lost');
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).message, /state/);
    assert.equal((await api.call('/sessions/listing/inbox?limit=0')).status, 400);
  });

  test('long poll: 204 when nothing arrives within `wait`', async () => {
    const started = Date.now();
    const { status } = await api.next('empty-session', { wait: 1 });
    assert.equal(status, 204);
    assert.ok(Date.now() - started >= 900, `answered after ${Date.now() - started} ms, before the 1 s wait`);
  });

  test('long poll wakes up when a message is injected, claims it, and a second poll does not get it', async () => {
    const started = Date.now();
    const polling = api.next('waker', { wait: 60, lease: 120 });
    await sleep(300); // let the poll reach the hub and start waiting
    await api.inject('waker', { content: 'wake up' });
    const { status, message } = await polling;
    assert.equal(status, 200);
    assert.equal(message?.content, 'wake up');
    assert.equal(message?.state, 'claimed');
    assert.ok(Date.now() - started < 30_000, 'the poll waited for its full 60 s instead of waking');
    assert.equal((await api.next('waker', { wait: 0 })).status, 204, 'a claimed message is not handed out twice');
  });

  test('a consumer that hangs up while polling does not swallow the next message', async () => {
    const controller = new AbortController();
    const polling = api.next('hangup', { wait: 30 }, controller.signal).catch(() => undefined);
    await sleep(200);
    controller.abort();
    await polling;
    await sleep(100); // the hub notices the closed connection
    await api.inject('hangup', { content: 'still here' });
    const { message } = await api.next('hangup', { wait: 2 });
    assert.equal(message?.content, 'still here');
    assert.equal(message?.claims, 1, 'claimed only by the consumer that is still there');
  });

  test('an unacknowledged claim returns to the queue after its lease', async () => {
    await api.inject('lease', { content: 'lease me' });
    const first = (await api.next('lease', { lease: 1 })).message!;
    assert.equal(first.claims, 1);
    assert.equal((await api.next('lease', { wait: 0 })).status, 204, 'still leased');
    const again = (await api.next('lease', { wait: 10, lease: 60 })).message;
    assert.equal(again?.id, first.id);
    assert.equal(again?.claims, 2);
    // The first consumer's claim is stale now: its ack is refused, the current one's is taken.
    const stale = await api.ack('lease', first.id, first.claims);
    assert.equal(stale.status, 409);
    assert.match(stale.json.message, /claimed again after your lease ran out/);
    assert.equal((await api.ack('lease', first.id, again!.claims)).status, 200);
  });

  test('ack: an acknowledged message is never delivered again; unclaimed → 409; unknown → 404', async () => {
    await api.inject('acks', { content: 'handle once' });
    const claimed = (await api.next('acks', { lease: 1 })).message!;
    const acked = await api.ack('acks', claimed.id);
    assert.equal(acked.status, 200);
    assert.equal(acked.json.message.state, 'acked');
    assert.ok(acked.json.message.acked_at);
    await sleep(1300); // past the 1 s lease
    assert.equal((await api.next('acks', { wait: 0 })).status, 204);
    assert.equal((await api.list('acks'))[0]?.state, 'acked');

    const unclaimed = (await api.inject('acks', { content: 'not claimed yet' })).json.message;
    const conflict = await api.ack('acks', unclaimed.id);
    assert.equal(conflict.status, 409);
    assert.match(conflict.json.message, /not claimed/);
    assert.equal((await api.list('acks', 'state=queued'))[0]?.id, unclaimed.id, 'a refused ack changes nothing');

    const unknown = await api.ack('acks', '00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.status, 404);
    assert.equal((await api.ack('other-session', unclaimed.id)).status, 404, "an id from another session's inbox");
  });

  test('deliver_at in the future: not delivered before its time, delivered after', async () => {
    const deliverAt = Date.now() + 1500;
    const injected = await api.inject('later', { content: 'not yet', deliver_at: new Date(deliverAt).toISOString() });
    assert.equal(injected.status, 201);
    assert.equal((await api.next('later', { wait: 0 })).status, 204);
    assert.equal((await api.list('later', 'state=queued')).length, 1);
    // A poll started before the time waits for it rather than answering 204 or early.
    const { message } = await api.next('later', { wait: 10 });
    assert.equal(message?.content, 'not yet');
    assert.ok(Date.now() >= deliverAt, `delivered ${deliverAt - Date.now()} ms early`);

    const bad = await api.inject('later', { content: 'x', deliver_at: 'tomorrow-ish' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, 'deliver_at');
  });

  test('SSE stream: an injected message arrives as `event: message`; Last-Event-ID replays the missed ones', async () => {
    const streamUrl = `${url}/sessions/live/stream?token=${encodeURIComponent(token)}`;
    const stream = await openStream(streamUrl);
    assert.equal(stream.res.status, 200);
    assert.match(stream.res.headers.get('content-type') ?? '', /^text\/event-stream/);
    await eventually(stream.isConnected, 'the stream to say it is connected');
    const sent = (await api.inject('live', { content: 'streamed', source: 'skill', label: 'my-skill' })).json.message;
    await api.inject('elsewhere', { content: 'not for this stream' });
    await eventually(() => stream.events.length >= 1, 'the message on the stream');
    await stream.close();
    assert.equal(stream.events.length, 1, JSON.stringify(stream.events));
    const [event] = stream.events;
    assert.equal(event!.event, 'message');
    assert.equal(event!.id, String(sent.seq));
    assert.equal(event!.data.type, 'injected');
    assert.equal(event!.data.source_kind, 'skill');
    assert.equal(event!.data.source_label, 'my-skill');
    assert.equal(event!.data.content, 'streamed');
    assert.equal(event!.data.session_id, 'live');
    assert.equal(event!.data.message_id, sent.id);

    // Missed while disconnected: replayed in order after reconnecting with Last-Event-ID.
    await api.inject('live', { content: 'missed 1' });
    await api.inject('live', { content: 'missed 2' });
    const resumed = await openStream(streamUrl, { 'last-event-id': event!.id! });
    await eventually(() => resumed.events.length >= 2, 'the replayed messages');
    await api.inject('live', { content: 'after reconnect' });
    await eventually(() => resumed.events.length >= 3, 'the live message after the replay');
    await resumed.close();
    assert.deepEqual(
      resumed.events.map((e) => e.data.content),
      ['missed 1', 'missed 2', 'after reconnect'],
    );

    const anonymous = await fetch(`${url}/sessions/live/stream`);
    assert.equal(anonymous.status, 401);
  });

  test('SSE stream: Last-Event-ID replays however many were missed (more than a page), in order, then goes live', async () => {
    const streamUrl = `${url}/sessions/backlog/stream?token=${encodeURIComponent(token)}`;
    const first = (await api.inject('backlog', { content: 'seen' })).json.message;
    // A long disconnection: 10,050 messages (past the 10,000 an older Hookbox replayed; many pages), written straight to the inbox.
    await Promise.all(
      Array.from({ length: 10_050 }, (_, i) =>
        hub.inbox.inject({
          session: 'backlog',
          source: 'inject',
          label: 'test',
          content: `missed ${String(i).padStart(5, '0')}`,
        }),
      ),
    );
    const resumed = await openStream(streamUrl, { 'last-event-id': String(first.seq) });
    await eventually(() => resumed.events.length >= 10_050 && resumed.isConnected(), 'the whole backlog', 30_000);
    await api.inject('backlog', { content: 'live again' });
    await eventually(() => resumed.events.length >= 10_051, 'the live message after the replay');
    await resumed.close();
    const contents = resumed.events.map((e) => e.data.content);
    assert.deepEqual(contents, [
      ...Array.from({ length: 10_050 }, (_, i) => `missed ${String(i).padStart(5, '0')}`),
      'live again',
    ]);
    const seqs = resumed.events.map((e) => Number(e.id));
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'in sequence order, none twice',
    );
  });

  test('injection needs the control token: none or a wrong one → 401 and nothing is stored', async () => {
    const body = JSON.stringify({ content: 'sneaky' });
    const none = await fetch(`${url}/sessions/guarded/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(none.status, 401);
    assert.equal((await none.json()).error, 'unauthorized');
    const wrong = await fetch(`${url}/sessions/guarded/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.slice(0, -1)}x` },
      body,
    });
    assert.equal(wrong.status, 401);
    const wrongQuery = await fetch(`${url}/sessions/guarded/messages?token=nope`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(wrongQuery.status, 401);
    assert.deepEqual(await api.list('guarded'), []);
    assert.ok(!(await api.sessions()).some((s) => s.name === 'guarded'), 'not even the session was created');
    // Reading needs it too.
    assert.equal((await fetch(`${url}/sessions/guarded/next?wait=0`)).status, 401);
    assert.equal((await fetch(`${url}/sessions/guarded/inbox`)).status, 401);
    // The X-Hookbox-Token header is the other accepted spelling.
    const viaHeader = await fetch(`${url}/sessions/guarded/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hookbox-token': token },
      body,
    });
    assert.equal(viaHeader.status, 201);
  });

  test('bad input → 400 naming the problem: empty content, bad session name, unknown field', async () => {
    const empty = await api.inject('valid', { content: '' });
    assert.equal(empty.status, 400);
    assert.equal(empty.json.field, 'content');
    const blank = await api.inject('valid', { content: '  \n ' });
    assert.equal(blank.status, 400);
    assert.match(blank.json.message, /empty/);
    const missing = await api.inject('valid', {});
    assert.equal(missing.status, 400);
    assert.equal(missing.json.field, 'content');

    const badName = await api.inject('bad name!', { content: 'x' });
    assert.equal(badName.status, 400);
    assert.match(badName.json.message, /name/);
    const dotted = await api.inject('.hidden', { content: 'x' });
    assert.equal(dotted.status, 400);

    const unknown = await api.inject('valid', { content: 'x', priority: 'high' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.field, 'priority');
    assert.match(unknown.json.message, /priority/);

    const webhookSource = await api.inject('valid', { content: 'x', source: 'webhook' });
    assert.equal(webhookSource.status, 400, 'only hooks inject with source webhook');
    assert.equal(webhookSource.json.field, 'source');

    const notJson = await api.call('/sessions/valid/messages', { method: 'POST', body: '{content:' });
    assert.equal(notJson.status, 400);
    assert.deepEqual(await api.list('valid'), [], 'nothing stored by any rejected request');
  });
});

describe('session inbox: durability', async () => {
  const dataDir = tempDir();

  test('queued messages survive a hub restart, in order, with the same control token', async () => {
    const first = await startHub({ dataDir });
    const token = first.hub.controlToken;
    const api1 = inboxApi(first.url, token);
    await api1.inject('durable', { content: 'inject first', source: 'inject' });
    await api1.inject('durable', { content: 'background second', source: 'background' });
    await api1.inject('durable', { content: 'handled', source: 'inject' });
    const handled = (await api1.next('durable', { lease: 60 })).message!;
    assert.equal(handled.content, 'background second');
    await api1.ack('durable', handled.id);
    await first.hub.stop();

    const second = await startHub({ dataDir });
    assert.equal(second.hub.controlToken, token);
    const api2 = inboxApi(second.url, second.hub.controlToken);
    const queued = await api2.list('durable', 'state=queued');
    assert.deepEqual(queued.map((m) => m.content).reverse(), ['inject first', 'handled']);
    assert.equal((await api2.list('durable', 'state=acked'))[0]?.content, 'background second');
    assert.deepEqual(
      (await drain(api2, 'durable')).map((m) => m.content),
      ['inject first', 'handled'],
    );
  });

  test('stopping the hub does not wait for an open SSE stream', async () => {
    const running = await startHub({ dataDir: tempDir() });
    const stream = await openStream(
      `${running.url}/sessions/s/stream?token=${encodeURIComponent(running.hub.controlToken)}`,
    );
    await eventually(stream.isConnected, 'the stream to connect');
    const started = Date.now();
    await running.hub.stop();
    const took = Date.now() - started;
    await stream.close();
    assert.ok(took < 30_000, `hub.stop() took ${took} ms with a stream open`);
  });

  test('stopping the hub answers a waiting long poll instead of holding shutdown for its `wait`', async () => {
    const running = await startHub({ dataDir: tempDir() });
    const api = inboxApi(running.url, running.hub.controlToken);
    const polling = api.next('s', { wait: 60 }).then(
      (r) => r.status,
      (error: Error) => error.message,
    );
    await sleep(300);
    const started = Date.now();
    await running.hub.stop();
    const took = Date.now() - started;
    await polling;
    assert.ok(took < 30_000, `hub.stop() took ${took} ms: it held shutdown for the poll's 60 s wait`);
  });
});
