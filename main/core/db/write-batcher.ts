import type { Database, Statement, Transaction } from 'better-sqlite3';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for every write of the hub. Writes requested in the same turn of the event loop
 * run in one SQLite transaction, so one fsync (synchronous=FULL) acknowledges all of them, and
 * each caller's promise settles only after that commit returned — its data is on disk.
 * Each write runs in its own savepoint: one that throws is rolled back and rejected alone.
 */
export class WriteBatcher {
  #pending: Pending[] = [];
  #scheduled = false;
  // Built once: better-sqlite3's transaction wrappers cost measurable CPU when made per write.
  readonly #commitBatch: Transaction<(batch: Pending[]) => Outcome[]>;
  readonly #savepoint: Statement;
  readonly #release: Statement;
  readonly #rollbackTo: Statement;

  constructor(db: Database) {
    this.#savepoint = db.prepare('SAVEPOINT hookbox_write');
    this.#release = db.prepare('RELEASE hookbox_write');
    this.#rollbackTo = db.prepare('ROLLBACK TO hookbox_write');
    this.#commitBatch = db.transaction((batch: Pending[]) => batch.map((item) => this.#runOne(item)));
  }

  #runOne(item: Pending): Outcome {
    this.#savepoint.run();
    try {
      const value = item.work();
      this.#release.run();
      return { ok: true, value };
    } catch (error) {
      this.#rollbackTo.run();
      this.#release.run();
      return { ok: false, error };
    }
  }

  write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (also on shutdown, so nothing accepted is left behind). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.#commitBatch(batch);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
