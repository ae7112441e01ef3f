import type { Database, Statement } from 'better-sqlite3';
import type { HookKind, RecordedEvent } from './event-schema.ts';

interface EventRow {
  id: string;
  received_at: string;
  kind: string;
  command: string;
  exit_code: number;
  duration_ms: number;
  output: string;
  metadata: string;
}

function fromRow(row: EventRow): RecordedEvent {
  return { ...row, kind: row.kind as HookKind, metadata: JSON.parse(row.metadata) as Record<string, unknown> };
}

/** The events table: every SQL statement about events lives here. */
export class EventStore {
  readonly #db: Database;
  readonly #insert: Statement;
  readonly #byId: Statement<[string], EventRow>;
  readonly #newest: Statement<[number], EventRow>;
  readonly #count: Statement<[], { n: number }>;
  readonly #byPrefix: Statement<[string], EventRow>;
  readonly #pruneOldest: Statement<[number]>;
  #rowCount: number;

  constructor(db: Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO events (id, received_at, kind, command, exit_code, duration_ms, output, metadata)
       VALUES (@id, @received_at, @kind, @command, @exit_code, @duration_ms, @output, @metadata)`,
    );
    this.#byId = db.prepare('SELECT * FROM events WHERE id = ?');
    this.#newest = db.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT ?');
    this.#count = db.prepare('SELECT count(*) AS n FROM events');
    // Two rows are enough to tell "unique" from "ambiguous".
    this.#byPrefix = db.prepare("SELECT * FROM events WHERE id >= ? ORDER BY id LIMIT 2");
    this.#pruneOldest = db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq ASC LIMIT ?)');
    this.#rowCount = this.#count.get()?.n ?? 0;
  }

  /**
   * Inserts one event (inside the caller's transaction) and prunes the oldest beyond
   * `retention`. Pruning waits until 1% more than the limit is stored, then removes that many at
   * once, so the hot path is a plain append.
   */
  insert(event: RecordedEvent, retention: number): void {
    this.#insert.run({ ...event, metadata: JSON.stringify(event.metadata) });
    this.#rowCount += 1;
    const slack = Math.floor(retention / 100);
    if (this.#rowCount > retention + slack) {
      this.#pruneOldest.run(this.#rowCount - retention);
      this.#rowCount = retention;
    }
  }

  get(id: string): RecordedEvent | undefined {
    const row = this.#byId.get(id);
    return row ? fromRow(row) : undefined;
  }

  /** Events whose id starts with `prefix` (at most two: enough to know whether it is unique). */
  matchPrefix(prefix: string): RecordedEvent[] {
    return this.#byPrefix
      .all(prefix.toLowerCase())
      .filter((row) => row.id.startsWith(prefix.toLowerCase()))
      .map(fromRow);
  }

  /** Newest first. */
  newest(limit: number): RecordedEvent[] {
    return this.#newest.all(limit).map(fromRow);
  }

  count(): number {
    return this.#rowCount;
  }
}
