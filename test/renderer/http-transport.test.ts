import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import type { RecordedEvent } from '../../main/shared/api-contract.ts';
import { chooseTransport, takeToken } from '../../renderer/src/transport/choose-transport.ts';
import { ApiCallError, createHttpApi, type ConnectionStatus } from '../../renderer/src/transport/http-transport.ts';
import { postEvent, startHub } from '../helpers/hub-fixture.ts';

// The browser build's transport against a real hub over real HTTP: every operation is a POST to
// /app/rpc/{operation}, live updates come on one event stream, and the token goes in a header.

const running = await startHub();
const token = running.hub.controlToken;

test("operations answer over HTTP as they do over IPC, and errors carry the hub's message", async () => {
  const { api, close } = createHttpApi({ baseUrl: running.url, token });
  try {
    const health = await api.getHealth();
    assert.equal(health.api_url, running.url);
    await postEvent(running.url, { kind: 'shell', command: 'over http', exit_code: 3 });
    const page = await api.queryEvents({ failed_only: true });
    assert.equal(page.events[0]?.command, 'over http');
    assert.equal(await api.getEvent({ id: 'missing' }), null, 'null is an answer, not an empty body');
    await assert.rejects(
      api.listMessages({ session: 'bad name!' }),
      (e: Error) => e instanceof ApiCallError && e.status === 400 && /session/.test(e.message),
    );
    await assert.rejects(api.getHookRun({ id: '' }), (e: Error) => e instanceof ApiCallError && e.status === 400);
  } finally {
    close();
  }
});

test('a wrong token is refused, and the transport says so', async () => {
  const statuses: ConnectionStatus[] = [];
  const { api, close } = createHttpApi({ baseUrl: running.url, token: 'wrong', onStatus: (s) => statuses.push(s) });
  try {
    await assert.rejects(api.getHealth(), (e: Error) => e instanceof ApiCallError && e.status === 401);
    assert.ok(statuses.includes('unauthorized'));
  } finally {
    close();
  }
});

test('live events arrive on the one event stream, which ends when the last listener leaves', async () => {
  const statuses: ConnectionStatus[] = [];
  const { api, close } = createHttpApi({ baseUrl: running.url, token, onStatus: (s) => statuses.push(s) });
  const received: RecordedEvent[] = [];
  const paused: boolean[] = [];
  const offEvents = api.onEventRecorded((event) => received.push(event));
  const offPause = api.onPauseChanged((state) => paused.push(state.paused));
  try {
    const deadline = Date.now() + 30_000;
    while (!statuses.includes('live') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(statuses, ['connecting', 'live']);
    await postEvent(running.url, { kind: 'git', command: 'pre-push', exit_code: 0 });
    await api.pauseNotifications({ minutes: 5 });
    await api.resumeNotifications();
    while ((received.length < 1 || paused.length < 2) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      received.map((e) => e.command),
      ['pre-push'],
    );
    assert.deepEqual(paused, [true, false]);
  } finally {
    offEvents();
    offPause();
    close();
  }
});

test('the event stream is read as text/event-stream: event names, multi-line data, comments, split chunks, CRLF', async () => {
  // A server that sends what a proxy or another SSE writer may: blocks cut anywhere, CRLF line
  // ends, comments, a block with no data and one with no event name (neither reaches a listener).
  const chunks = [
    ': connected\n\nevent: ready\ndata: {}\n\n',
    'event: onHookRun\ndata: {"a":1}\n\n: keep-alive\n\n',
    'event: onHookRun\r\ndata: {"b":\r\ndata: 2}\r\n\r\nevent: onHookRun\n\n',
    'data: {"unnamed":true}\n\nevent: onHo',
    'okRun\nda',
    'ta: {"c":3}\n\n',
  ];
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (i: number) => {
      if (i === chunks.length) return;
      response.write(chunks[i]);
      setTimeout(() => send(i + 1), 5);
    };
    send(0);
    request.on('close', () => response.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const statuses: ConnectionStatus[] = [];
  const { api, close } = createHttpApi({
    baseUrl: `http://127.0.0.1:${port}`,
    token: 'test',
    onStatus: (s) => statuses.push(s),
  });
  const runs: unknown[] = [];
  const off = api.onHookRun((run) => runs.push(run));
  try {
    const deadline = Date.now() + 30_000;
    while (runs.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(runs, [{ a: 1 }, { b: 2 }, { c: 3 }], 'multi-line data is joined with a newline');
    assert.deepEqual(statuses, ['connecting', 'live']);
  } finally {
    off();
    close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('the token moves from the URL fragment to sessionStorage and out of the address bar', () => {
  const stored = new Map<string, string>();
  const replaced: string[] = [];
  const page = {
    location: { origin: 'http://127.0.0.1:17002', hash: '#token=abc%2Bdef', pathname: '/', search: '' },
    history: { replaceState: (_d: unknown, _u: string, url: string) => void replaced.push(url) },
    sessionStorage: {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => void stored.set(k, v),
    },
  };
  assert.equal(takeToken(page), 'abc+def');
  assert.deepEqual(replaced, ['/']);
  // A reload has no fragment but finds the token for this tab.
  assert.equal(takeToken({ ...page, location: { ...page.location, hash: '' } }), 'abc+def');
  assert.equal(
    chooseTransport({
      ...page,
      sessionStorage: { getItem: () => null, setItem: () => undefined },
      location: { ...page.location, hash: '' },
    }).kind,
    'no-token',
  );
  const ipc = {} as never;
  assert.equal(chooseTransport({ ...page, hookbox: ipc }).kind, 'ipc', 'the desktop window uses the preload');
});
