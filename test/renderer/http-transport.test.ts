import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordedEvent } from '../../main/shared/api-contract.ts';
import { chooseTransport, takeToken } from '../../renderer/src/transport/choose-transport.ts';
import {
  ApiCallError,
  createHttpApi,
  parseSseBlock,
  type ConnectionStatus,
} from '../../renderer/src/transport/http-transport.ts';
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

test('parseSseBlock reads event, multi-line data and ignores comments', () => {
  assert.deepEqual(parseSseBlock('event: onHookRun\ndata: {"a":1}'), { event: 'onHookRun', data: '{"a":1}' });
  assert.deepEqual(parseSseBlock(': keep-alive'), null);
  assert.deepEqual(parseSseBlock('data: one\ndata: two'), { event: 'message', data: 'one\ntwo' });
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
