import { Type } from 'typebox';
import { AppRequests, type AppOperationName } from '../../app-api/app-api-schema.ts';
import type { AppApi } from '../../app-api/app-api-interface.ts';
import { ErrorCode, HookboxError } from '../../errors.ts';
import type { ApiServer } from '../api-types.ts';
import { requireControlToken } from '../require-token.ts';
import { openSseStream } from '../sse-stream.ts';

// The window's contract over HTTP, for the browser build that `hookbox serve` serves: one
// RPC-style route per operation (POST /app/rpc/{operation}, the request as the JSON body, the
// response as the JSON body) and one server-sent-events stream (GET /app/events) carrying every
// subscription. Both need the control token: the window can inject messages, rewrite the config
// and edit shell rc files.

const OPERATIONS = new Set(Object.keys(AppRequests));

export function registerAppRoutes(app: ApiServer, deps: { api: AppApi; token: string; closing: AbortSignal }): void {
  // onRequest: an unauthorised caller learns nothing, not even which fields a body needs.
  const guarded = { onRequest: requireControlToken(deps.token) };

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
    const stream = openSseStream(request.raw, reply.raw, deps.closing);
    const unsubscribe = Object.entries(api.subscriptions).map(([name, subscribe]) =>
      (subscribe as (emit: (payload: unknown) => void) => () => void)((payload) =>
        stream.send({ event: name, data: payload }),
      ),
    );
    stream.onEnd(() => {
      for (const off of unsubscribe) off();
    });
    // Tells the page the stream is live (it reloads what it shows: nothing in between is lost).
    stream.comment('connected');
    stream.send({ event: 'ready', data: {} });
  });
}
