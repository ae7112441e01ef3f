import { Type } from 'typebox';
import { ErrorCode, HookboxError } from '../../errors.ts';
import { eventListLimit, type EventLog } from '../../events/event-log.ts';
import { AgentdEvent, HookEventInput, type RecordedEvent } from '../../events/event-schema.ts';
import { ApiErrorBody } from '../api-error.ts';
import type { ApiServer } from '../api-types.ts';

const RecordedReply = Type.Object({ success: Type.Literal(true), event_id: Type.String(), message: Type.String() });

export function registerEventRoutes(
  app: ApiServer,
  deps: { eventLog: EventLog; onRecorded: (event: RecordedEvent) => void },
): void {
  // 201 would be more RESTful, but agentd answers 200 and its clients expect it.
  app.post(
    '/events',
    { schema: { body: HookEventInput, response: { 200: RecordedReply, '4xx': ApiErrorBody } } },
    async (request) => {
      const event = await deps.eventLog.record(request.body);
      deps.onRecorded(event);
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
