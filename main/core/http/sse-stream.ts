import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

// The one server-sent-events writer of the local API (GET /app/events, GET /sessions/X/stream):
// the headers, the event framing, a keep-alive comment so proxies and idle timers leave the
// stream open, and the end of the stream when the client leaves or the server closes (a stream
// never goes idle, so closing would otherwise wait for its hard deadline while a window is open).

const HEARTBEAT_MS = 15_000;

export interface SseEvent {
  event: string;
  /** Sent as one line of JSON. */
  data: unknown;
  /** The id a reconnecting client sends back as Last-Event-ID. */
  id?: number | string;
}

export interface SseStream {
  /** Returns false when the socket's buffer is full (wait with drained() before more). */
  send(event: SseEvent): boolean;
  /** A comment line (`: text`), which clients ignore: a marker such as "connected". */
  comment(text: string): boolean;
  /** Resolves when the buffer has drained or the client has gone. */
  drained(): Promise<void>;
  /** The client has gone (or the stream was ended). */
  readonly closed: boolean;
  /** Runs once when the stream ends, whoever ends it. */
  onEnd(cleanup: () => void): void;
}

/** Takes over the raw response (the caller has hijacked the reply) and opens the stream on it. */
export function openSseStream(request: IncomingMessage, res: ServerResponse, closing: AbortSignal): SseStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const cleanups: Array<() => void> = [];
  let ended = false;
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    closing.removeEventListener('abort', end);
    for (const cleanup of cleanups) cleanup();
    if (!res.writableEnded) res.end();
  };
  request.on('close', end);
  if (closing.aborted) end();
  else closing.addEventListener('abort', end, { once: true });
  return {
    send: ({ event, data, id }) =>
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    comment: (text) => res.write(`: ${text}\n\n`),
    drained: async () => {
      if (res.destroyed || !res.writableNeedDrain) return;
      // A client gone meanwhile never drains: its 'close' ends the wait too.
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
    },
    get closed() {
      return ended || res.destroyed;
    },
    onEnd: (cleanup) => {
      if (ended) cleanup();
      else cleanups.push(cleanup);
    },
  };
}
