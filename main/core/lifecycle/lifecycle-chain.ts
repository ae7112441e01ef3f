import { Type, type Static, type TSchema } from 'typebox';
import type { Clock } from '../clock.ts';
import type { ScriptResult, ScriptRunner } from '../process/script-runner.ts';
import { newId } from '../util/ids.ts';
import { runBuiltin, type BuiltinEffect } from './builtins/builtin-hooks.ts';
import {
  runsInChain,
  type FailurePolicy,
  type HandlerKind,
  type LifecycleHandler,
  type ScriptHandler,
} from './lifecycle-config.ts';
import type { LifecycleEventName } from './lifecycle-events.ts';
import {
  applyResult,
  contextFor,
  emptyResult,
  LoomResultSchema,
  parseResult,
  type LoomResult,
  type MergedResult,
} from './loom-protocol.ts';

// The synchronous part of an event: blocking scripts, Loom script hooks and built-ins, run one
// after the other in registration order. The first block stops the chain; each handler sees the
// modifications of the ones before it. A handler that fails (times out, cannot start, crashes,
// prints an invalid Result) is decided by its on_failure policy: block (the default, as Bernstein
// fails closed) or allow. Used by the hub and, unchanged, by local runs of the CLI.

export const MAX_HANDLER_OUTPUT_BYTES = 1024 * 1024;
/** stdout/stderr kept in the run record. */
const RECORDED_OUTPUT_CHARS = 64 * 1024;
const REASON_MAX_CHARS = 2_000;

/** Every handler kind; a kind added to the config fails the type check where a run records it. */
const HANDLER_KINDS = [
  'webhook',
  'script',
  'blocking_script',
  'loom_script',
  'builtin',
] as const satisfies readonly HandlerKind[];
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** One handler's run as stored and as the API replies (GET /lifecycle/events/{id}, emit replies). */
export const HandlerRunSchema = Type.Object({
  id: Type.String(),
  hook: Type.String(),
  kind: Type.Enum([...HANDLER_KINDS]),
  started_at: Type.String(),
  duration_ms: Type.Integer(),
  /** allowed / blocked / failed in a chain; ok / failed for an async script. */
  outcome: Type.Enum(['allowed', 'blocked', 'failed', 'ok']),
  /** What the chain did with it: a failure becomes the policy's decision. */
  decision: Nullable(Type.Enum(['allow', 'block'])),
  policy: Nullable(Type.Enum(['block', 'allow'] satisfies FailurePolicy[])),
  exit_code: Nullable(Type.Integer()),
  stdout: Type.String(),
  stderr: Type.String(),
  /** Why it failed, in words. */
  error: Nullable(Type.String()),
  result: Nullable(LoomResultSchema),
});
export type HandlerRun = Static<typeof HandlerRunSchema>;

export interface ChainOutcome {
  allowed: boolean;
  reason: string | null;
  /** The handler that decided a block. */
  hook: string | null;
  duration_ms: number;
  result: MergedResult;
  runs: HandlerRun[];
  /** Handlers after a block that did not run. */
  not_run: string[];
  effects: BuiltinEffect[];
}

export interface ChainOptions {
  /** Environment scripts start from. */
  env: NodeJS.ProcessEnv;
  /** When the event happened (the envelope's timestamp). */
  at: Date;
  /** Each handler's start time (the hub's injected clock). */
  clock: Clock;
  /** The hub's (or the CLI command's) script runner. */
  scripts: ScriptRunner;
  eventId?: string;
  failureCount?: (taskId: string) => number | undefined;
}

/** Bernstein's script envelope: `{"event", "timestamp" (Unix seconds), "data"}`. */
export function envelope(event: LifecycleEventName, at: Date, data: Record<string, unknown>): string {
  return JSON.stringify({ event, timestamp: at.getTime() / 1000, data });
}

