// Types only: the local API's routes the CLI calls, each with the types of its query, body and
// reply taken from the schemas the route itself validates and replies with (routes/*.ts). The
// CLI's ApiClient (main/cli/api-client.ts) is typed by this map, so a field added to a route's
// schema reaches every caller, and a caller that sends or reads a wrong shape fails the type
// check. Imports are type-only: the CLI bundles none of the server's code through this file.
import type { Static } from 'typebox';
import type * as agents from './routes/agent-routes.ts';
import type * as events from './routes/event-routes.ts';
import type * as hooks from './routes/hook-routes.ts';
import type * as lifecycle from './routes/lifecycle-routes.ts';
import type * as schedules from './routes/schedule-routes.ts';
import type * as sessions from './routes/session-routes.ts';

export interface ApiRoutes {
  'GET /sessions': { response: Static<typeof sessions.SessionsReply> };
  'GET /sessions/:name/inbox': {
    query: Static<typeof sessions.InboxQuery>;
    response: Static<typeof sessions.MessagesReply>;
  };
  'POST /sessions/:name/messages': {
    body: Static<typeof sessions.InjectBody>;
    response: Static<typeof sessions.MessageReply>;
  };
  /** 204 (nothing came within `wait`) is null. */
  'GET /sessions/:name/next': {
    query: Static<typeof sessions.NextQuery>;
    response: Static<typeof sessions.MessageReply> | null;
  };
  'POST /sessions/:name/messages/:id/ack': {
    query: Static<typeof sessions.AckQuery>;
    response: Static<typeof sessions.MessageReply>;
  };
  'POST /schedules': { body: Static<typeof schedules.ScheduleBody>; response: Static<typeof schedules.ScheduleReply> };

  'GET /hooks': { response: Static<typeof hooks.HooksReply> };
  'POST /hooks/claims': { body: Static<typeof hooks.ClaimBody>; response: Static<typeof hooks.ClaimReply> };
  'POST /hooks/claims/:id/renew': { body: Static<typeof hooks.RenewBody>; response: Static<typeof hooks.RenewReply> };
  'DELETE /hooks/claims/:id': { response: Static<typeof hooks.Done> };
  'GET /hooks/runs': { query: Static<typeof hooks.RunsQuery>; response: Static<typeof hooks.RunsReply> };
  'GET /hooks/runs/:id': { response: Static<typeof hooks.RunDetail> };
  'GET /hooks/runs/:id/curl': { query: Static<typeof hooks.CurlQuery>; response: Static<typeof hooks.CurlReply> };
  'POST /hooks/runs/:id/replay': { response: Static<typeof hooks.ReplayReply> };

  /** The body is the agent's own hook JSON; the adapter checks it. */
  'POST /agents/:agent/run': {
    query: Static<typeof agents.AgentRunQuery>;
    body: unknown;
    response: Static<typeof agents.AgentRunReply>;
  };
  'POST /lifecycle/events/:event': {
    query: Static<typeof lifecycle.EmitQuery>;
    body: Static<typeof lifecycle.EmitBody>;
    response: Static<typeof lifecycle.EmitReply>;
  };
  'POST /lifecycle/deliveries/:id/retry': { response: { success: true } };
  'POST /notify-next': { body: Static<typeof events.NotifyNextBody>; response: Static<typeof events.NotifyNextReply> };
}

export type ApiRoute = keyof ApiRoutes;

type PathOf<R extends string> = R extends `${string} ${infer Path}` ? Path : never;
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<Rest>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** What a call to `route` takes: its path parameters, query and body, as the route's schemas say. */
export type CallOptions<R extends ApiRoute> = { signal?: AbortSignal } & ([ParamNames<PathOf<R>>] extends [never]
  ? unknown
  : { params: Record<ParamNames<PathOf<R>>, string> }) &
  (ApiRoutes[R] extends { query: infer Q } ? { query?: Q } : unknown) &
  (ApiRoutes[R] extends { body: infer B } ? { body: B } : unknown);

export interface ApiReply<R extends ApiRoute> {
  status: number;
  json: ApiRoutes[R]['response'];
}
