import { newId } from '../util/ids.ts';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { CommitHookRunner } from '../db/commit-hooks.ts';
import type { WriteBatcher, WriteOptions } from '../db/write-batcher.ts';
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

/** A run as recorded and announced, without its body (stored beside it, cut at RECORDED_BODY_LIMIT). */
type RunRecord = Omit<HookRun, 'body'>;

/** One request from its arrival on: what every record of it shares. */
interface Arrival {
  /** The hook as it was when the request arrived, even if a claim retargets it meanwhile. */
  hook: HookConfig;
  runId: string;
  receivedAt: string;
  /** performance.now() at arrival. */
  started: number;
  request: HookRequest;
  /** The delivery id this request holds (taken in the replay check), until its run ends. */
  delivery?: string | undefined;
}

const elapsed = (arrival: Arrival): number => Math.round(performance.now() - arrival.started);

/** Bodies over RECORDED_BODY_LIMIT are kept cut (and marked body_truncated). */
const recordedBody = (body: Buffer): Buffer =>
  body.length > RECORDED_BODY_LIMIT ? body.subarray(0, RECORDED_BODY_LIMIT) : body;

// Shared write options: one object rather than one per request.
const ONE_STATEMENT: WriteOptions = { oneStatement: true };
const NOT_DURABLE: WriteOptions = { oneStatement: true, durable: false };

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
  readonly #commitHooks: CommitHookRunner<{ hook_run: RunRecord }> | undefined;
  #lastIso = { ms: Number.NaN, text: '' };

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
    /** What commits with each run (the NATS outbox row). */
    commitHooks?: CommitHookRunner<{ hook_run: RunRecord }>;
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
    const arrival: Arrival = {
      hook: this.#hook,
      runId: newId(),
      receivedAt: this.#isoTime(this.#clock.now()),
      started: performance.now(),
      request,
    };
    const { hook, runId } = arrival;

    try {
      if (request.method !== 'POST')
        return await this.#refuse(
          arrival,
          'method_not_allowed',
          `method ${request.method} not allowed; hooks accept POST`,
          {
            allow: 'POST',
          },
        );
      if (request.bodyTooLarge)
        return await this.#refuse(arrival, 'body_too_large', `body larger than ${hook.maxBodyBytes} bytes`);
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
          return await this.#refuse(arrival, 'bad_signature', verdict.reason);
        }
        if (fresh && verdict.deliveryId !== undefined) {
          const id = verdict.deliveryId;
          const windowMs = hook.verification.toleranceMs;
          if (!(await this.#writes.write(() => this.#deliveries.take(hook.name, id, now, windowMs)))) {
            this.#logger.info(
              { hook: hook.name, run_id: runId },
              `hook ${hook.name}: delivery ${id} was already accepted; script not run`,
            );
            return await this.#skip(
              arrival,
              'duplicate',
              `delivery id ${id} already accepted within the last ${Math.round(windowMs / 1000)} s`,
            );
          }
          arrival.delivery = id;
        }
      }
      if (hook.filter) {
        const verdict = applyFilter(hook.filter, request);
        if (!verdict.ok) return await this.#skip(arrival, 'filtered', verdict.reason);
      }
      const slot = this.limit.acquire();
      if (!slot) {
        this.#logger.warn(
          { hook: hook.name, run_id: runId },
          `hook ${hook.name}: ${this.limit.max} running and ${this.limit.queueSize} queued; request refused with 429`,
        );
        await this.#releaseDelivery(arrival);
        return await this.#refuse(arrival, 'queue_full', 'too many requests for this hook right now; retry later', {
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
      const output = {
        exitCode: result.exitCode,
        stdout: result.stdout,
        stderr: result.stderr,
        durationMs: elapsed(arrival),
      };

      if (result.outcome === 'exited' && result.exitCode === 0) {
        const content = result.stdout.trim();
        if (content === '') {
          await this.#record(this.#runRecord(arrival, 'empty', output), request.body);
          return { status: 204, runId };
        }
        // The message and the run that produced it are committed together.
        let run: RunRecord | undefined;
        const message = await this.#inbox.inject(
          { session: hook.session, source: 'webhook', label: hook.name, content },
          (stored) => {
            run = this.#runRecord(arrival, 'injected', { ...output, messageId: stored.id });
            this.#insert(run, recordedBody(request.body));
          },
        );
        if (run) this.#onRun(run);
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
      await this.#releaseDelivery(arrival);
      await this.#record(this.#runRecord(arrival, outcome, output), request.body);
      return { status: STATUS[outcome], runId, body: { ok: false, run_id: runId, error } };
    } catch (error) {
      // Whatever went wrong on our side, the request is still recorded and answered.
      this.#logger.error(
        { err: error, hook: hook.name, run_id: runId },
        `hook ${hook.name}: ${(error as Error).message}`,
      );
      await this.#releaseDelivery(arrival).catch(() => undefined);
      return this.#refuse(
        arrival,
        'internal_error',
        `Hookbox could not handle the request: ${(error as Error).message}`,
      ).catch(() => ({ status: 500, runId, body: { ok: false, run_id: runId, error: 'internal error' } }));
    }
  }

  /**
   * `date` as ISO 8601 text, made once per millisecond: toISOString takes about a microsecond
   * (as long as matching a filter's rules), and a busy hook receives several requests a millisecond.
   */
  #isoTime(date: Date): string {
    const ms = date.getTime();
    if (ms !== this.#lastIso.ms) this.#lastIso = { ms, text: date.toISOString() };
    return this.#lastIso.text;
  }

  /** Gives back the delivery id this request holds, so the sender's retry of a failed run runs. */
  async #releaseDelivery(arrival: Arrival): Promise<void> {
    const id = arrival.delivery;
    if (id === undefined) return;
    arrival.delivery = undefined;
    const name = arrival.hook.name;
    await this.#writes.write(() => this.#deliveries.release(name, id), ONE_STATEMENT);
  }

  #refuse(
    arrival: Arrival,
    outcome: HookOutcome,
    error: string,
    headers?: Record<string, string>,
  ): Promise<HookResponse> {
    const run = this.#runRecord(arrival, outcome, { durationMs: elapsed(arrival), stderr: error });
    const { runId } = arrival;
    return this.#record(run, arrival.request.body).then(() => ({
      status: STATUS[outcome],
      runId,
      body: { ok: false, run_id: runId, error },
      ...(headers ? { headers } : {}),
    }));
  }

  /** Answered 2xx without running the script: a delivery already handled, or one the filters skip. */
  #skip(arrival: Arrival, outcome: 'duplicate' | 'filtered', reason: string): Promise<HookResponse> {
    const run = this.#runRecord(arrival, outcome, { durationMs: elapsed(arrival), stderr: reason });
    const { runId } = arrival;
    // A filtered request changed nothing, so it is answered without waiting for the disk, but
    // only once its run is committed (a read right after the answer sees it): the filtered
    // requests of one turn of the event loop share one commit, even while a WAL sync is in
    // flight, and are synced with the next one. Filters are for senders that post far more
    // than a hook wants (every event of a repository); a commit or an fdatasync per request
    // was most of their cost.
    const written = this.#record(run, arrival.request.body, outcome === 'filtered' ? NOT_DURABLE : ONE_STATEMENT);
    return written.then(() => ({ status: STATUS[outcome], runId, body: { ok: true, run_id: runId, [outcome]: true } }));
  }

  #runRecord(arrival: Arrival, outcome: HookOutcome, result: RunResult): RunRecord {
    const { hook, request } = arrival;
    return {
      id: arrival.runId,
      hook: hook.name,
      session: hook.session,
      received_at: arrival.receivedAt,
      source_address: request.sourceAddress,
      method: request.method,
      path: request.path,
      query: request.query,
      headers: request.headers,
      body_size: request.body.length,
      body_truncated: request.body.length > RECORDED_BODY_LIMIT || request.bodyTooLarge,
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

  async #record(run: RunRecord, body: Buffer, options: WriteOptions = ONE_STATEMENT): Promise<void> {
    const recorded = recordedBody(body);
    // A run that commits with more (its NATS outbox row) is not one statement: it gets a savepoint.
    const write = this.#commitHooks?.has('hook_run') ? { ...options, oneStatement: false } : options;
    await this.#writes.write(() => this.#insert(run, recorded), write);
    this.#onRun(run);
  }

  /** Inside a write: the run and whatever commits with it. */
  #insert(run: RunRecord, body: ReturnType<typeof recordedBody>): void {
    this.#runs.insert(run, body);
    this.#commitHooks?.run('hook_run', run);
  }
}
