import { Type, type Static } from 'typebox';
import { ErrorCode, HookboxError } from '../../errors.ts';
import { eventListLimit, type EventLog } from '../../events/event-log.ts';
import { AgentdEvent, HookEventInput, type RecordedEvent } from '../../events/event-schema.ts';
import { ApiErrorBody } from '../api-error.ts';
import type { ApiServer } from '../api-types.ts';
import { requireControlToken } from '../require-token.ts';

/** POST /notify-next: the CLI's ancestors (its shell among them), or none for any shell. */
export const NotifyNextBody = Type.Object(
  { pids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 64 })) },
  { additionalProperties: false },
);
export type NotifyNextBody = Static<typeof NotifyNextBody>;
export const NotifyNextReply = Type.Object({ success: Type.Literal(true), message: Type.String() });

const RecordedReply = Type.Object({ success: Type.Literal(true), event_id: Type.String(), message: Type.String() });

export function registerEventRoutes(
  app: ApiServer,
  deps: {
    eventLog: EventLog;
    ingestEvent: (input: HookEventInput) => Promise<RecordedEvent>;
    armNextCommand: (pids: number[] | null) => void;
    token: string;
  },
): void {
  // `hookbox notify-next`: a one-shot notification for the next command that ends in that shell.
  app.post(
    '/notify-next',
    {
      onRequest: requireControlToken(deps.token),
      schema: { body: NotifyNextBody, response: { 200: NotifyNextReply, '4xx': ApiErrorBody } },
    },
    async (request) => {
      deps.armNextCommand(request.body.pids ?? null);
      return {
        success: true as const,
        message: request.body.pids
          ? 'the next command that ends in this shell will notify'
          : 'the next command that ends in any shell will notify',
      };
    },
  );

  // 201 would be more RESTful, but agentd answers 200 and its clients expect it.
  app.post(
    '/events',
    { schema: { body: HookEventInput, response: { 200: RecordedReply, '4xx': ApiErrorBody } } },
    async (request) => {
      const event = await deps.ingestEvent(request.body);
      return { success: true as const, event_id: event.id, message: 'Event recorded' };
    },
  );

  // Newest first. Above the maximum the list is capped at 500, as agentd documents.
  app.get(
    '/events',
    {
      schema: {
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(AgentdEvent), '4xx': ApiErrorBody },
      },
    },
    // agentd's clients see what agentd records: the agents' tool calls are the window's.
    async (request) => deps.eventLog.listAgentd(eventListLimit(request.query.limit)) as AgentdEvent[],
  );

  app.get(
    '/events/:id',
    { schema: { params: Type.Object({ id: Type.String() }), response: { 200: AgentdEvent, '4xx': ApiErrorBody } } },
    async (request) => {
      const event = deps.eventLog.get(request.params.id);
      if (!event || event.kind === 'agent')
        throw new HookboxError(ErrorCode.NotFound, `no event with id ${request.params.id}`);
      return event as AgentdEvent;
    },
  );
}
