import { Type, type Static } from 'typebox';
import { schemaCheck } from '../util/schema-check.ts';
import { EventKind } from '../events/event-schema.ts';
import { MESSAGE_SOURCES } from '../inbox/inbox-store.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { parseJsonInput } from '../util/json-input.ts';

// The one shape of a Hookbox record on NATS: written by the publisher, checked by every
// subscriber (a message that does not match is terminated, with the reason logged). `id` is the
// record's Hookbox id and the message's Nats-Msg-Id; `host` the machine it happened on.

const Metadata = Type.Record(Type.String(), Type.Unknown());
const Host = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
const Common = {
  v: Type.Literal(1),
  id: Type.String({ minLength: 1, maxLength: 128 }),
  host: Host,
  /** When it happened (ISO 8601). */
  at: Type.String({ minLength: 1, maxLength: 64 }),
};

export const NatsEventRecord = Type.Object({
  ...Common,
  kind: Type.Literal('event'),
  record: Type.Object({
    kind: EventKind,
    command: Type.String({ minLength: 1 }),
    exit_code: Type.Integer({ minimum: -2147483648, maximum: 2147483647 }),
    duration_ms: Type.Integer({ minimum: 0 }),
    output: Type.String(),
    metadata: Metadata,
  }),
});

export const NatsInboxRecord = Type.Object({
  ...Common,
  kind: Type.Literal('inbox'),
  record: Type.Object({
    session: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' }),
    source: Type.Enum([...MESSAGE_SOURCES]),
    label: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
    content: Type.String({ minLength: 1 }),
  }),
});

export const NatsNotificationRecord = Type.Object({
  ...Common,
  kind: Type.Literal('notification'),
  record: Type.Object({
    rule: Type.String(),
    title: Type.String(),
    message: Type.String(),
    priority: Type.String(),
    event_id: Type.String(),
  }),
});

export const NatsLifecycleRecord = Type.Object({
  ...Common,
  kind: Type.Literal('lifecycle'),
  record: Type.Object({
    event: Type.String({ minLength: 1 }),
    source: Type.String(),
    allowed: Type.Boolean(),
    reason: Type.Union([Type.String(), Type.Null()]),
    data: Metadata,
  }),
});

export const NatsHookRunRecord = Type.Object({
  ...Common,
  kind: Type.Literal('hook_run'),
  record: Metadata,
});

export const NatsRecord = Type.Union([
  NatsEventRecord,
  NatsInboxRecord,
  NatsNotificationRecord,
  NatsLifecycleRecord,
  NatsHookRunRecord,
]);
export type NatsRecord = Static<typeof NatsRecord>;
const checkRecord = schemaCheck(NatsRecord);

/** The record in a message body, or why it is not one. */
export function readNatsRecord(data: Uint8Array): { ok: true; record: NatsRecord } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = parseJsonInput(new TextDecoder().decode(data), 'the message');
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  if (checkRecord.Check(value)) return { ok: true, record: value };
  // The union's errors are about every branch; the kind's own schema names the field that is wrong.
  const kind = (value as { kind?: unknown } | null)?.kind;
  const branch = [
    NatsEventRecord,
    NatsInboxRecord,
    NatsNotificationRecord,
    NatsLifecycleRecord,
    NatsHookRunRecord,
  ].find((s) => s.properties.kind.const === kind);
  const issues = branch ? [...schemaCheck(branch).Errors(value)] : [...checkRecord.Errors(value)];
  return { ok: false, reason: `not a Hookbox record: ${describeSchemaIssues(issues)?.message ?? 'unexpected shape'}` };
}

/** A record as the text of an inbox message (what an agent reads). */
export function inboxText(r: NatsRecord): string {
  switch (r.kind) {
    case 'inbox':
      return r.record.content;
    case 'event':
      return `${r.record.exit_code === 0 ? 'Succeeded' : `Failed (exit ${r.record.exit_code})`} on ${r.host}: ${r.record.command}`;
    case 'notification':
      return `${r.record.title} (${r.host}): ${r.record.message}`;
    case 'lifecycle':
      return `${r.record.event} on ${r.host}: ${JSON.stringify(r.record.data)}`;
    case 'hook_run':
      return `Hook run on ${r.host}: ${JSON.stringify(r.record)}`;
  }
}
