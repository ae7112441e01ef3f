import { Type } from 'typebox';
import { ErrorCode, HookboxError } from '../../errors.ts';
import type { LifecycleService } from '../../lifecycle/lifecycle-service.ts';
import { HandlerRunSchema } from '../../lifecycle/lifecycle-chain.ts';
import { MergedResultSchema } from '../../lifecycle/loom-protocol.ts';
import { DELIVERY_CHANNELS, DELIVERY_STATES } from '../../lifecycle/outbox-store.ts';
import { ApiErrorBody } from '../api-error.ts';
import type { ApiServer } from '../api-types.ts';
import { requireControlToken } from '../require-token.ts';

// Lifecycle hooks over the local API. Emitting an event runs scripts, so every route here is a
// control route: it needs the control token.

const Json = Type.Unknown();
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const Result = MergedResultSchema;

const Run = HandlerRunSchema;

export const EmitReply = Type.Object({
  success: Type.Literal(true),
  event_id: Type.String(),
  event: Type.String(),
  allowed: Type.Boolean(),
  reason: Nullable(Type.String()),
  hook: Nullable(Type.String()),
  duration_ms: Type.Integer(),
  result: Result,
  runs: Type.Array(Run),
  not_run: Type.Array(Type.String()),
  deliveries: Type.Array(Type.String()),
  background: Type.Array(Type.String()),
  followups: Type.Integer(),
});

const EventRecord = Type.Object({
  id: Type.String(),
  received_at: Type.String(),
  event: Type.String(),
  source: Type.String(),
  data: Type.Record(Type.String(), Json),
  allowed: Type.Boolean(),
  reason: Nullable(Type.String()),
  hook: Nullable(Type.String()),
  duration_ms: Type.Integer(),
  result: Result,
});

const DeliveryFields = {
  id: Type.String(),
  channel: Type.Enum([...DELIVERY_CHANNELS]),
  event_id: Type.String(),
  event: Type.String(),
  hook: Type.String(),
  url: Type.String(),
  state: Type.Enum([...DELIVERY_STATES]),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  timeout_ms: Type.Integer(),
  next_attempt_at: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
  last_status: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  delivered_at: Nullable(Type.String()),
};
const DeliverySummary = Type.Object(DeliveryFields);
const Attempt = Type.Object({
  delivery_id: Type.String(),
  attempt: Type.Integer(),
  started_at: Type.String(),
  duration_ms: Type.Integer(),
  status: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  outcome: Type.String(),
});
const Followup = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  task_id: Nullable(Type.String()),
  agent_id: Nullable(Type.String()),
  kind: Type.String(),
  text: Type.String(),
  created_at: Type.String(),
  message_id: Nullable(Type.String()),
});
const Failure = Type.Object({
  task_id: Type.String(),
  count: Type.Integer(),
  last_error: Type.String(),
  last_agent_id: Nullable(Type.String()),
  first_at: Type.String(),
  last_at: Type.String(),
});
const Handler = Type.Object({
  event: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  enabled: Type.Boolean(),
  in_chain: Type.Boolean(),
  timeout_s: Type.Number(),
  on_failure: Nullable(Type.String()),
  description: Type.String(),
});

const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 }));
const Source = Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$' }));
const Token = Type.Optional(Type.String());

export const EmitQuery = Type.Object({ source: Source, token: Token });
/** The event's payload (a Bernstein payload or a Loom Context). */
export const EmitBody = Type.Record(Type.String(), Json);

