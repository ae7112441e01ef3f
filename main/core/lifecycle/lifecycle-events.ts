import { Type, type Static, type TSchema } from 'typebox';
import { schemaCheck, type SchemaCheck } from '../util/schema-check.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';

// The lifecycle event taxonomy: Bernstein's orchestration events (seed 003) and Loom's agent-loop
// events (seed 004), with the payload each must carry. Unknown names are rejected with the list.

export const BERNSTEIN_EVENTS = [
  'task.created',
  'task.claimed',
  'task.completed',
  'task.failed',
  'task.retried',
  'agent.spawned',
  'agent.heartbeat',
  'agent.completed',
  'agent.killed',
  'agent.stalled',
  'merge.started',
  'merge.completed',
  'merge.conflict',
  'quality_gate.passed',
  'quality_gate.failed',
  'budget.threshold',
  'budget.exceeded',
] as const;

// pre-compact is Hookbox's extension for the coding agents' compaction events (agents/).
export const LOOM_EVENTS = [
  'pre-prompt',
  'pre-tool-call',
  'post-tool-call',
  'post-response',
  'on-error',
  'on-claim',
  'pre-close',
  'on-block',
  'pre-compact',
] as const;

export const LIFECYCLE_EVENTS = [...BERNSTEIN_EVENTS, ...LOOM_EVENTS] as const;
export type BernsteinEvent = (typeof BERNSTEIN_EVENTS)[number];
export type LoomEvent = (typeof LOOM_EVENTS)[number];
export type LifecycleEventName = (typeof LIFECYCLE_EVENTS)[number];

const EVENT_SET = new Set<string>(LIFECYCLE_EVENTS);
const LOOM_SET = new Set<string>(LOOM_EVENTS);

export function isLoomEvent(name: LifecycleEventName): name is LoomEvent {
  return LOOM_SET.has(name);
}

/**
 * The canonical name for `name`, accepting Loom's config spellings (pre_tool_call, PRE_TOOL_CALL)
 * as aliases; undefined when it is no known event.
 */
export function canonicalEventName(name: string): LifecycleEventName | undefined {
  const trimmed = name.trim();
  if (EVENT_SET.has(trimmed)) return trimmed as LifecycleEventName;
  const loom = trimmed.toLowerCase().replace(/_/g, '-');
  if (LOOM_SET.has(loom)) return loom as LifecycleEventName;
  return undefined;
}

export function knownEventList(): string {
  return LIFECYCLE_EVENTS.join(', ');
}

/** The canonical name, or an error listing every known event. */
export function resolveEventName(name: string): LifecycleEventName {
  const canonical = canonicalEventName(name);
  if (!canonical)
    throw new HookboxError(
      ErrorCode.InvalidInput,
      `unknown lifecycle event '${name}'; known events: ${knownEventList()}`,
    );
  return canonical;
}

// --- Payloads -------------------------------------------------------------------------------
// Bernstein payloads carry at least the fields the seed shows; more fields are allowed (the real
// orchestrator sends more) but the known ones must have the right type.

const Id = Type.String({ minLength: 1 });
const Text = Type.String();
const Files = Type.Array(Type.String());
const Extra = { additionalProperties: true } as const;

const TaskRef = { task_id: Id };
const AgentRef = { agent_id: Id };

