import { newId } from '../util/ids.ts';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import type { CommitHookRunner } from '../db/commit-hooks.ts';
import type { Inbox } from '../inbox/inbox.ts';
import { ConcurrencyLimit } from '../process/concurrency-limit.ts';
import type { ScriptResult, ScriptRunner } from '../process/script-runner.ts';
import type { HookConfig } from './hook-config.ts';
import type { HookOutcome, HookRun, HookRunStore } from './hook-run-store.ts';
import type { DeliveryLedger } from './delivery-ledger.ts';
import { applyFilter } from './hook-filters.ts';

/** One request as a hook listener received it. */
export interface HookRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string without the '?'. */
  query: string;
  headers: Record<string, string>;
  body: Buffer;
  /** True when the body was cut at max_body_bytes (the request is refused). */
  bodyTooLarge: boolean;
  sourceAddress: string;
  /** The run this request replays, if any. */
  replayOf?: string;
}

export interface HookResponse {
  status: number;
  runId: string;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Bodies are recorded up to this size; a larger one is kept truncated (and cannot be replayed). */
export const RECORDED_BODY_LIMIT = 2 * 1024 * 1024;

/** HOOK_HEADER_<NAME>: uppercased, '-' and anything else outside [A-Z0-9_] → '_'. */
export function headerEnvName(header: string): string {
  return `HOOK_HEADER_${header.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** The HOOK_* variables of one request (the script gets them on top of the hub's environment). */
export function hookVariables(hook: HookConfig, request: HookRequest): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(request.headers)) env[headerEnvName(name)] = value;
  Object.assign(env, {
    HOOK_NAME: hook.name,
    HOOK_METHOD: request.method,
    HOOK_PATH: request.path,
    HOOK_QUERY: request.query,
    HOOK_CONTENT_TYPE: request.headers['content-type'] ?? '',
    HOOK_SESSION: hook.session,
  });
  return env;
}

interface RunResult {
  exitCode?: number | null;
  stdout?: string;
  stderr?: string;
  durationMs: number;
  messageId?: string;
}

const STATUS: Record<HookOutcome, number> = {
  injected: 200,
  empty: 204,
  failed: 500,
  timeout: 504,
  output_limit: 500,
  spawn_error: 500,
  bad_signature: 401,
  duplicate: 200,
  filtered: 202,
  queue_full: 429,
  method_not_allowed: 405,
  body_too_large: 413,
  internal_error: 500,
};

/**
 * Octomind's contract for one hook: the raw body to the script's stdin, request data in HOOK_*
 * variables; exit 0 with output → a message in the session inbox (200), exit 0 without → 204,
 * non-zero → 500 with stderr logged, timeout → 504. Every request is recorded, whatever happens.
 */
export class HookDispatcher {
  #hook: HookConfig;
  readonly limit: ConcurrencyLimit;
  readonly #inbox: Inbox;
  readonly #runs: HookRunStore;
  readonly #deliveries: DeliveryLedger;
  readonly #writes: WriteBatcher;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #baseEnv: NodeJS.ProcessEnv;
  readonly #scripts: ScriptRunner;
  readonly #onRun: (run: Omit<HookRun, 'body'>) => void;
  readonly #commitHooks: CommitHookRunner<{ hook_run: HookRun }> | undefined;

  constructor(options: {
    hook: HookConfig;
    inbox: Inbox;
    runs: HookRunStore;
    deliveries: DeliveryLedger;
    writes: WriteBatcher;
    clock: Clock;
    logger: Logger;
    baseEnv: NodeJS.ProcessEnv;
    scripts: ScriptRunner;
    onRun: (run: Omit<HookRun, 'body'>) => void;
    commitHooks?: CommitHookRunner<{ hook_run: HookRun }>;
  }) {
    this.#hook = options.hook;
    this.limit = new ConcurrencyLimit(options.hook.maxConcurrency, options.hook.queueSize);
    this.#inbox = options.inbox;
    this.#runs = options.runs;
    this.#deliveries = options.deliveries;
    this.#writes = options.writes;
    this.#clock = options.clock;
    this.#logger = options.logger;
    // Passed to the spawner by identity (sent once per spawner): the manager gives every
    // dispatcher the same plain copy of the hub's environment.
    this.#baseEnv = options.baseEnv;
    this.#scripts = options.scripts;
    this.#onRun = options.onRun;
    this.#commitHooks = options.commitHooks;
  }

  get hook(): HookConfig {
    return this.#hook;
  }

  /** The same hook with another session (a claim came or went); requests from now on go there. */
  retarget(hook: HookConfig): void {
    this.#hook = hook;
  }

  async handle(request: HookRequest): Promise<HookResponse> {
    // One request keeps the hook as it was when it arrived, even if a claim retargets it meanwhile.
    const hook = this.#hook;
    const runId = newId();
    const receivedAt = this.#clock.now().toISOString();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const refuse = async (
      outcome: HookOutcome,
      error: string,
      headers?: Record<string, string>,
    ): Promise<HookResponse> => {
      await this.#record(
        this.#runRecord(hook, runId, receivedAt, request, outcome, { durationMs: elapsed(), stderr: error }),
      );
      return {
        status: STATUS[outcome],
        runId,
        body: { ok: false, run_id: runId, error },
        ...(headers ? { headers } : {}),
      };
    };

    // Answered 2xx without running the script: a delivery already handled, or one the filters skip.
    const skip = async (outcome: 'duplicate' | 'filtered', reason: string): Promise<HookResponse> => {
      // A filtered request changed nothing, so it is answered without waiting for the disk, but
      // only once its run is committed (a read right after the answer sees it): the filtered
      // requests of one turn of the event loop share one commit, even while a WAL sync is in
      // flight, and are synced with the next one. Filters are for senders that post far more
      // than a hook wants (every event of a repository); a commit or an fdatasync per request
      // was most of their cost.
      await this.#record(
        this.#runRecord(hook, runId, receivedAt, request, outcome, { durationMs: elapsed(), stderr: reason }),
        { durable: outcome !== 'filtered' },
      );
      return { status: STATUS[outcome], runId, body: { ok: true, run_id: runId, [outcome]: true } };
    };
    // The delivery id this request holds; given back if its run fails, so the sender's retry runs.
    let delivery: string | undefined;
    const releaseDelivery = async (): Promise<void> => {
      if (delivery === undefined) return;
      const id = delivery;
      delivery = undefined;
      await this.#writes.write(() => this.#deliveries.release(hook.name, id), { oneStatement: true });
    };

    try {
      if (request.method !== 'POST')
        return await refuse('method_not_allowed', `method ${request.method} not allowed; hooks accept POST`, {
          allow: 'POST',
        });
      if (request.bodyTooLarge) return await refuse('body_too_large', `body larger than ${hook.maxBodyBytes} bytes`);
      if (hook.verifier && hook.verification) {
        // A user's replay of a recorded run re-checks the signature, not its age or its id.
        const fresh = request.replayOf === undefined;
        const now = this.#clock.now().getTime();
        const verdict = hook.verifier.verify(request, { now, checkFreshness: fresh });
        if (!verdict.ok) {
          this.#logger.warn(
            { hook: hook.name, run_id: runId },
            `hook ${hook.name}: ${hook.verify} verification refused the request: ${verdict.reason}; script not run`,
          );
          return await refuse('bad_signature', verdict.reason);
        }
        if (fresh && verdict.deliveryId !== undefined) {
          const id = verdict.deliveryId;
          const windowMs = hook.verification.toleranceMs;
          if (!(await this.#writes.write(() => this.#deliveries.take(hook.name, id, now, windowMs)))) {
            this.#logger.info(
              { hook: hook.name, run_id: runId },
              `hook ${hook.name}: delivery ${id} was already accepted; script not run`,
            );
            return await skip(
              'duplicate',
              `delivery id ${id} already accepted within the last ${Math.round(windowMs / 1000)} s`,
            );
          }
          delivery = id;
        }
      }
      if (hook.filter) {
        const verdict = applyFilter(hook.filter, request);
        if (!verdict.ok) return await skip('filtered', verdict.reason);
      }
      const slot = this.limit.acquire();
      if (!slot) {
        this.#logger.warn(
          { hook: hook.name, run_id: runId },
          `hook ${hook.name}: ${this.limit.max} running and ${this.limit.queueSize} queued; request refused with 429`,
        );
        await releaseDelivery();
        return await refuse('queue_full', 'too many requests for this hook right now; retry later', {
          'retry-after': '1',
        });
      }
      const release = await slot;
      let result: ScriptResult;
      try {
        result = await this.#scripts.run({
          command: hook.scriptPath,
          input: request.body,
          // The hub's environment goes to the spawner once; each run sends its HOOK_* only.
          baseEnv: this.#baseEnv,
          env: hookVariables(hook, request),
          timeoutMs: hook.timeoutMs,
          maxOutputBytes: hook.maxOutputBytes,
        });
      } finally {
        release();
      }
      const output = { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, durationMs: elapsed() };

      if (result.outcome === 'exited' && result.exitCode === 0) {
        const content = result.stdout.trim();
        if (content === '') {
          await this.#record(this.#runRecord(hook, runId, receivedAt, request, 'empty', output));
          return { status: 204, runId };
        }
        // The message and the run that produced it are committed together.
        let run: HookRun | undefined;
        const message = await this.#inbox.inject(
          { session: hook.session, source: 'webhook', label: hook.name, content },
          (stored) => {
            run = this.#runRecord(hook, runId, receivedAt, request, 'injected', { ...output, messageId: stored.id });
            this.#insert(run);
          },
        );
        if (run) this.#emit(run);
        return { status: 200, runId, body: { ok: true, run_id: runId, message_id: message.id, session: hook.session } };
      }

      // A script cancelled by shutdown counts as timed out from the caller's point of view.
      const outcome: HookOutcome =
        result.outcome === 'exited' ? 'failed' : result.outcome === 'cancelled' ? 'timeout' : result.outcome;
      const error = result.error ?? `script exited with status ${result.exitCode ?? result.signal}`;
      const stderrTail = result.stderr.trim().split('\n').slice(-5).join(' | ');
      this.#logger.warn(
        { hook: hook.name, run_id: runId, exit_code: result.exitCode, outcome },
        `hook ${hook.name}: ${error}${stderrTail ? `; stderr: ${stderrTail}` : ''}`,
      );
      await releaseDelivery();
      await this.#record(this.#runRecord(hook, runId, receivedAt, request, outcome, output));
      return { status: STATUS[outcome], runId, body: { ok: false, run_id: runId, error } };
    } catch (error) {
      // Whatever went wrong on our side, the request is still recorded and answered.
      this.#logger.error(
        { err: error, hook: hook.name, run_id: runId },
        `hook ${hook.name}: ${(error as Error).message}`,
      );
      await releaseDelivery().catch(() => undefined);
      return refuse('internal_error', `Hookbox could not handle the request: ${(error as Error).message}`).catch(
        () => ({ status: 500, runId, body: { ok: false, run_id: runId, error: 'internal error' } }),
      );
    }
  }

  #runRecord(
    hook: HookConfig,
    runId: string,
    receivedAt: string,
    request: HookRequest,
    outcome: HookOutcome,
    result: RunResult,
  ): HookRun {
    const truncated = request.body.length > RECORDED_BODY_LIMIT || request.bodyTooLarge;
    return {
      id: runId,
      hook: hook.name,
      session: hook.session,
      received_at: receivedAt,
      source_address: request.sourceAddress,
      method: request.method,
      path: request.path,
      query: request.query,
      headers: request.headers,
      body: truncated ? request.body.subarray(0, RECORDED_BODY_LIMIT) : request.body,
      body_size: request.body.length,
      body_truncated: truncated,
      outcome,
      status: STATUS[outcome],
      exit_code: result.exitCode ?? null,
      stdout: result.stdout ?? '',
      stderr: result.stderr ?? '',
      duration_ms: result.durationMs,
      message_id: result.messageId ?? null,
      replay_of: request.replayOf ?? null,
    };
  }

  async #record(run: HookRun, options: { durable?: boolean } = {}): Promise<void> {
    const oneStatement = !this.#commitHooks?.has('hook_run');
    await this.#writes.write(() => this.#insert(run), { oneStatement, durable: options.durable });
    this.#emit(run);
  }

  /** Inside a write: the run and whatever commits with it. */
  #insert(run: HookRun): void {
    this.#runs.insert(run);
    this.#commitHooks?.run('hook_run', run);
  }

  #emit(run: HookRun): void {
    const { body: _body, ...rest } = run;
    this.#onRun(rest);
  }
}
