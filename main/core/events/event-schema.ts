import { Type, type Static } from 'typebox';

// agentd-hook's data model (seed 002), exactly: the request payload and the stored record.

export const HOOK_KINDS = ['shell', 'git', 'system'] as const;
export const HookKind = Type.Enum([...HOOK_KINDS]);
export type HookKind = (typeof HOOK_KINDS)[number];

// What the history holds: agentd's kinds, and the coding agents' tool calls (kind "agent",
// recorded by the hub itself — agentd clients can neither post nor list them).
export const EVENT_KINDS = [...HOOK_KINDS, 'agent'] as const;
export const EventKind = Type.Enum([...EVENT_KINDS]);
export type EventKind = (typeof EVENT_KINDS)[number];

const Metadata = Type.Record(Type.String(), Type.Unknown());

export const HookEventInput = Type.Object(
  {
    kind: HookKind,
    command: Type.String({ minLength: 1 }),
    exit_code: Type.Integer({ minimum: -2147483648, maximum: 2147483647 }),
    duration_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    output: Type.Optional(Type.String()),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
export type HookEventInput = Static<typeof HookEventInput>;

export const RecordedEvent = Type.Object({
  id: Type.String(),
  received_at: Type.String(),
  kind: EventKind,
  command: Type.String(),
  exit_code: Type.Integer(),
  duration_ms: Type.Integer(),
  output: Type.String(),
  metadata: Metadata,
});
export type RecordedEvent = Static<typeof RecordedEvent>;

/** agentd's record: what GET /events and GET /events/:id answer (never an agent's tool call). */
export const AgentdEvent = Type.Object({
  id: Type.String(),
  received_at: Type.String(),
  kind: HookKind,
  command: Type.String(),
  exit_code: Type.Integer(),
  duration_ms: Type.Integer(),
  output: Type.String(),
  metadata: Metadata,
});
export type AgentdEvent = Static<typeof AgentdEvent>;

/** An event the hub records itself (an agent's tool call), or one posted by an agentd client. */
export type EventInput = Omit<HookEventInput, 'kind'> & { kind: EventKind };
