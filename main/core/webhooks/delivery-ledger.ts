import type { Database, Statement } from 'better-sqlite3';

/**
 * The webhook_deliveries table: which delivery ids each hook accepted and until when a repeat is
 * refused. An id is taken atomically (two copies of one delivery racing in get one winner) and
 * given back when its run failed, so the sender's retry of a delivery that was not handled runs.
 */
export class DeliveryLedger {
  readonly #take: Statement<{ hook: string; id: string; now: number; expires: number }>;
  readonly #release: Statement<{ hook: string; id: string }>;
  readonly #prune: Statement<[number]>;
  #takesSincePrune = 0;

  constructor(db: Database) {
    // A row whose window has passed is taken over, as if it were absent.
    this.#take = db.prepare(
      `INSERT INTO webhook_deliveries (hook, delivery_id, expires_at) VALUES (@hook, @id, @expires)
       ON CONFLICT (hook, delivery_id) DO UPDATE SET expires_at = excluded.expires_at WHERE webhook_deliveries.expires_at <= @now`,
    );
    this.#release = db.prepare('DELETE FROM webhook_deliveries WHERE hook = @hook AND delivery_id = @id');
    this.#prune = db.prepare('DELETE FROM webhook_deliveries WHERE expires_at <= ?');
  }

  /** True when the id is new for this hook (or its window passed): it is then held for `windowMs`. */
  take(hook: string, id: string, now: number, windowMs: number): boolean {
    const taken = this.#take.run({ hook, id, now, expires: now + windowMs }).changes === 1;
    this.#takesSincePrune += 1;
    if (this.#takesSincePrune >= 100) {
      this.#takesSincePrune = 0;
      this.prune(now);
    }
    return taken;
  }

  release(hook: string, id: string): void {
    this.#release.run({ hook, id });
  }

  /** Drops ids whose window has passed. */
  prune(now: number): number {
    return this.#prune.run(now).changes;
  }
}