export function registerLifecycleRoutes(app: ApiServer, deps: { lifecycle: LifecycleService; token: string }): void {
  // onRequest: an unauthorised caller learns nothing, not even which fields a body needs.
  const guarded = { onRequest: requireControlToken(deps.token) };
  const { lifecycle } = deps;

  // The event name in the path; the body is its payload (a Bernstein payload or a Loom Context).
  app.post(
    '/lifecycle/events/:event',
    {
      ...guarded,
      schema: {
        params: Type.Object({ event: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: EmitQuery,
        body: EmitBody,
        response: { 200: EmitReply, '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      success: true as const,
      ...(await lifecycle.emit(request.params.event, request.body, request.query.source ?? 'api')),
    }),
  );

  // The event name in the body: {"event": "task.completed", "data": {…}}.
  app.post(
    '/lifecycle/events',
    {
      ...guarded,
      schema: {
        querystring: Type.Object({ source: Source, token: Token }),
        body: Type.Object(
          {
            event: Type.String({ minLength: 1, maxLength: 64 }),
            data: Type.Optional(Type.Record(Type.String(), Json)),
          },
          { additionalProperties: false },
        ),
        response: { 200: EmitReply, '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      success: true as const,
      ...(await lifecycle.emit(request.body.event, request.body.data ?? {}, request.query.source ?? 'api')),
    }),
  );

  app.get(
    '/lifecycle/events',
    {
      ...guarded,
      schema: {
        querystring: Type.Object({ event: Type.Optional(Type.String()), limit: Limit, token: Token }),
        response: { 200: Type.Object({ events: Type.Array(EventRecord) }), '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      events: lifecycle.store.recent({
        limit: request.query.limit ?? 50,
        ...(request.query.event ? { event: request.query.event } : {}),
      }),
    }),
  );

  app.get(
    '/lifecycle/events/:id',
    {
      ...guarded,
      schema: {
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({ token: Token }),
        response: {
          200: Type.Object({
            event: EventRecord,
            runs: Type.Array(Run),
            deliveries: Type.Array(DeliverySummary),
            followups: Type.Array(Followup),
          }),
          '4xx': ApiErrorBody,
        },
      },
    },
    async (request) => {
      const event = lifecycle.store.find(request.params.id);
      if (!event) throw new HookboxError(ErrorCode.NotFound, `no lifecycle event with id ${request.params.id}`);
      return {
        event,
        runs: lifecycle.store.runsFor(event.id),
        deliveries: lifecycle.outboxStore.list({ eventId: event.id, limit: 1000 }),
        followups: lifecycle.store.followupsFor(event.id),
      };
    },
  );

  app.get(
    '/lifecycle/deliveries',
    {
      ...guarded,
      schema: {
        querystring: Type.Object({
          state: Type.Optional(Type.Enum([...DELIVERY_STATES])),
          event_id: Type.Optional(Type.String()),
          limit: Limit,
          token: Token,
        }),
        response: { 200: Type.Object({ deliveries: Type.Array(DeliverySummary) }), '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      deliveries: lifecycle.outboxStore.list({
        limit: request.query.limit ?? 50,
        ...(request.query.state ? { state: request.query.state } : {}),
        ...(request.query.event_id ? { eventId: request.query.event_id } : {}),
      }),
    }),
  );

  app.get(
    '/lifecycle/deliveries/:id',
    {
      ...guarded,
      schema: {
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({ token: Token }),
        response: {
          200: Type.Object({
            delivery: Type.Object({ ...DeliveryFields, body: Type.String() }),
            attempts: Type.Array(Attempt),
          }),
          '4xx': ApiErrorBody,
        },
      },
    },
    async (request) => {
      const delivery = lifecycle.outboxStore.find(request.params.id);
      if (!delivery) throw new HookboxError(ErrorCode.NotFound, `no webhook delivery with id ${request.params.id}`);
      return { delivery, attempts: lifecycle.outboxStore.attempts(delivery.id) };
    },
  );

  app.post(
    '/lifecycle/deliveries/:id/retry',
    {
      ...guarded,
      schema: {
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({ token: Token }),
        response: { 200: Type.Object({ success: Type.Literal(true) }), '4xx': ApiErrorBody },
      },
    },
    async (request) => {
      await lifecycle.retryDelivery(request.params.id);
      return { success: true as const };
    },
  );

  app.get(
    '/lifecycle/failures',
    {
      ...guarded,
      schema: {
        querystring: Type.Object({ limit: Limit, token: Token }),
        response: { 200: Type.Object({ failures: Type.Array(Failure) }), '4xx': ApiErrorBody },
      },
    },
    async (request) => ({ failures: lifecycle.store.failures(request.query.limit ?? 100) }),
  );

  app.get(
    '/lifecycle/followups',
    {
      ...guarded,
      schema: {
        querystring: Type.Object({ limit: Limit, token: Token }),
        response: { 200: Type.Object({ followups: Type.Array(Followup) }), '4xx': ApiErrorBody },
      },
    },
    async (request) => ({ followups: lifecycle.store.recentFollowups(request.query.limit ?? 100) }),
  );

  app.get(
    '/lifecycle/handlers',
    {
      ...guarded,
      schema: {
        querystring: Type.Object({ token: Token }),
        response: {
          200: Type.Object({
            enabled: Type.Boolean(),
            notify: Type.Array(Type.String()),
            handlers: Type.Array(Handler),
          }),
          '4xx': ApiErrorBody,
        },
      },
    },
    async () => ({
      enabled: lifecycle.config.enabled,
      notify: [...lifecycle.config.notify],
      handlers: lifecycle.handlers(),
    }),
  );
}
