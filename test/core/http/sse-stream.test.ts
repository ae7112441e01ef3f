// The one SSE writer (main/core/http/sse-stream.ts) behind both streams of the local API: the
// window's GET /app/events and a session's GET /sessions/X/stream answer with the same headers,
// mark themselves connected, and end when the hub stops (a stream never goes idle by itself).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHub } from '../../helpers/hub-fixture.ts';

test('both event streams share their headers and end when the hub stops', async () => {
  const { hub, url } = await startHub();
  const headers = { authorization: `Bearer ${hub.controlToken}` };
  const open = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers });
    assert.equal(response.status, 200, path);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(': connected\n\n')) {
      const { value, done } = await reader.read();
      assert.ok(!done, `${path} ended before it said it was connected`);
      text += value;
    }
    return { response, reader };
  };
  const app = await open('/app/events');
  const session = await open('/sessions/X/stream');
  const pick = (r: Response) => ['content-type', 'cache-control', 'x-accel-buffering'].map((h) => r.headers.get(h));
  assert.deepEqual(pick(app.response), ['text/event-stream; charset=utf-8', 'no-store', 'no']);
  assert.deepEqual(pick(session.response), pick(app.response));

  const rest = async (reader: ReadableStreamDefaultReader<string>) => {
    for (;;) if ((await reader.read()).done) return;
  };
  await Promise.all([hub.stop(), rest(app.reader), rest(session.reader)]);
});
