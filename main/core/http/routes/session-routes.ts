import { Type } from 'typebox';
import { ErrorCode, HookboxError } from '../../errors.ts';
import type { Inbox, InboxMessage } from '../../inbox/inbox.ts';
import { SessionName } from '../../inbox/session-name.ts';
import { InboxMessageSchema, MESSAGE_STATES, SessionSummarySchema } from '../../inbox/inbox-store.ts';
import { injectedRecord } from '../../inbox/inbox-output.ts';
import { ApiErrorBody } from '../api-error.ts';
import type { ApiServer } from '../api-types.ts';
import { requireControlToken } from '../require-token.ts';
import { openSseStream } from '../sse-stream.ts';

const SessionParams = Type.Object({ name: SessionName });
const Token = Type.Optional(Type.String());

// Request and reply schemas, exported: the typed client (main/cli/api-client.ts) derives its
// types from them through http/api-routes.ts.
export const SessionsReply = Type.Object({ sessions: Type.Array(SessionSummarySchema) });
export const MessageReply = Type.Object({ success: Type.Literal(true), message: InboxMessageSchema });
export const InboxQuery = Type.Object({
  state: Type.Optional(Type.Enum([...MESSAGE_STATES])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
export const MessagesReply = Type.Object({ messages: Type.Array(InboxMessageSchema) });
export const InjectBody = Type.Object(
  {
    content: Type.String({ minLength: 1 }),
    source: Type.Optional(Type.Enum(['schedule', 'background', 'skill', 'inject'])),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    deliver_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export const NextQuery = Type.Object({
  wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 300 })),
  lease: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
});
/** The `claims` value of the message as /next returned it: a stale claim gets 409. */
export const AckQuery = Type.Object({ claim: Type.Optional(Type.Integer({ minimum: 1 })) });

/** Messages read from the database at a time when a reconnecting stream catches up. */
const REPLAY_PAGE = 500;

export function registerSessionRoutes(
  app: ApiServer,
  deps: { inbox: Inbox; token: string; closing: AbortSignal },
): void {
  const { inbox } = deps;
  // onRequest: an unauthorised caller learns nothing, not even which fields a body needs.
  const guarded = { onRequest: requireControlToken(deps.token) };

  app.get(
    '/sessions',
    {
      ...guarded,
      schema: {
        response: { 200: SessionsReply, '4xx': ApiErrorBody },
      },
    },
    async () => ({ sessions: inbox.sessions() }),
  );

  app.get(
    '/sessions/:name/inbox',
    {
      ...guarded,
      schema: {
        params: SessionParams,
        querystring: InboxQuery,
        response: { 200: MessagesReply, '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      messages: inbox.list(request.params.name, {
        limit: request.query.limit ?? 100,
        ...(request.query.state ? { state: request.query.state } : {}),
      }),
    }),
  );

  // Injection: `hookbox send`, the UI, or any local tool holding the token.
  app.post(
    '/sessions/:name/messages',
    {
      ...guarded,
      schema: {
        params: SessionParams,
        body: InjectBody,
        response: { 201: MessageReply, '4xx': ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { content, source, label, deliver_at: deliverAt } = request.body;
      if (content.trim() === '') throw new HookboxError(ErrorCode.InvalidInput, 'message is empty');
      const availableAt = deliverAt ? new Date(deliverAt) : undefined;
      if (availableAt && Number.isNaN(availableAt.getTime()))
        throw new HookboxError(ErrorCode.InvalidInput, `'deliver_at' is not a valid time`);
      const message = await inbox.inject({
        session: request.params.name,
        source: source ?? 'inject',
        label: label ?? 'api',
        content,
        ...(availableAt ? { availableAt } : {}),
      });
      return reply.code(201).send({ success: true as const, message });
    },
  );

  // Long poll: claims the next message in delivery order, or 204 when none came within `wait`.
  app.get(
    '/sessions/:name/next',
    {
      ...guarded,
      schema: {
        params: SessionParams,
        querystring: NextQuery,
        response: { 200: MessageReply, 204: Type.Null(), '4xx': ApiErrorBody },
      },
    },
    async (request, reply) => {
      const aborted = new AbortController();
      request.raw.on('close', () => aborted.abort());
      reply.raw.on('close', () => aborted.abort());
      const message = await inbox.waitForNext(request.params.name, {
        waitMs: (request.query.wait ?? 30) * 1000,
        leaseMs: (request.query.lease ?? 60) * 1000,
        signal: AbortSignal.any([aborted.signal, deps.closing]),
      });
      if (!message) return reply.code(204).send(null);
      if (aborted.signal.aborted) {
        // The consumer left while we claimed: give it back rather than wait for the lease.
        await inbox.release(request.params.name, message.id);
        return reply.code(204).send(null);
      }
      return { success: true as const, message };
    },
  );

  app.post(
    '/sessions/:name/messages/:id/ack',
    {
      ...guarded,
      schema: {
        params: Type.Object({ name: SessionName, id: Type.String() }),
        querystring: AckQuery,
        response: { 200: MessageReply, '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      success: true as const,
      message: await inbox.ack(request.params.name, request.params.id, request.query.claim),
    }),
  );

  // Server-sent events: every message injected into the session from now on (with
  // Last-Event-ID, also those after that message).
  app.get(
    '/sessions/:name/stream',
    // EventSource cannot send headers: the stream also takes ?token=.
    {
      onRequest: requireControlToken(deps.token, { query: true }),
      schema: { params: SessionParams, querystring: Type.Object({ token: Token }) },
    },
    async (request, reply) => {
      const session = request.params.name;
      reply.hijack();
      const stream = openSseStream(request.raw, reply.raw, deps.closing);
      // Subscribe before replaying, and send each message once by its sequence number, so none
      // committed while we replay is lost or doubled.
      let lastSent = 0;
      /** Returns false when the socket's buffer is full (wait for it to drain before more). */
      const write = (message: InboxMessage): boolean => {
        if (message.seq <= lastSent) return true;
        lastSent = message.seq;
        return stream.send({ id: message.seq, event: 'message', data: { ...injectedRecord(message), message } });
      };
      const pending: InboxMessage[] = [];
      let replaying = true;
      const onMessage = (message: InboxMessage) => {
        if (message.session !== session) return;
        if (replaying) pending.push(message);
        else write(message);
      };
      // Registered first: a client that leaves during the replay is cleaned up too.
      stream.onEnd(() => inbox.events.off('message', onMessage));
      inbox.events.on('message', onMessage);
      const lastId = Number(request.headers['last-event-id']);
      if (Number.isInteger(lastId) && lastId > 0) {
        lastSent = lastId;
        // Everything after it, however much: page by page, at the pace the client reads.
        for (let more = true; more && !stream.closed; ) {
          const page = inbox.since(session, lastSent, REPLAY_PAGE);
          for (const message of page) {
            if (!write(message)) await stream.drained();
            if (stream.closed) break;
          }
          more = page.length === REPLAY_PAGE;
        }
      }
      replaying = false;
      if (stream.closed) return;
      for (const message of pending) write(message);
      stream.comment('connected');
    },
  );
}
