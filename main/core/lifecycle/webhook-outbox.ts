import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import type { OutboxSettings } from './lifecycle-config.ts';
import type { AttemptOutcome, Delivery, DeliveryAttempt, OutboxStore } from './outbox-store.ts';
import { webhookHeaders } from './webhook-signature.ts';

// The worker that empties the outbox over HTTP: lifecycle webhooks (signed, see
// webhook-signature.ts) and ntfy pushes (ntfy's JSON with its Authorization header). Deliveries are rows in SQLite written in the same
// transaction as their event, so nothing accepted is lost to a crash or a restart: a delivery
// still pending when the hub stops is sent by the next hub on the same data dir.
//
// Retries only what may succeed later: network errors, timeouts, 429 and 5xx, with exponential
// backoff (initial × 2^(attempt−1), ±20 % jitter, capped; a Retry-After header is honoured up to an
// hour). Any other answer (a 4xx, a redirect) is final: the delivery is dead at once with the
// answer as its error. Times come from the injected clock, so tests move time instead of waiting.
//
// Delivery is at least once: stop() waits for attempts in flight, but a crash between sending and
// recording resends on restart. Receivers deduplicate with X-Bernstein-Delivery.

export interface OutboxHook {
  secret: string | null;
  headers: Record<string, string>;
}

export interface WebhookOutboxDeps {
  store: OutboxStore;
  writes: WriteBatcher;
  clock: Clock;
  logger: Logger;
  settings: () => OutboxSettings;
  /**
   * The destination of a delivery in the config in force (a secret or token may have been
   * rotated); undefined: removed. A webhook's headers are signed; other channels' are sent as given.
   */
  hookFor: (delivery: Delivery) => OutboxHook | undefined;
  fetch?: typeof fetch;
  /** 0..1; jitter source (tests pin it). */
  random?: () => number;
  onAttempt?: (delivery: Delivery, attempt: DeliveryAttempt) => void;
}

const MAX_TIMER_MS = 60_000;
const MAX_RETRY_AFTER_MS = 3_600_000;
const ERROR_BODY_CHARS = 200;

/** The delay before attempt `attempt + 1`, after `attempt` failed. */
export function backoffMs(attempt: number, settings: OutboxSettings, random: number): number {
  const base = Math.min(settings.backoffMaxMs, settings.backoffInitialMs * 2 ** Math.max(0, attempt - 1));
  return Math.min(settings.backoffMaxMs, Math.round(base * (0.8 + 0.4 * random)));
}

