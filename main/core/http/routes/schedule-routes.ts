import { Type } from 'typebox';
import { ErrorCode, HookboxError } from '../../errors.ts';
import { SessionName } from '../../inbox/session-name.ts';
import type { Scheduler } from '../../inbox/scheduler.ts';
import { ApiErrorBody } from '../api-error.ts';
import type { ApiServer } from '../api-types.ts';
import { requireControlToken } from '../require-token.ts';

const ScheduleSchema = Type.Object({
  id: Type.String(),
  session: Type.String(),
  cron: Type.String(),
  content: Type.String(),
  next_at: Type.String(),
  created_at: Type.String(),
});

export const ScheduleBody = Type.Object(
  { session: SessionName, cron: Type.String({ minLength: 1 }), content: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
export const ScheduleReply = Type.Object({ success: Type.Literal(true), schedule: ScheduleSchema });

/** Recurring messages; one-off ones are POST /sessions/{name}/messages with deliver_at. */
export function registerScheduleRoutes(app: ApiServer, deps: { scheduler: Scheduler; token: string }): void {
  // onRequest: an unauthorised caller learns nothing, not even which fields a body needs.
  const guarded = { onRequest: requireControlToken(deps.token) };
  app.get(
    '/schedules',
    {
      ...guarded,
      schema: { response: { 200: Type.Object({ schedules: Type.Array(ScheduleSchema) }), '4xx': ApiErrorBody } },
    },
    async () => ({ schedules: deps.scheduler.list() }),
  );
  app.post(
    '/schedules',
    {
      ...guarded,
      schema: {
        body: ScheduleBody,
        response: { 201: ScheduleReply, '4xx': ApiErrorBody },
      },
    },
    async (request, reply) =>
      reply.code(201).send({ success: true as const, schedule: deps.scheduler.add(request.body) }),
  );
  app.delete(
    '/schedules/:id',
    {
      ...guarded,
      schema: {
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Object({ success: Type.Literal(true) }), '4xx': ApiErrorBody },
      },
    },
    async (request) => {
      if (!deps.scheduler.remove(request.params.id))
        throw new HookboxError(ErrorCode.NotFound, `no schedule with id ${request.params.id}`);
      return { success: true as const };
    },
  );
}
