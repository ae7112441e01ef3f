import { Type, type Static } from 'typebox';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { isLoomEvent, type LifecycleEventName } from './lifecycle-events.ts';
import { parseJsonInput } from '../util/json-input.ts';
import { schemaCheck } from '../util/schema-check.ts';

// Loom's hook protocol as JSON: a Context goes in (stdin of a script hook), a Result comes out
// (its stdout). Handlers run in registration order and a modification carries forward: the next
// handler sees the `new_context` and `data` the earlier ones produced.

export interface LoomToolCall {
  name?: string;
  command?: string;
  args?: unknown;
  [key: string]: unknown;
}

export interface LoomContext {
  event: LifecycleEventName;
  issue_id: string | null;
  agent_id: string | null;
  tool_call: LoomToolCall | null;
  response: string | null;
  error: string | null;
  metadata: Record<string, unknown>;
  /** The replacement context produced by earlier handlers in the chain (null: none yet). */
  new_context: string | null;
  /** Data merged from earlier handlers' results. */
  data: Record<string, unknown>;
}

/** A handler's Result. Fields may be omitted; unknown fields are ignored. */
export const LoomResultSchema = Type.Object(
  {
    block: Type.Optional(Type.Boolean()),
    reason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    modified: Type.Optional(Type.Boolean()),
    new_context: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    data: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: true },
);
export type LoomResult = Static<typeof LoomResultSchema>;
const checkResult = schemaCheck(LoomResultSchema);

/** The chain's answer: what the handlers decided together (as stored and as the API replies). */
export const MergedResultSchema = Type.Object({
  block: Type.Boolean(),
  reason: Type.Union([Type.String(), Type.Null()]),
  modified: Type.Boolean(),
  new_context: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type MergedResult = Static<typeof MergedResultSchema>;

export function emptyResult(): MergedResult {
  return { block: false, reason: null, modified: false, new_context: null, data: {} };
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The Context a chain starts from. A Loom event's payload is a Context already; a Bernstein
 * event's payload maps onto one (task_id → issue_id, error, summary → response) and is kept
 * whole as metadata.
 */
export function contextFor(event: LifecycleEventName, payload: Record<string, unknown>): LoomContext {
  if (isLoomEvent(event)) {
    const toolCall = payload.tool_call as LoomToolCall | undefined;
    return {
      event,
      issue_id: text(payload.issue_id),
      agent_id: text(payload.agent_id),
      tool_call: toolCall ?? null,
      response: text(payload.response),
      error: text(payload.error),
      metadata: (payload.metadata as Record<string, unknown> | undefined) ?? {},
      new_context: null,
      data: {},
    };
  }
  return {
    event,
    issue_id: text(payload.task_id),
    agent_id: text(payload.agent_id),
    tool_call: null,
    response: text(payload.summary),
    error: text(payload.error),
    metadata: payload,
    new_context: null,
    data: {},
  };
}

/** Parses a script's stdout as a Result: empty output is `{}` (allow, no change). */
export function parseResult(stdout: string): { ok: true; result: LoomResult } | { ok: false; error: string } {
  const trimmed = stdout.trim();
  if (trimmed === '') return { ok: true, result: {} };
  let value: unknown;
  try {
    value = parseJsonInput(trimmed, 'it');
  } catch (error) {
    const preview = trimmed.length > 80 ? `${trimmed.slice(0, 80)}…` : trimmed;
    return {
      ok: false,
      error: `its output is not a JSON Result (${(error as Error).message}): ${JSON.stringify(preview)}`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: 'its output must be a JSON object like {"block": false}' };
  if (!checkResult.Check(value)) {
    const problem = describeSchemaIssues([...checkResult.Errors(value)]);
    return { ok: false, error: `its Result is invalid: ${problem?.message ?? 'wrong field types'}` };
  }
  return { ok: true, result: value as LoomResult };
}

/** Folds one handler's Result into the chain's running result and the Context the next one sees. */
export function applyResult(merged: MergedResult, context: LoomContext, result: LoomResult): void {
  if (result.data) {
    Object.assign(merged.data, result.data);
    Object.assign(context.data, result.data);
  }
  if (result.modified || (typeof result.new_context === 'string' && result.new_context !== '')) {
    if (typeof result.new_context === 'string') {
      merged.new_context = result.new_context;
      context.new_context = result.new_context;
    }
    merged.modified = true;
  }
  if (result.block) {
    merged.block = true;
    merged.reason = result.reason ?? null;
  }
}
