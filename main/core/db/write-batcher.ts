import { closeSync, fdatasync, openSync } from 'node:fs';
import type { Database, Statement, Transaction } from 'better-sqlite3';

const LOCK_RETRY_MS = 1;
const LOCK_WAIT_LIMIT_MS = 10_000;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Pending {
  work: () => unknown;
  /** Run inside its own savepoint (see WriteOptions.oneStatement). */
  isolated: boolean;
  /** Settles once on disk (false: once committed, see WriteOptions.durable). */
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A committed write whose promise settles once the commit is known to be on disk. */
interface Committed {
  item: Pending;
  outcome: Outcome;
}

export interface WriteOptions {
  /**
   * The work is a single SQL statement. SQLite undoes a failed statement by itself and keeps the
   * transaction, so it needs no savepoint of its own (two statements fewer per write, which is
   * about a fifth of an event's insert cost).
   */
  oneStatement?: boolean;
  /**
   * false: the write settles as soon as it is committed (every later read sees it, and it
   * survives the hub's own crash) instead of once the WAL holding it is synced. It is committed
   * at the end of this turn of the event loop even while a sync is in flight, with the other
   * writes of the turn, and reaches the disk with the next durable write's sync or the next
   * checkpoint, whichever comes first: it starts no sync of its own. For records whose loss in
   * a power cut costs nothing but whose caller must see them at once (a filtered webhook
   * request). Default true.
   */
  durable?: boolean;
}

export interface WriteBatcherOptions {
  /**
   * The database's write-ahead log (`<file>-wal`). When given, commits do not fsync on the event
   * loop: the batcher sets synchronous=NORMAL and fdatasyncs the WAL itself on libuv's thread
   * pool, acknowledging writes only after a sync that began after their commit. Without it the
   * database must be in synchronous=FULL, where every COMMIT fsyncs before it returns.
   */
  walFile?: string;
}

/**
 * Group commit for every write of the hub. Writes requested in the same turn of the event loop
 * run in one SQLite transaction and each caller's promise settles only once that commit is on
 * disk. Each write runs in its own savepoint: one that throws is rolled back and rejected alone.
 *
 * With a WAL file to sync, the fsync runs off the event loop: while one batch waits for the
 * disk, the next batch's requests are parsed, validated and committed (in WAL mode a commit is
 * durable once its WAL frames are synced; SQLite still syncs the WAL itself before every
 * checkpoint, so the database file never gets ahead of the log).
 */
export class WriteBatcher {
  #pending: Pending[] = [];
  #scheduled = false;
  // Built once: better-sqlite3's transaction wrappers cost measurable CPU when made per write.
  readonly #commitBatch: Transaction<(batch: Pending[]) => Outcome[]>;
  readonly #savepoint: Statement;
  readonly #release: Statement;
  readonly #rollbackTo: Statement;
  readonly #walFile: string | undefined;
  #walFd: number | undefined;
  /** Committed, waiting for the next WAL sync to start. */
  #unsynced: Committed[] = [];
  /** Committed without waiting for the disk (durable: false) since the last sync began. */
  #unsyncedCommits = false;
  /** The WAL sync in flight, if any; at most one runs at a time. */
  #syncing: Promise<void> | undefined;
  /** Writes committed so far (the hub watches the rate to decide where checkpoints run). */
  writesCommitted = 0;
  /** When the write lock was first found taken, while waiting for it. */
  #lockBusySince: number | undefined;

  constructor(db: Database, options: WriteBatcherOptions = {}) {
    this.#walFile = options.walFile;
    if (this.#walFile !== undefined) db.pragma('synchronous = NORMAL');
    this.#savepoint = db.prepare('SAVEPOINT hookbox_write');
    this.#release = db.prepare('RELEASE hookbox_write');
    this.#rollbackTo = db.prepare('ROLLBACK TO hookbox_write');
    this.#commitBatch = db.transaction((batch: Pending[]) => batch.map((item) => this.#runOne(item)));
  }

  #runOne(item: Pending): Outcome {
    if (!item.isolated) {
      try {
        return { ok: true, value: item.work() };
      } catch (error) {
        return { ok: false, error };
      }
    }
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

  write<T>(work: () => T, options: WriteOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const durable = options.durable !== false;
      this.#pending.push({
        work,
        isolated: options.oneStatement !== true,
        durable,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      // While a WAL sync is in flight, writes gather until it ends: one commit per disk round
      // trip, not one per turn of the event loop (small commits rewrite the same pages). A write
      // that need not wait for the disk is committed at the end of the turn all the same.
      if (!this.#scheduled && (!this.#syncing || !durable)) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now; the writes settle when the commit is on disk. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let outcomes: Outcome[];
    try {
      // IMMEDIATE: the write lock is taken first, so a lock held elsewhere (another process)
      // fails here, before any work ran, and the batch can simply wait.
      outcomes = this.#commitBatch.immediate(batch);
      this.writesCommitted += batch.length;
      this.#lockBusySince = undefined;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY' && this.#mayWaitForLock()) {
        this.#pending = batch.concat(this.#pending);
        this.#scheduled = true;
        setTimeout(() => this.flush(), LOCK_RETRY_MS);
        return;
      }
      this.#lockBusySince = undefined;
      for (const item of batch) item.reject(error);
      return;
    }
    const committed: Committed[] = [];
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      if (item.durable) committed.push({ item, outcome: outcomes[i]! });
      else settleOne(item, outcomes[i]!);
    }
    if (this.#walFile === undefined) settle(committed);
    else if (committed.length > 0) {
      this.#unsynced.push(...committed);
      this.#syncing ??= this.#syncLoop();
    }
  }

  // The connection's busy_timeout would wait for the lock on the event loop; the hub sets it to
  // 0 and waiting happens here instead, a retry every millisecond, for a bounded time.
  #mayWaitForLock(): boolean {
    const now = Date.now();
    this.#lockBusySince ??= now;
    return now - this.#lockBusySince < LOCK_WAIT_LIMIT_MS;
  }

  /** Commits what is queued and waits until it is on disk; then releases the WAL descriptor. */
  async drain(): Promise<void> {
    this.flush();
    await this.#syncing;
    // Still queued: the write lock was taken elsewhere; the retry timer commits them.
    while (this.#pending.length > 0 || this.#syncing) {
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
      await this.#syncing;
    }
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
  }

  // Everything committed before a sync starts is acknowledged when it ends; what was queued
  // meanwhile is committed then and synced next, so a busy hub syncs once per disk round trip.
  async #syncLoop(): Promise<void> {
    while (this.#unsynced.length > 0 || this.#unsyncedCommits) {
      const committed = this.#unsynced;
      this.#unsynced = [];
      this.#unsyncedCommits = false;
      try {
        await this.#syncWal();
        settle(committed);
      } catch (error) {
        // The rows are committed but not known to be on disk: the callers hear about it.
        for (const { item } of committed) item.reject(error);
      }
      this.flush();
    }
    this.#syncing = undefined;
  }

  #syncWal(): Promise<void> {
    // Opened on the first sync, when the first commit has created the file. SQLite keeps the WAL
    // (same inode: it is rewound or truncated, never replaced) while the hub's connection is open.
    this.#walFd ??= openSync(this.#walFile!, 'r');
    const fd = this.#walFd;
    return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
  }
}

function settleOne(item: Pending, outcome: Outcome): void {
  if (outcome.ok) item.resolve(outcome.value);
  else item.reject(outcome.error);
}

function settle(committed: Committed[]): void {
  for (const { item, outcome } of committed) settleOne(item, outcome);
}
