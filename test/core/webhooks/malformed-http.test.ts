import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rawExchange, type RawResponse } from '../../helpers/raw-http.ts';
import { SeededRandom } from '../../helpers/seeded-random.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { hookToml, startWebhookHub, writeScript } from '../../helpers/webhook-fixture.ts';

// Requests Node's HTTP parser refuses never reach the dispatcher; senders' delivery logs show
// what the listener answered, so it is the listener's JSON ({ok:false, error}), not an empty 400.

function assertJsonRefusal(response: RawResponse, status: number, error: RegExp): void {
  assert.equal(response.status, status, response.raw.slice(0, 300));
  assert.match(response.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(response.headers.connection, 'close');
  assert.equal(Number(response.headers['content-length']), Buffer.byteLength(response.body, 'latin1'));
  const body = JSON.parse(response.body) as { ok: unknown; error: unknown };
  assert.equal(body.ok, false);
  assert.equal(typeof body.error, 'string');
  assert.match(body.error as string, error);
}

describe('hook listeners answer malformed HTTP with JSON', async () => {
  const dir = tempDir();
  writeScript(dir, 'echo.sh', '#!/bin/sh\ncat\n');
  const { hookUrl, api } = await startWebhookHub(hookToml('raw', 'echo.sh'), { dir });
  const port = Number(new URL(hookUrl('raw')).port);
  const runCount = async () =>
    ((await (await api('/hooks/runs?limit=1000')).json()) as { runs: unknown[] }).runs.length;
  const runsBefore = await runCount();

  const cases: Array<{ name: string; request: string | Buffer; status: number; error: RegExp }> = [
    {
      name: 'an unknown method (FOO)',
      request: 'FOO /hook HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      status: 400,
      error: /^malformed HTTP request: .*method/i,
    },
    {
      name: 'a raw space in the path',
      request: 'POST /a b HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n',
      status: 400,
      error: /^malformed HTTP request/,
    },
    {
      name: 'a 20 KB header',
      request: `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
      status: 431,
      error: /^request headers are larger than \d+ bytes$/,
    },
    {
      name: 'a NUL in a header value',
      request: 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Evil: a\0b\r\nContent-Length: 0\r\n\r\n',
      status: 400,
      error: /^malformed HTTP request/,
    },
    {
      name: 'a NUL in the Host header',
      request: 'POST / HTTP/1.1\r\nHost: evil\0.example\r\nContent-Length: 0\r\n\r\n',
      status: 400,
      error: /^malformed HTTP request/,
    },
    {
      name: 'a garbage request line',
      request: 'hello there, server\r\n\r\n',
      status: 400,
      error: /^malformed HTTP request/,
    },
    { name: 'binary garbage', request: new SeededRandom(13).bytes(512), status: 400, error: /^malformed HTTP request/ },
    {
      name: 'Content-Length together with Transfer-Encoding',
      request: 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      status: 400,
      error: /^malformed HTTP request/,
    },
    {
      name: 'a negative Content-Length',
      request: 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n',
      status: 400,
      error: /^malformed HTTP request/,
    },
    {
      name: 'no Host header in HTTP/1.1',
      request: 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}',
      status: 400,
      error: /no Host header/,
    },
  ];

  for (const c of cases) {
    test(`${c.name} → ${c.status} with {ok:false, error}`, async () => {
      assertJsonRefusal(await rawExchange(port, c.request), c.status, c.error);
    });
  }

  test('none of them ran the script or was recorded as a run, and the listener still serves', async () => {
    assert.equal(await runCount(), runsBefore);
    const ok = await fetch(`${hookUrl('raw')}/after`, { method: 'POST', body: 'still here' });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { ok: boolean }).ok, true);
    // An HTTP/1.0 request without Host is allowed (HTTP/1.0 has no such rule).
    const old = await rawExchange(port, 'POST /old HTTP/1.0\r\nContent-Length: 3\r\n\r\nold');
    assert.equal(old.status, 200, old.raw);
  });
});