function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A fetch failure in words: refused, reset, not found, timed out … */
function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs / 1000} s`;
  const code = e.cause?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'the connection closed before an answer',
    UND_ERR_HEADERS_TIMEOUT: `no answer within ${timeoutMs / 1000} s`,
  };
  if (code) return `${words[code] ?? e.cause?.message ?? 'network error'} (${code})`;
  return e.cause?.message ?? e.message ?? String(error);
}

export class WebhookOutbox {
  readonly #deps: WebhookOutboxDeps;
  readonly #fetch: typeof fetch;
  readonly #random: () => number;
  readonly #inFlight = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(deps: WebhookOutboxDeps) {
    this.#deps = deps;
    this.#fetch = deps.fetch ?? fetch;
    this.#random = deps.random ?? Math.random;
  }

  start(): void {
    this.#running = true;
    void this.tick();
  }

  /** Stops taking new attempts and waits for those in flight to be answered and recorded. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.settle();
  }

  /**
   * Resolves once no attempt is in flight, each one recorded. An attempt's row is written before
   * its promise settles (the commit waits for the disk), so a caller that saw the row and is about
   * to move a clock waits here: a delivery still in flight is never attempted twice at once.
   */
  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight.values()]);
  }

  /** Something was enqueued: attempt what is due now. */
  kick(): void {
    if (this.#running) void this.tick();
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Starts an attempt for every delivery due now (up to the concurrency), waits for those, and
   * arms a timer for the next one due. Resolves when the attempts it started are recorded.
   */
  async tick(): Promise<void> {
    if (!this.#running) return;
    const now = this.#deps.clock.now().getTime();
    const free = this.#deps.settings().concurrency - this.#inFlight.size;
    const started: Promise<void>[] = [];
    if (free > 0) {
      const due = this.#deps.store
        .due(now, free + this.#inFlight.size)
        .filter((d) => !this.#inFlight.has(d.id))
        .slice(0, free);
      for (const delivery of due) {
        const attempt = this.#attempt(delivery)
          .catch((error: unknown) =>
            this.#deps.logger.error({ err: error, delivery: delivery.id }, 'webhook delivery attempt failed to record'),
          )
          .finally(() => {
            this.#inFlight.delete(delivery.id);
            this.kick();
          });
        this.#inFlight.set(delivery.id, attempt);
        started.push(attempt);
      }
    }
    this.#arm(now);
    await Promise.all(started);
  }

  #arm(now: number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#running) return;
    const at = this.#deps.store.nextDueAt();
    // Due now but not started: every slot is busy, and a finishing attempt ticks again.
    if (at === null || at <= now) return;
    this.#timer = setTimeout(() => void this.tick(), Math.min(at - now, MAX_TIMER_MS));
    this.#timer.unref();
  }

  async #attempt(delivery: Delivery): Promise<void> {
    const { clock, logger } = this.#deps;
    const attemptNo = delivery.attempts + 1;
    const startedAt = clock.now();
    const t0 = performance.now();
    const hook = this.#deps.hookFor(delivery);
    const what = delivery.channel === 'webhook' ? `webhook ${delivery.hook}` : `${delivery.channel} ${delivery.hook}`;
    let status: number | null = null;
    let error: string | null = null;
    let retryAfter: number | null = null;
    let retryable = false;
    if (!hook) {
      error =
        delivery.channel === 'webhook'
          ? `webhook handler '${delivery.hook}' of ${delivery.event} is no longer in the config; not sent`
          : `${delivery.channel} is no longer configured; not sent`;
    } else {
      const headers =
        delivery.channel === 'webhook'
          ? {
              ...hook.headers,
              ...webhookHeaders({
                event: delivery.event,
                body: delivery.body,
                secret: hook.secret,
                timestamp: Math.floor(startedAt.getTime() / 1000),
                deliveryId: delivery.id,
                attempt: attemptNo,
              }),
            }
          : hook.headers;
      try {
        const response = await this.#fetch(delivery.url, {
          method: 'POST',
          headers,
          body: delivery.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(delivery.timeout_ms),
        });
        status = response.status;
        const text = await response.text().catch(() => '');
        if (status < 200 || status >= 300) {
          const snippet = text.trim().slice(0, ERROR_BODY_CHARS);
          retryable = status === 429 || status >= 500;
          retryAfter = retryable ? retryAfterMs(response.headers.get('retry-after'), startedAt.getTime()) : null;
          const location =
            status >= 300 && status < 400
              ? ` (redirected to ${response.headers.get('location') ?? '?'}; update the url)`
              : '';
          error = `HTTP ${status}${location}${snippet ? `: ${snippet}` : ''}`;
        }
      } catch (caught) {
        error = describeFetchError(caught, delivery.timeout_ms);
        // fetch refuses some ports outright (e.g. 25, 6000): that never gets better by waiting.
        retryable = (caught as { cause?: { message?: string } }).cause?.message !== 'bad port';
        if (!retryable)
          error = `fetch refuses to connect to port ${new URL(delivery.url).port} (a blocked port); use another`;
      }
    }
    const durationMs = Math.round(performance.now() - t0);
    let outcome: AttemptOutcome;
    if (error === null) outcome = 'delivered';
    else if (retryable && attemptNo < delivery.max_attempts) outcome = 'retry';
    else outcome = 'dead';
    if (outcome === 'dead' && error !== null) {
      if (!retryable && hook) error = `${error}; not retried (only network errors, timeouts, 429 and 5xx are)`;
      else if (retryable) error = `${error}; gave up after ${attemptNo} attempt${attemptNo === 1 ? '' : 's'}`;
    }
    const finishedAt = clock.now();
    const delay =
      outcome === 'retry'
        ? Math.min(
            MAX_RETRY_AFTER_MS,
            Math.max(backoffMs(attemptNo, this.#deps.settings(), this.#random()), retryAfter ?? 0),
          )
        : 0;
    const attempt: DeliveryAttempt = {
      delivery_id: delivery.id,
      attempt: attemptNo,
      started_at: startedAt.toISOString(),
      duration_ms: durationMs,
      status,
      error,
      outcome,
    };
    const next = {
      state: outcome === 'retry' ? ('pending' as const) : outcome,
      attempts: attemptNo,
      next_attempt_at: outcome === 'retry' ? finishedAt.getTime() + delay : delivery.next_attempt_at,
      updated_at: finishedAt.toISOString(),
      last_status: status,
      last_error: error,
      delivered_at: outcome === 'delivered' ? finishedAt.toISOString() : null,
    };
    await this.#deps.writes.write(() => this.#deps.store.recordAttempt(attempt, next));
    const log = { delivery: delivery.id, event: delivery.event, hook: delivery.hook, attempt: attemptNo, status };
    if (outcome === 'delivered') logger.debug(log, `${what} delivered ${delivery.event}`);
    else if (outcome === 'retry')
      logger.warn(
        log,
        `${what} (${delivery.event}) attempt ${attemptNo} failed: ${error}; retrying in ${Math.round(delay / 1000)} s`,
      );
    else logger.error(log, `${what} (${delivery.event}) is dead: ${error}`);
    this.#deps.onAttempt?.({ ...delivery, ...next }, attempt);
  }
}
