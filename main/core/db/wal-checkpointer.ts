import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';

// SQLite moves the write-ahead log back into the database file (a checkpoint) from whichever
// connection commits when the log passes 1,000 pages: on the hub's event loop, a few MB copied
// and two fsyncs, several times a second under load. This worker thread does it instead, with its
// own connection: a PASSIVE checkpoint never blocks the writer, and the writer restarts the log
// from its beginning once a checkpoint has copied all of it, so the file stays small.
// A worker is a second V8 instance (about 15 MB resident), so the hub runs one only while writes
// pour in (WalCheckpoints below) and lets SQLite checkpoint inline the rest of the time.

interface CheckpointerData {
  databaseFile: string;
  /** require.resolve('better-sqlite3') in the hub: an eval'd worker resolves from nowhere useful. */
  sqliteModule: string;
  /** Checkpoint when the log is larger than this. */
  walBytes: number;
  intervalMs: number;
}

/** The worker's whole program, run from its source (the same from the sources and every bundle). */
function checkpointerMain(req: NodeJS.Require, data: CheckpointerData): void {
  const { parentPort } = req('node:worker_threads') as typeof import('node:worker_threads');
  const fs = req('node:fs') as typeof import('node:fs');
  const BetterSqlite3 = req(data.sqliteModule) as typeof import('better-sqlite3');
  const db = new BetterSqlite3(data.databaseFile);
  // RESTART holds new writers off while it waits for a reader on an older snapshot (`hookbox
  // events` in another process): it gives up after this long rather than stall the hub's writes.
  db.pragma('busy_timeout = 100');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  const walFile = `${data.databaseFile}-wal`;
  const timer = setInterval(() => {
    let size = 0;
    try {
      size = fs.statSync(walFile).size;
    } catch {
      return; // no log yet
    }
    if (size <= data.walBytes) return;
    // PASSIVE copies what is there while the hub keeps writing; under steady writes it never
    // reaches the end of the log, and SQLite only rewinds a log copied to its end. RESTART then
    // copies the little written meanwhile, holding writers off for that moment (the hub's batcher
    // retries instead of blocking), after which the next commit starts the log from its beginning.
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
      const [restart] = db.pragma('wal_checkpoint(RESTART)') as { busy: number }[];
      if (restart?.busy === 0) parentPort!.postMessage('restarted');
    } catch {
      // Busy or a transient I/O error: the next round tries again.
    }
  }, data.intervalMs);
  parentPort!.on('message', () => {
    clearInterval(timer);
    db.close();
    parentPort!.close();
  });
}

const CHECKPOINTER_SOURCE = `(${checkpointerMain.toString()})(require, require('node:worker_threads').workerData)`;
// SQLite's own threshold (1,000 pages of 4 KB), checked a few times a second.
const WAL_BYTES = 4 * 1024 * 1024;
const INTERVAL_MS = 200;
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #db: Database;
  #stopping = false;
  #exited = false;
  /** How many times the worker rewound the log (a RESTART checkpoint that was not busy). */
  restarts = 0;

  /**
   * Takes checkpoints over from `db` (the hub's connection) until stopped or the worker fails.
   * `walBytes` and `intervalMs` are for tests.
   */
  constructor(db: Database, options: { databaseFile: string; logger: Logger; walBytes?: number; intervalMs?: number }) {
    const data: CheckpointerData = {
      databaseFile: options.databaseFile,
      sqliteModule: createRequire(import.meta.url).resolve('better-sqlite3'),
      walBytes: options.walBytes ?? WAL_BYTES,
      intervalMs: options.intervalMs ?? INTERVAL_MS,
    };
    this.#db = db;
    db.pragma('wal_autocheckpoint = 0');
    this.#worker = new Worker(CHECKPOINTER_SOURCE, { eval: true, workerData: data });
    this.#worker.unref();
    this.#worker.on('message', () => {
      this.restarts += 1;
    });
    const handBack = (why: string) => {
      if (this.#stopping) return;
      // The log must not grow without bound: SQLite checkpoints on the hub's thread again.
      options.logger.warn(`WAL checkpointer ${why}; checkpoints run on the main thread again`);
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    };
    this.#worker.once('error', (error) => handBack(`failed (${error.message})`));
    this.#worker.once('exit', (code) => {
      this.#exited = true;
      handBack(`stopped (status ${code})`);
    });
  }

  /** Stops the worker; the hub's connection checkpoints by itself again (if still open). */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    // Gone already (it failed): the hub's connection checkpoints by itself since then.
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    // Referenced while it closes its connection: an unreferenced worker would let the process
    // end with this wait still pending.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await exited;
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
  }
}

/**
 * Runs a WalCheckpointer while the hub writes fast and none otherwise: checked every
 * `checkMs`, one starts above `startPerSecond` writes a second and stops after `quietChecks`
 * checks in a row below a tenth of that.
 */
export class WalCheckpoints {
  readonly #db: Database;
  readonly #options: { databaseFile: string; logger: Logger };
  readonly #writes: { writesCommitted: number };
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  #quiet = 0;
  #active: WalCheckpointer | undefined;
  #stopping: Promise<void> | undefined;

  constructor(db: Database, writes: { writesCommitted: number }, options: { databaseFile: string; logger: Logger }) {
    this.#db = db;
    this.#writes = writes;
    this.#options = options;
  }

  get active(): boolean {
    return this.#active !== undefined;
  }

  start(settings: { checkMs?: number; startPerSecond?: number; quietChecks?: number } = {}): void {
    const checkMs = settings.checkMs ?? 2_000;
    const startPerSecond = settings.startPerSecond ?? 2_000;
    const quietChecks = settings.quietChecks ?? 3;
    this.#last = this.#writes.writesCommitted;
    this.#timer = setInterval(() => {
      const perSecond = ((this.#writes.writesCommitted - this.#last) * 1000) / checkMs;
      this.#last = this.#writes.writesCommitted;
      if (!this.#active && !this.#stopping && perSecond > startPerSecond) {
        this.#active = new WalCheckpointer(this.#db, this.#options);
        this.#quiet = 0;
      } else if (this.#active && perSecond < startPerSecond / 10 && (this.#quiet += 1) >= quietChecks) {
        const stopping = this.#active.stop();
        this.#active = undefined;
        this.#stopping = stopping.finally(() => (this.#stopping = undefined));
      }
    }, checkMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#stopping;
    await this.#active?.stop();
    this.#active = undefined;
  }
}