export const BERNSTEIN_PAYLOADS: Record<BernsteinEvent, TSchema> = {
  'task.created': Type.Object(
    {
      ...TaskRef,
      goal: Type.String({ minLength: 1 }),
      role: Type.Optional(Text),
      priority: Type.Optional(Type.Integer()),
      scope: Type.Optional(Files),
      complexity: Type.Optional(Text),
    },
    Extra,
  ),
  'task.claimed': Type.Object({ ...TaskRef, agent_id: Type.Optional(Id) }, Extra),
  'task.completed': Type.Object(
    {
      ...TaskRef,
      agent_id: Type.Optional(Id),
      summary: Type.Optional(Text),
      files_changed: Type.Optional(Files),
      duration_s: Type.Optional(Type.Number({ minimum: 0 })),
      tokens_used: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    Extra,
  ),
  'task.failed': Type.Object({ ...TaskRef, error: Type.Optional(Text), agent_id: Type.Optional(Id) }, Extra),
  'task.retried': Type.Object(
    {
      ...TaskRef,
      attempt: Type.Optional(Type.Integer({ minimum: 0 })),
      reason: Type.Optional(Text),
      agent_id: Type.Optional(Id),
    },
    Extra,
  ),
  'agent.spawned': Type.Object(
    {
      ...AgentRef,
      task_id: Type.Optional(Id),
      model: Type.Optional(Text),
      role: Type.Optional(Text),
      worktree: Type.Optional(Text),
    },
    Extra,
  ),
  'agent.heartbeat': Type.Object({ ...AgentRef, task_id: Type.Optional(Id) }, Extra),
  'agent.completed': Type.Object({ ...AgentRef, task_id: Type.Optional(Id), summary: Type.Optional(Text) }, Extra),
  'agent.killed': Type.Object({ ...AgentRef, task_id: Type.Optional(Id), reason: Type.Optional(Text) }, Extra),
  'agent.stalled': Type.Object(
    {
      ...AgentRef,
      task_id: Type.Optional(Id),
      last_heartbeat: Type.Optional(Type.Union([Type.String(), Type.Number()])),
      stalled_s: Type.Optional(Type.Number({ minimum: 0 })),
    },
    Extra,
  ),
  'merge.started': Type.Object({ branch: Id, agent_id: Type.Optional(Id), base_branch: Type.Optional(Text) }, Extra),
  'merge.completed': Type.Object({ branch: Id, agent_id: Type.Optional(Id), base_branch: Type.Optional(Text) }, Extra),
  'merge.conflict': Type.Object(
    { branch: Id, conflicting_files: Files, agent_id: Type.Optional(Id), base_branch: Type.Optional(Text) },
    Extra,
  ),
  'quality_gate.passed': Type.Object({ ...TaskRef, gate: Type.Optional(Text) }, Extra),
  'quality_gate.failed': Type.Object(
    {
      ...TaskRef,
      gate: Type.Optional(Text),
      errors: Type.Optional(Type.Array(Type.String())),
      agent_id: Type.Optional(Id),
    },
    Extra,
  ),
  'budget.threshold': Type.Object(
    {
      spent: Type.Number({ minimum: 0 }),
      limit: Type.Number({ minimum: 0 }),
      percent: Type.Optional(Type.Number({ minimum: 0 })),
      task_id: Type.Optional(Id),
    },
    Extra,
  ),
  'budget.exceeded': Type.Object(
    { spent: Type.Number({ minimum: 0 }), limit: Type.Number({ minimum: 0 }), task_id: Type.Optional(Id) },
    Extra,
  ),
};

// Loom's Context (seed 004) as JSON. `error` is Go's error: a message here.
export const ToolCall = Type.Object(
  { name: Type.Optional(Type.String()), command: Type.Optional(Type.String()), args: Type.Optional(Type.Unknown()) },
  Extra,
);

const contextFields = {
  event: Type.Optional(Type.String()),
  issue_id: Type.Optional(Type.String()),
  agent_id: Type.Optional(Type.String()),
  tool_call: Type.Optional(ToolCall),
  response: Type.Optional(Type.String()),
  error: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};

export const LoomContextInput = Type.Object(contextFields, Extra);
export type LoomContextInput = Static<typeof LoomContextInput>;

export const LOOM_PAYLOADS: Record<LoomEvent, TSchema> = {
  'pre-prompt': LoomContextInput,
  'pre-tool-call': Type.Object({ ...contextFields, tool_call: ToolCall }, Extra),
  'post-tool-call': Type.Object({ ...contextFields, tool_call: ToolCall }, Extra),
  'post-response': Type.Object({ ...contextFields, response: Type.String() }, Extra),
  'on-error': Type.Object({ ...contextFields, error: Type.String({ minLength: 1 }) }, Extra),
  'on-claim': LoomContextInput,
  'pre-close': LoomContextInput,
  'on-block': LoomContextInput,
  'pre-compact': LoomContextInput,
};

const checkers = new Map<LifecycleEventName, SchemaCheck<TSchema>>();
function checkerFor(event: LifecycleEventName) {
  let checker = checkers.get(event);
  if (!checker) {
    checker = schemaCheck(isLoomEvent(event) ? LOOM_PAYLOADS[event] : BERNSTEIN_PAYLOADS[event as BernsteinEvent]);
    checkers.set(event, checker);
  }
  return checker;
}

/** Checks a payload against its event's shape; the error names the event and the field. */
export function validatePayload(event: LifecycleEventName, data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HookboxError(ErrorCode.InvalidInput, `${event}: the payload must be a JSON object`);
  }
  const checker = checkerFor(event);
  if (!checker.Check(data)) {
    const problem = describeSchemaIssues([...checker.Errors(data)]);
    throw new HookboxError(ErrorCode.InvalidInput, `${event}: ${problem?.message ?? 'invalid payload'}`);
  }
  const given = (data as { event?: unknown }).event;
  if (isLoomEvent(event) && typeof given === 'string' && canonicalEventName(given) !== event) {
    throw new HookboxError(ErrorCode.InvalidInput, `${event}: the context says event '${given}'`);
  }
  return data as Record<string, unknown>;
}
