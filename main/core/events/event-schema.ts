import { Type, type Static } from 'typebox';

// agentd-hook's data model (seed 002), exactly: the request payload and the stored record.

export const HOOK_KINDS = ['shell', 'git', 'system'] as const;
export const HookKind = Type.Enum([...HOOK_KINDS]);
export type HookKind = (typeof HOOK_KINDS)[number];

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
  kind: HookKind,
  command: Type.String(),
  exit_code: Type.Integer(),
  duration_ms: Type.Integer(),
  output: Type.String(),
  metadata: Metadata,
});
export type RecordedEvent = Static<typeof RecordedEvent>;
