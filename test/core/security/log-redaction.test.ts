import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { createLogger } from '../../../main/core/logger.ts';
import { redactHeaders, redactText, redactUrl } from '../../../main/core/security/redact.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { rawExchange } from '../../helpers/raw-http.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { hookToml, writeScript } from '../../helpers/webhook-fixture.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The README promises the control token is never logged. A hub logging at the most verbose level,
// in each format, receives requests carrying its token in every way a client may send it
// (headers, ?token= on allowed and refused routes, refused foreign Host/Origin, malformed HTTP);
// then every line it logged is searched for the token.

function send(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, path, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        // Streams stay open: the status is all we need.
        resolve(res.statusCode ?? 0);
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

test('redaction helpers: credential parameters and headers, nothing else', () => {
  assert.equal(redactUrl('/s/x/stream?token=abc&a=1'), '/s/x/stream?token=[redacted]&a=1');
  assert.equal(
    redactUrl(
      '/cb?access_token=1&api_key=2&key=3&secret=4&password=5&signature=6&X-Amz-Signature=7&client_secret=8&page=2',
    ),
    '/cb?access_token=[redacted]&api_key=[redacted]&key=[redacted]&secret=[redacted]&password=[redacted]&signature=[redacted]&X-Amz-Signature=[redacted]&client_secret=[redacted]&page=2',
  );
  assert.equal(redactUrl('/token=not-a-query'), '/token=not-a-query');
  assert.equal(redactText('Route GET:/x?token=abc not found'), 'Route GET:/x?token=[redacted] not found');
  assert.equal(redactText('sent Authorization: Bearer abcdefghijkl'), 'sent Authorization: Bearer [redacted]');
  assert.equal(redactText('key=value in a sentence'), 'key=value in a sentence');
  assert.deepEqual(
    redactHeaders({
      authorization: 'Bearer x',
      cookie: 'a=b',
      'x-hookbox-token': 't',
      'x-hub-signature-256': 's',
      host: 'h',
      accept: '*/*',
    }),
    {
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-hookbox-token': '[redacted]',
      'x-hub-signature-256': '[redacted]',
      host: 'h',
      accept: '*/*',
    },
  );
});

test('the logger itself redacts urls, headers, requests, errors and messages, whoever logs them', () => {
  let out = '';
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const logger = createLogger({ format: 'json', destination }).child({ component: 'test' });
  logger.warn(
    { url: '/x?token=S1', headers: { 'x-gitlab-token': 'S2', authorization: 'Bearer S3', host: 'h' } },
    'GET /y?access_token=S4',
  );
  logger.error(
    {
      err: Object.assign(new Error('Reply already sent for "/z?secret=S5"'), {
        rawPacket: Buffer.from('GET /?token=S6'),
      }),
      req: { method: 'GET', url: '/r?password=S7' },
    },
    'x',
  );
  for (const secret of ['S1', 'S2', 'S3', 'S4', 'S5', 'S7'])
    assert.ok(!out.includes(`${secret}`), `${secret} in ${out}`);
  assert.ok(!out.includes('rawPacket'));
  assert.match(out, /"host":"h"/);
});

for (const format of ['text', 'json'] as const) {
  describe(`a hub logging ${format} at trace level never writes its token`, async () => {
    const lines: string[] = [];
    const destination = new PassThrough();
    let pending = '';
    destination.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      lines.push(...parts);
    });
    const dir = tempDir();
    writeScript(dir, 'fail.sh', '#!/bin/sh\ncat >/dev/null\necho "it broke" >&2\nexit 2\n');
    const configFile = join(dir, 'config.toml');
    writeFileSync(configFile, hookToml('failing', 'fail.sh'));
    const { url, hub } = await startHub({ configFile, logger: createLogger({ format, level: 'trace', destination }) });
    const token = hub.controlToken;
    const port = new URL(url).port;
    const q = `token=${encodeURIComponent(token)}`;

    test('requests carrying the token, refused and accepted', async () => {
      // Refused by the local guard (the case), each with the token in the URL.
      assert.equal(await send(url, `/sessions/x/stream?${q}`, { headers: { host: 'evil.example' } }), 403);
      assert.equal(await send(url, `/sessions/x/stream?${q}`, { headers: { origin: 'http://evil.example' } }), 403);
      assert.equal(await send(url, `/events?${q}`, { headers: { 'sec-fetch-site': 'cross-site' } }), 403);
      assert.equal(
        await send(url, `/sessions?${q}`, { headers: { host: 'evil.example', authorization: `Bearer ${token}` } }),
        403,
      );
      // A query token where only headers count; unknown routes; bad bodies.
      assert.equal(await send(url, `/sessions?${q}`), 401);
      assert.equal(await send(url, `/no/such/route?${q}&access_token=${token}`), 404);
      assert.equal(
        await send(url, `/events?${q}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"kind":',
        }),
        400,
      );
      assert.equal(
        await send(url, `/events?${q}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        }),
        400,
      );
      // Accepted: headers, and the stream's ?token=.
      assert.equal(await send(url, '/sessions', { headers: { authorization: `Bearer ${token}` } }), 200);
      assert.equal(
        await send(url, '/hooks', { headers: { 'x-hookbox-token': token, cookie: `session=${token}` } }),
        200,
      );
      assert.equal(await send(url, `/sessions/x/stream?${q}`), 200);
      assert.equal(await send(url, '/app/events', { headers: { authorization: `Bearer ${token}` } }), 200);
      // Malformed HTTP to the API (fastify logs the parser error, raw bytes included, at trace).
      const malformed = await rawExchange(
        Number(port),
        `GET /sessions?${q} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nX-Evil: a\0b\r\n\r\n`,
      );
      assert.equal(malformed.status, 400);
      // A hook whose script fails (logged as a warning), called with the token in its URL and headers.
      const hook = hub.hooks.status().find((h) => h.name === 'failing')!;
      const hookResponse = await fetch(`http://127.0.0.1:${hook.port}/in?${q}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: 'x',
      });
      assert.equal(hookResponse.status, 500);
      await hookResponse.text();
      const badHook = await rawExchange(hook.port!, `POST /in?${q} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`);
      assert.equal(badHook.status, 400);
    });

    test('no line holds the token; the refusals were logged with the URL redacted', async () => {
      const log = lines.join('\n');
      assert.ok(lines.length > 5, `the hub logged (${lines.length} lines)`);
      assert.ok(
        !log.includes(token),
        `the token appears in the log:\n${lines.filter((l) => l.includes(token)).join('\n')}`,
      );
      assert.ok(!log.includes(encodeURIComponent(token)));
      assert.ok(!log.includes('rawPacket'), 'raw request bytes are not logged');
      assert.match(log, /Host \\?"evil\.example\\?" is not this loopback service/);
      assert.match(log, /requests from web pages are refused \(Origin: http:\/\/evil\.example\)/);
      assert.match(log, /\/sessions\/x\/stream\?token=\[redacted\]/);
      assert.match(log, /hook failing: script exited with status 2/);
    });
  });
}