/** A script's stdout or stderr as a run record keeps it (chain and background runs alike). */
export function clip(text: string, max = RECORDED_OUTPUT_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}\n[… ${text.length - max} more characters not kept]` : text;
}

function lastLines(text: string, max = REASON_MAX_CHARS): string {
  const t = text.trim();
  return t.length > max ? `…${t.slice(t.length - max + 1)}` : t;
}

/** A script result that is not a normal exit, in words. */
function scriptFailure(result: ScriptResult): string | null {
  if (result.outcome !== 'exited') return result.error ?? result.outcome;
  if (result.exitCode === null) return `killed by ${result.signal ?? 'a signal'}`;
  return null;
}

function scriptEnv(base: NodeJS.ProcessEnv, handler: LifecycleHandler, eventId: string | undefined): NodeJS.ProcessEnv {
  return {
    ...base,
    HOOKBOX_EVENT: handler.event,
    HOOKBOX_HOOK: handler.name,
    ...(eventId ? { HOOKBOX_EVENT_ID: eventId } : {}),
  };
}

/** Runs a script handler (blocking or not) with the Bernstein envelope on stdin. */
export function runEnvelopeScript(
  handler: ScriptHandler,
  input: string,
  options: Pick<ChainOptions, 'env' | 'eventId' | 'scripts'>,
): Promise<ScriptResult> {
  return options.scripts.run({
    command: handler.argv[0]!,
    args: handler.argv.slice(1),
    input,
    env: scriptEnv(options.env, handler, options.eventId),
    cwd: handler.cwd,
    timeoutMs: handler.timeoutMs,
    maxOutputBytes: MAX_HANDLER_OUTPUT_BYTES,
  });
}

function baseRun(handler: LifecycleHandler, started: Date): HandlerRun {
  return {
    id: newId(),
    hook: handler.name,
    kind: handler.kind,
    started_at: started.toISOString(),
    duration_ms: 0,
    outcome: 'allowed',
    decision: 'allow',
    policy: null,
    exit_code: null,
    stdout: '',
    stderr: '',
    error: null,
    result: null,
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function runChain(
  event: LifecycleEventName,
  payload: Record<string, unknown>,
  handlers: readonly LifecycleHandler[],
  options: ChainOptions,
): Promise<ChainOutcome> {
  const chainStarted = performance.now();
  const context = contextFor(event, payload);
  const merged = emptyResult();
  const runs: HandlerRun[] = [];
  const effects: BuiltinEffect[] = [];
  const chain = handlers.filter(runsInChain);
  let blockedBy: { hook: string; reason: string } | null = null;
  const notRun: string[] = [];

  for (const handler of chain) {
    if (blockedBy) {
      notRun.push(handler.name);
      continue;
    }
    const started = options.clock.now();
    const t0 = performance.now();
    const run = baseRun(handler, started);
    let failure: string | null = null;
    let blockReason: string | null = null;
    let result: LoomResult | null = null;

    if (handler.kind === 'blocking_script') {
      const out = await runEnvelopeScript(handler, envelope(event, options.at, payload), options);
      run.exit_code = out.exitCode;
      run.stdout = clip(out.stdout);
      run.stderr = clip(out.stderr);
      failure = scriptFailure(out);
      if (!failure && out.exitCode !== 0) {
        // The seed's convention: a non-zero exit blocks; the script says why on stderr (or stdout).
        blockReason = lastLines(out.stderr) || lastLines(out.stdout) || `${handler.name} exited with ${out.exitCode}`;
      }
    } else if (handler.kind === 'loom_script') {
      const out = await options.scripts.run({
        command: handler.path,
        input: JSON.stringify(context),
        env: scriptEnv(options.env, handler, options.eventId),
        cwd: handler.cwd,
        timeoutMs: handler.timeoutMs,
        maxOutputBytes: MAX_HANDLER_OUTPUT_BYTES,
      });
      run.exit_code = out.exitCode;
      run.stdout = clip(out.stdout);
      run.stderr = clip(out.stderr);
      failure = scriptFailure(out);
      if (!failure && out.exitCode !== 0)
        failure = `exited with ${out.exitCode}${out.stderr.trim() ? `: ${lastLines(out.stderr, 300)}` : ''}`;
      if (!failure) {
        const parsed = parseResult(out.stdout);
        if (parsed.ok) result = parsed.result;
        else failure = parsed.error;
      }
    } else if (handler.kind === 'builtin') {
      try {
        const out = await withTimeout(
          runBuiltin({
            handler,
            context,
            scripts: options.scripts,
            ...(options.failureCount ? { failureCount: options.failureCount } : {}),
          }),
          handler.timeoutMs,
        );
        result = out.result;
        effects.push(...out.effects);
      } catch (error) {
        failure = (error as Error).message;
      }
    }

    run.duration_ms = Math.round(performance.now() - t0);
    if (failure) {
      run.outcome = 'failed';
      run.error = failure;
      run.policy = handler.onFailure;
      run.decision = handler.onFailure;
      if (handler.onFailure === 'block')
        blockReason = `${handler.name} failed (${failure}); its on_failure policy is block`;
    } else if (result) {
      run.result = result;
      applyResult(merged, context, { ...result, block: false });
      if (result.block) blockReason = result.reason?.trim() || `blocked by ${handler.name}`;
    }
    if (blockReason) {
      run.outcome = failure ? 'failed' : 'blocked';
      run.decision = 'block';
      blockedBy = { hook: handler.name, reason: blockReason };
      merged.block = true;
      merged.reason = blockReason;
    }
    runs.push(run);
  }

  return {
    allowed: blockedBy === null,
    reason: blockedBy?.reason ?? null,
    hook: blockedBy?.hook ?? null,
    duration_ms: Math.round(performance.now() - chainStarted),
    result: merged,
    runs,
    not_run: notRun,
    effects,
  };
}
