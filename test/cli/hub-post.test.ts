// The agent hook's one POST to the hub over a plain socket (main/cli/hub-post.ts), against real
// servers on 127.0.0.1: the hub's own way of answering, a chunked body, and nothing listening.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { HubUnreachableError, parseHttpResponse, postToHub } from '../../main/cli/hub-post.ts';
import { closedPort } from '../helpers/http-receiver.ts';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  after(() => server.close());
  return (server.address() as { port: number }).port;
}

test('the body goes out with its length and the token; the reply comes back whole (UTF-8 included)', async () => {
  const seen: { method?: string; url?: string; auth?: string; type?: string; body?: string } = {};
  const port = await serve((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      Object.assign(seen, {
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        body,
      });
      const reply = JSON.stringify({ exit_code: 2, stderr: 'blocked — rm -rf /' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
      res.end(reply);
    });
  });
  const input = JSON.stringify({ tool_input: { command: 'echo «ü»' } });
  const reply = await postToHub(
    { host: '127.0.0.1', port, path: '/agents/claude/run?json=true', token: 't0ken', timeoutMs: 10_000 },
    input,
  );
  assert.deepEqual(seen, {
    method: 'POST',
    url: '/agents/claude/run?json=true',
    auth: 'Bearer t0ken',
    type: 'application/json',
    body: input,
  });
  assert.equal(reply.status, 200);
  assert.deepEqual(JSON.parse(reply.body), { exit_code: 2, stderr: 'blocked — rm -rf /' });
});

test('a chunked reply and an error status are read as such', async () => {
  const port = await serve((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.write('{"message":');
    res.end('"no token"}');
  });
  const reply = await postToHub({ host: '127.0.0.1', port, path: '/', timeoutMs: 10_000 }, '{}');
  assert.deepEqual(reply, { status: 401, body: '{"message":"no token"}' });
});

test('nothing listening: HubUnreachableError saying Hookbox is not running', async () => {
  const port = await closedPort();
  await assert.rejects(
    postToHub({ host: '127.0.0.1', port, path: '/', timeoutMs: 10_000 }, '{}'),
    (error: unknown) =>
      error instanceof HubUnreachableError &&
      error.code === 'ECONNREFUSED' &&
      /Hookbox is not running/.test(error.message),
  );
});

test('a cut-off or foreign reply is refused, not half read', () => {
  assert.throws(() => parseHttpResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}')), /truncated/);
  assert.throws(() => parseHttpResponse(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')), /not an HTTP response/);
  assert.throws(() => parseHttpResponse(Buffer.from('HTTP/1.1 200 OK\r\n')), /incomplete/);
});
