import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startHub } from '../../helpers/hub-fixture.ts';

// A token in a URL ends up in shell histories and proxy logs. `?token=` is accepted only on the
// server-sent-event streams (EventSource cannot send headers); every other control route wants
// the header and says so.

const CONTROL_ROUTES: Array<[string, string]> = [
  ['GET', '/sessions'],
  ['GET', '/sessions/s/inbox'],
  ['POST', '/sessions/s/messages'],
  ['GET', '/sessions/s/next?wait=0'],
  ['POST', '/sessions/s/messages/m/ack'],
  ['GET', '/schedules'],
  ['POST', '/schedules'],
  ['DELETE', '/schedules/x'],
  ['GET', '/hooks'],
  ['POST', '/hooks/claims'],
  ['POST', '/hooks/claims/c/renew'],
  ['DELETE', '/hooks/claims/c'],
  ['GET', '/hooks/runs'],
  ['GET', '/hooks/runs/r'],
  ['GET', '/hooks/runs/r/curl'],
  ['POST', '/hooks/runs/r/replay'],
  ['POST', '/app/rpc/listSessions'],
  ['POST', '/lifecycle/events/task.completed'],
  ['POST', '/lifecycle/events'],
  ['GET', '/lifecycle/events'],
  ['GET', '/lifecycle/events/e'],
  ['GET', '/lifecycle/deliveries'],
  ['GET', '/lifecycle/deliveries/d'],
  ['POST', '/lifecycle/deliveries/d/retry'],
  ['GET', '/lifecycle/failures'],
  ['GET', '/lifecycle/followups'],
  ['GET', '/lifecycle/handlers'],
  ['POST', '/agents/claude/hook'],
  ['POST', '/agents/codex/run'],
];

describe('the control token in the URL', async () => {
  const { url, hub } = await startHub();
  const token = hub.controlToken;
  const q = (path: string) => `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  const body = (method: string) =>
    method === 'POST' ? { body: '{"content":"x"}', headers: { 'content-type': 'application/json' } } : {};

  test('the right token as ?token= on a control route: 401 saying to use the header', async () => {
    for (const [method, path] of CONTROL_ROUTES) {
      const response = await fetch(`${url}${q(path)}`, { method, ...body(method) });
      assert.equal(response.status, 401, `${method} ${path}`);
      const json = await response.json();
      assert.equal(json.error, 'unauthorized');
      assert.match(
        json.message,
        /\?token= is accepted only on the event streams .*Authorization: Bearer <token> header/,
        `${method} ${path}`,
      );
    }
  });

  test('even with a good header, a token in the URL is refused (and nothing was done)', async () => {
    const response = await fetch(`${url}${q('/sessions/s/messages')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"content":"x"}',
    });
    assert.equal(response.status, 401);
    const inbox = await (
      await fetch(`${url}/sessions/s/inbox`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
    assert.deepEqual(inbox.messages, []);
  });

  test('the same routes with the header work', async () => {
    const response = await fetch(`${url}/sessions`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.equal((await fetch(`${url}/lifecycle/handlers`, { headers: { 'x-hookbox-token': token } })).status, 200);
  });

  for (const path of ['/sessions/s/stream', '/app/events']) {
    test(`GET ${path} (a stream) takes ?token=, refuses a wrong one`, async () => {
      const controller = new AbortController();
      const good = await fetch(`${url}${q(path)}`, { signal: controller.signal });
      assert.equal(good.status, 200);
      assert.match(good.headers.get('content-type') ?? '', /^text\/event-stream/);
      controller.abort();
      const wrong = await fetch(`${url}${path}?token=${token.slice(0, -2)}xx`);
      assert.equal(wrong.status, 401);
      assert.match((await wrong.json()).message, /needs the control token/);
      assert.equal((await fetch(`${url}${path}`)).status, 401);
    });
  }
});
