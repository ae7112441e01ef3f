import type { Database, Statement } from 'better-sqlite3';

// The outbox of every outside delivery: one row per (record, destination) to deliver, and one
// attempt row per HTTP attempt. `channel` says what carries it: a lifecycle webhook, an ntfy push
// (both sent by WebhookOutbox over HTTP) or a NATS publish (sent in order by the NATS publisher). A delivery is pending until it is delivered (2xx) or dead (a non-retryable answer,
// or out of attempts); the last status and error stay visible either way.

export const DELIVERY_STATES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
export type AttemptOutcome = 'delivered' | 'retry' | 'dead';
export const DELIVERY_CHANNELS = ['webhook', 'ntfy', 'nats'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

export interface Delivery {
  id: string;
  channel: DeliveryChannel;
  /** The record it carries: a lifecycle event (webhook), a notification (ntfy), any record (nats). */
  event_id: string;
  event: string;
  hook: string;
  url: string;
  /** The exact JSON body POSTed on every attempt (what the signatures cover). */
  body: string;
  state: DeliveryState;
  attempts: number;
  max_attempts: number;
  timeout_ms: number;
  /** Epoch ms; meaningful while pending. */
  next_attempt_at: number;
  created_at: string;
  updated_at: string;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
}

export type DeliverySummary = Omit<Delivery, 'body'>;

export interface DeliveryAttempt {
  delivery_id: string;
  attempt: number;
  started_at: string;
  duration_ms: number;
  status: number | null;
  error: string | null;
  outcome: AttemptOutcome;
}

const SUMMARY =
  'id, channel, event_id, event, hook, url, state, attempts, max_attempts, timeout_ms, next_attempt_at, created_at, updated_at, last_status, last_error, delivered_at';

export class OutboxStore {
  readonly #insert: Statement;
  readonly #due: Statement<{ now: number; limit: number }, Delivery>;
  readonly #nextDue: Statement<[], { at: number | null }>;
  readonly #byId: Statement<[string], Delivery>;
  readonly #byPrefix: Statement<[string], Delivery>;
  readonly #list: Statement<{ state: string | null; event_id: string | null; limit: number }, DeliverySummary>;
  readonly #update: Statement;
  readonly #insertAttempt: Statement;
  readonly #attempts: Statement<[string], DeliveryAttempt>;
  readonly #revive: Statement;
  readonly #natsPending: Statement<[number], Delivery>;
  readonly #natsCount: Statement<[], { n: number }>;
  readonly #remove: Statement<[string]>;
  readonly #noteFailure: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO lifecycle_deliveries (id, channel, event_id, event, hook, url, body, state, attempts, max_attempts, timeout_ms, next_attempt_at, created_at, updated_at)
       VALUES (@id, @channel, @event_id, @event, @hook, @url, @body, 'pending', 0, @max_attempts, @timeout_ms, @next_attempt_at, @created_at, @created_at)`,
    );
    this.#due = db.prepare(
      `SELECT * FROM lifecycle_deliveries WHERE state = 'pending' AND channel <> 'nats' AND next_attempt_at <= @now ORDER BY next_attempt_at, seq LIMIT @limit`,
    );
    this.#nextDue = db.prepare(
      `SELECT min(next_attempt_at) AS at FROM lifecycle_deliveries WHERE state = 'pending' AND channel <> 'nats'`,
    );
    this.#byId = db.prepare('SELECT * FROM lifecycle_deliveries WHERE id = ?');
    this.#byPrefix = db.prepare('SELECT * FROM lifecycle_deliveries WHERE id >= ? ORDER BY id LIMIT 2');
    this.#list = db.prepare(
      `SELECT ${SUMMARY} FROM lifecycle_deliveries WHERE channel <> 'nats' AND (@state IS NULL OR state = @state) AND (@event_id IS NULL OR event_id = @event_id) ORDER BY seq DESC LIMIT @limit`,
    );
    this.#update = db.prepare(
      `UPDATE lifecycle_deliveries SET state = @state, attempts = @attempts, next_attempt_at = @next_attempt_at, updated_at = @updated_at,
         last_status = @last_status, last_error = @last_error, delivered_at = @delivered_at WHERE id = @id`,
    );
    this.#insertAttempt = db.prepare(
      `INSERT INTO lifecycle_delivery_attempts (delivery_id, attempt, started_at, duration_ms, status, error, outcome)
       VALUES (@delivery_id, @attempt, @started_at, @duration_ms, @status, @error, @outcome)`,
    );
    this.#attempts = db.prepare(
      'SELECT delivery_id, attempt, started_at, duration_ms, status, error, outcome FROM lifecycle_delivery_attempts WHERE delivery_id = ? ORDER BY seq',
    );
    this.#natsPending = db.prepare(
      `SELECT * FROM lifecycle_deliveries WHERE channel = 'nats' AND state = 'pending' ORDER BY seq LIMIT ?`,
    );
    this.#natsCount = db.prepare(
      `SELECT count(*) AS n FROM lifecycle_deliveries WHERE channel = 'nats' AND state = 'pending'`,
    );
    this.#remove = db.prepare('DELETE FROM lifecycle_deliveries WHERE id = ?');
    this.#noteFailure = db.prepare(
      `UPDATE lifecycle_deliveries SET attempts = attempts + 1, last_error = @error, updated_at = @at WHERE id = @id`,
    );
    this.#revive = db.prepare(
      `UPDATE lifecycle_deliveries SET state = 'pending', max_attempts = attempts + 1, next_attempt_at = @now, updated_at = @at WHERE id = @id AND state = 'dead'`,
    );
  }

  insert(d: {
    id: string;
    channel?: DeliveryChannel;
    event_id: string;
    event: string;
    hook: string;
    url: string;
    body: string;
    max_attempts: number;
    timeout_ms: number;
    next_attempt_at: number;
    created_at: string;
  }): void {
    this.#insert.run({ channel: 'webhook', ...d });
  }

  due(now: number, limit: number): Delivery[] {
    return this.#due.all({ now, limit });
  }

  /** When the next pending delivery is due (epoch ms), or null when none is pending. */
  nextDueAt(): number | null {
    return this.#nextDue.get()?.at ?? null;
  }

  find(idOrPrefix: string): Delivery | undefined {
    const exact = this.#byId.get(idOrPrefix);
    if (exact) return exact;
    const rows = this.#byPrefix.all(idOrPrefix).filter((r) => r.id.startsWith(idOrPrefix));
    return rows.length === 1 ? rows[0] : undefined;
  }

  /** Webhook and ntfy deliveries, newest first (the NATS backlog is a count in the link's status). */
  list(options: { state?: DeliveryState; eventId?: string; limit: number }): DeliverySummary[] {
    return this.#list.all({ state: options.state ?? null, event_id: options.eventId ?? null, limit: options.limit });
  }

  /** Records one attempt and the delivery's new state together (inside a write). */
  recordAttempt(
    attempt: DeliveryAttempt,
    next: Pick<
      Delivery,
      'state' | 'attempts' | 'next_attempt_at' | 'updated_at' | 'last_status' | 'last_error' | 'delivered_at'
    >,
  ): void {
    this.#insertAttempt.run(attempt);
    this.#update.run({ id: attempt.delivery_id, ...next });
  }

  attempts(deliveryId: string): DeliveryAttempt[] {
    return this.#attempts.all(deliveryId);
  }

  /** NATS publishes waiting, oldest first (they go out in this order, one at a time). */
  natsPending(limit: number): Delivery[] {
    return this.#natsPending.all(limit);
  }

  natsPendingCount(): number {
    return this.#natsCount.get()?.n ?? 0;
  }

  /** Published (JetStream acknowledged them): the stream is the record now (inside a write). */
  remove(ids: readonly string[]): void {
    for (const id of ids) this.#remove.run(id);
  }

  /** A publish failed (NATS down …): the head of the queue keeps its place and says why. */
  noteFailure(id: string, error: string, at: string): void {
    this.#noteFailure.run({ id, error, at });
  }

  /** A dead delivery gets one more attempt, now. True when it was dead. */
  revive(id: string, now: number, at: string): boolean {
    return this.#revive.run({ id, now, at }).changes > 0;
  }
}
