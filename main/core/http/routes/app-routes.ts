import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import { AppRequests, type AppOperationName } from '../../app-api/app-api-schema.ts';
import type { AppApi } from '../../app-api/app-api-interface.ts';
import { ErrorCode, HookboxError } from '../../errors.ts';
import type { ApiServer } from '../api-types.ts';
import { requireControlToken } from '../require-token.ts';

// The window's contract over HTTP, for the browser build that `hookbox serve` serves: one
// RPC-style route per operation (POST /app/rpc/{operation}, the request as the JSON body, the
// response as the JSON body) and one server-sent-events stream (GET /app/events) carrying every
// subscription. Both need the control token: the window can inject messages, rewrite the config
// and edit shell rc files.

const OPERATIONS = new Set(Object.keys(AppRequests));
const HEARTBEAT_MS = 15_000;

export function registerAppRoutes(app: ApiServer, deps: { api: AppApi; token: string }): void {
  // onRequest: an unauthorised caller learns nothing, not even which fields a body needs.
  const guarded = { onRequest: requireControlToken(deps.token) };
  const streams = new Set<ServerResponse>();

  app.post(
    '/app/rpc/:operation',
    { ...guarded, schema: { params: Type.Object({ operation: Type.String() }) } },
    async (request, reply) => {
      const name = request.params.operation;
      if (!OPERATIONS.has(name)) throw new HookboxError(ErrorCode.NotFound, `no operation '${name}'`);
      const result = await deps.api.handlers[name as AppOperationName](request.body);
      // Serialized here: `null` (no such event) is a valid answer, not an empty body.
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(result ?? null));
    },
  );

  // The window reads it with fetch and a header; ?token= is there for EventSource clients.
  app.get('/app/events', { onRequest: requireControlToken(deps.token, { query: true }) }, async (request, reply) => {
    const { api } = deps;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    streams.add(res);
    const send = (event: string, payload: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    const unsubscribe = Object.entries(api.subscriptions).map(([name, subscribe]) =>
      (subscribe as (emit: (payload: unknown) => void) => () => void)((payload) => send(name, payload)),
    );
    // Tells the page the stream is live (it reloads what it shows: nothing in between is lost).
    res.write(': connected\n\nevent: ready\ndata: {}\n\n');
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      for (const off of unsubscribe) off();
      streams.delete(res);
    });
  });

  // A stream never goes idle: end them when the server closes, or stopping would wait for the
  // hard deadline while a window is open.
  app.addHook('preClose', (done) => {
    for (const res of streams) res.end();
    streams.clear();
    done();
  });
}
