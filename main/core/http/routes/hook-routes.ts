import { Type } from 'typebox';
import { checkSessionName } from '../../inbox/inbox.ts';
import { CLAIM_TTL_LIMITS_S, type HookClaim, type HookManager } from '../../webhooks/hook-manager.ts';
import { findRun, replayRun, runCurl, runDetail } from '../../webhooks/hook-run-actions.ts';
import { HOOK_OUTCOMES, type HookRunStore } from '../../webhooks/hook-run-store.ts';
import { ApiErrorBody } from '../api-error.ts';
import type { ApiServer } from '../api-types.ts';
import { requireControlToken } from '../require-token.ts';

// Request and reply schemas are exported: the typed client derives its types from them
// (http/api-routes.ts).
const HookStatus = Type.Object({
  name: Type.String(),
  bind: Type.String(),
  port: Type.Union([Type.Integer(), Type.Null()]),
  session: Type.String(),
  script: Type.String(),
  timeout_s: Type.Number(),
  verify: Type.Union([Type.String(), Type.Null()]),
  filtered: Type.Boolean(),
  state: Type.Enum(['listening', 'error', 'disabled']),
  error: Type.Union([Type.String(), Type.Null()]),
  running: Type.Integer(),
  queued: Type.Integer(),
  claim: Type.Union([
    Type.Object({ id: Type.String(), session: Type.String(), expires_at: Type.String() }),
    Type.Null(),
  ]),
});

const Claim = Type.Object({
  id: Type.String(),
  session: Type.String(),
  hooks: Type.Array(Type.String()),
  expires_at: Type.String(),
});
const Ttl = Type.Optional(Type.Integer({ minimum: CLAIM_TTL_LIMITS_S.min, maximum: CLAIM_TTL_LIMITS_S.max }));

function claimBody(claim: HookClaim) {
  return {
    id: claim.id,
    session: claim.session,
    hooks: claim.hooks,
    expires_at: new Date(claim.expiresAt).toISOString(),
  };
}

const RunSummary = Type.Object({
  id: Type.String(),
  hook: Type.String(),
  session: Type.String(),
  received_at: Type.String(),
  source_address: Type.String(),
  method: Type.String(),
  path: Type.String(),
  query: Type.String(),
  body_size: Type.Integer(),
  body_truncated: Type.Boolean(),
  outcome: Type.Enum([...HOOK_OUTCOMES]),
  status: Type.Integer(),
  exit_code: Type.Union([Type.Integer(), Type.Null()]),
  duration_ms: Type.Integer(),
  message_id: Type.Union([Type.String(), Type.Null()]),
  replay_of: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
});

export const RunDetail = Type.Intersect([
  RunSummary,
  Type.Object({
    headers: Type.Record(Type.String(), Type.String()),
    /** UTF-8 text of the body, or base64 when it is not valid UTF-8. */
    body: Type.String(),
    body_encoding: Type.Enum(['utf8', 'base64']),
    stdout: Type.String(),
    stderr: Type.String(),
  }),
]);

export const HooksReply = Type.Object({
  hooks: Type.Array(HookStatus),
  config_error: Type.Union([Type.String(), Type.Null()]),
});
export const ClaimBody = Type.Object(
  {
    session: Type.String({ minLength: 1 }),
    hooks: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 100 }),
    ttl_s: Ttl,
  },
  { additionalProperties: false },
);
export const ClaimReply = Type.Object({ claim: Claim, hooks: Type.Array(HookStatus) });
export const RenewBody = Type.Object({ ttl_s: Ttl }, { additionalProperties: false });
export const RenewReply = Type.Object({ claim: Claim });
export const Done = Type.Object({ success: Type.Literal(true) });
export const RunsQuery = Type.Object({
  hook: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
export const RunsReply = Type.Object({ runs: Type.Array(RunSummary) });
export const CurlQuery = Type.Object({ reveal: Type.Optional(Type.Boolean()) });
export const CurlReply = Type.Object({ curl: Type.String() });
export const ReplayReply = Type.Object({
  success: Type.Literal(true),
  run_id: Type.String(),
  status: Type.Integer(),
  replay_of: Type.String(),
});

export interface HookRouteDeps {
  hooks: HookManager;
  runs: HookRunStore;
  token: string;
  configError: () => string | null;
}

export function registerHookRoutes(app: ApiServer, deps: HookRouteDeps): void {
  // onRequest: an unauthorised caller learns nothing, not even which fields a body needs.
  const guarded = { onRequest: requireControlToken(deps.token) };

  app.get(
    '/hooks',
    {
      ...guarded,
      schema: {
        response: { 200: HooksReply, '4xx': ApiErrorBody },
      },
    },
    async () => ({ hooks: deps.hooks.status(), config_error: deps.configError() }),
  );

  // Claims: `hookbox run --name X --hook A` attached to this hub points hook A at session X
  // while it runs, renewing the claim; one it stops renewing lapses after ttl_s.
  app.post(
    '/hooks/claims',
    {
      ...guarded,
      schema: {
        body: ClaimBody,
        response: { 201: ClaimReply, '4xx': ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { session, hooks, ttl_s } = request.body;
      const claim = await deps.hooks.claim(
        checkSessionName(session),
        hooks,
        (ttl_s ?? CLAIM_TTL_LIMITS_S.default) * 1000,
      );
      reply.code(201);
      return { claim: claimBody(claim), hooks: deps.hooks.status().filter((h) => claim.hooks.includes(h.name)) };
    },
  );

  app.post(
    '/hooks/claims/:id/renew',
    {
      ...guarded,
      schema: {
        params: Type.Object({ id: Type.String() }),
        body: Type.Optional(RenewBody),
        response: { 200: RenewReply, '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      claim: claimBody(
        deps.hooks.renewClaim(request.params.id, (request.body?.ttl_s ?? CLAIM_TTL_LIMITS_S.default) * 1000),
      ),
    }),
  );

  app.delete(
    '/hooks/claims/:id',
    {
      ...guarded,
      schema: {
        params: Type.Object({ id: Type.String() }),
        response: { 200: Done, '4xx': ApiErrorBody },
      },
    },
    async (request) => {
      await deps.hooks.releaseClaim(request.params.id);
      return { success: true as const };
    },
  );

  app.get(
    '/hooks/runs',
    {
      ...guarded,
      schema: {
        querystring: RunsQuery,
        response: { 200: RunsReply, '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      runs: deps.runs.recent({
        limit: request.query.limit ?? 50,
        ...(request.query.hook ? { hook: request.query.hook } : {}),
      }),
    }),
  );

  app.get(
    '/hooks/runs/:id',
    {
      ...guarded,
      schema: { params: Type.Object({ id: Type.String() }), response: { 200: RunDetail, '4xx': ApiErrorBody } },
    },
    async (request) => runDetail(findRun(deps.runs, request.params.id)),
  );

  app.get(
    '/hooks/runs/:id/curl',
    {
      ...guarded,
      schema: {
        params: Type.Object({ id: Type.String() }),
        querystring: CurlQuery,
        response: { 200: CurlReply, '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      curl: runCurl(deps.hooks, findRun(deps.runs, request.params.id), request.query.reveal ?? false),
    }),
  );

  // Runs the recorded request through the hook again; the new run records which it replays.
  app.post(
    '/hooks/runs/:id/replay',
    {
      ...guarded,
      schema: {
        params: Type.Object({ id: Type.String() }),
        response: { 200: ReplayReply, '4xx': ApiErrorBody },
      },
    },
    async (request) => ({
      success: true as const,
      ...(await replayRun(deps.hooks, findRun(deps.runs, request.params.id))),
    }),
  );
}
