import type { Database, Statement } from 'better-sqlite3';
import type { EventKind, RecordedEvent } from './event-schema.ts';

interface EventRow {
  seq?: number;
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
  const { seq: _seq, ...event } = row;
  return { ...event, kind: row.kind as EventKind, metadata: JSON.parse(row.metadata) as Record<string, unknown> };
}

/** A filtered page of the history (the window's Events view). Filters combine with AND. */
export interface EventQuery {
  /** exit_code other than 0. */
  failedOnly?: boolean;
  /** Only events that ran longer than this many milliseconds. */
  longerThanMs?: number;
  kind?: EventKind;
  /** Agent tool calls of this agent (claude, codex …) / this agent session. */
  agent?: string;
  session?: string;
  /** Leave out the agents' tool calls (agentd's GET /events). */
  withoutAgents?: boolean;
  /** Case-insensitive (ASCII) substring of the command or the output. */
  text?: string;
  /** Only events older than this position (a page's `next` cursor). */
  beforeSeq?: number;
  limit: number;
}

export interface EventPage {
  events: RecordedEvent[];
  /** Position of the oldest event on the page when older matching events exist, else null. */
  nextSeq: number | null;
  /** Matching events in the whole history (ignoring the cursor). */
  total: number;
}

/** LIKE pattern for a literal substring: %, _ and the escape character are escaped. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The events table: every SQL statement about events lives here. */
export class EventStore {
  readonly #db: Database;
  readonly #insert: Statement<[string, string, string, string, number, number, string, string]>;
  readonly #byId: Statement<[string], EventRow>;
  readonly #newest: Statement<[number], EventRow>;
  readonly #count: Statement<[], { n: number }>;
  readonly #byPrefix: Statement<[string], EventRow>;
  readonly #pruneOldest: Statement<[number]>;
  readonly #update: Statement<[number, number, string, string, string]>;
  readonly #queries = new Map<string, { page: Statement<Record<string, unknown>, EventRow>; count: Statement<Record<string, unknown>, { n: number }> }>();
  #rowCount: number;

  constructor(db: Database) {
    this.#db = db;
    // Positional, not @named: binding from an object is measurably dearer on the ingest path.
    this.#insert = db.prepare('INSERT INTO events (id, received_at, kind, command, exit_code, duration_ms, output, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.#byId = db.prepare('SELECT * FROM events WHERE id = ?');
    this.#newest = db.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT ?');
    this.#count = db.prepare('SELECT count(*) AS n FROM events');
    // Two rows are enough to tell "unique" from "ambiguous".
    this.#byPrefix = db.prepare("SELECT * FROM events WHERE id >= ? ORDER BY id LIMIT 2");
    this.#pruneOldest = db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq ASC LIMIT ?)');
    this.#update = db.prepare('UPDATE events SET exit_code = ?, duration_ms = ?, output = ?, metadata = ? WHERE id = ?');
    this.#rowCount = this.#count.get()?.n ?? 0;
  }

  /** Completes an event recorded earlier (an agent's tool call when its result arrives). */
  update(event: RecordedEvent): void {
    this.#update.run(event.exit_code, event.duration_ms, event.output, JSON.stringify(event.metadata), event.id);
  }

  /**
   * Inserts one event (inside the caller's transaction) and prunes the oldest beyond
   * `retention`. Pruning waits until 1% more than the limit is stored, then removes that many at
   * once, so the hot path is a plain append. The insert is the statement that can fail (a
   * duplicate id); pruning only deletes.
   */
  insert(event: RecordedEvent, retention: number): void {
    const e = event;
    this.#insert.run(e.id, e.received_at, e.kind, e.command, e.exit_code, e.duration_ms, e.output, JSON.stringify(e.metadata));
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

  /**
   * Newest first, keyset-paged on seq (no OFFSET: page 1000 costs what page 1 does). One
   * statement per combination of filters, prepared once.
   */
  query(q: EventQuery): EventPage {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.failedOnly) where.push('exit_code <> 0');
    if (q.longerThanMs !== undefined) {
      where.push('duration_ms > @longer');
      params.longer = q.longerThanMs;
    }
    if (q.kind) {
      where.push('kind = @kind');
      params.kind = q.kind;
    }
    if (q.withoutAgents) where.push("kind <> 'agent'");
    if (q.agent) {
      where.push("kind = 'agent' AND json_extract(metadata, '$.agent') = @agent");
      params.agent = q.agent;
    }
    if (q.session) {
      where.push("kind = 'agent' AND json_extract(metadata, '$.session') = @session");
      params.session = q.session;
    }
    if (q.text) {
      where.push("(command LIKE @text ESCAPE '\\' OR output LIKE @text ESCAPE '\\')");
      params.text = likePattern(q.text);
    }
    const key = where.join(' AND ');
    let statements = this.#queries.get(key);
    if (!statements) {
      const filter = where.length ? `WHERE ${key}` : '';
      const page = `SELECT * FROM events WHERE ${where.length ? `${key} AND ` : ''}seq < @before ORDER BY seq DESC LIMIT @limit`;
      statements = { page: this.#db.prepare(page), count: this.#db.prepare(`SELECT count(*) AS n FROM events ${filter}`) };
      this.#queries.set(key, statements);
    }
    const rows = statements.page.all({ ...params, before: q.beforeSeq ?? Number.MAX_SAFE_INTEGER, limit: q.limit + 1 });
    const more = rows.length > q.limit;
    const pageRows = more ? rows.slice(0, q.limit) : rows;
    const total = where.length ? (statements.count.get(params)?.n ?? 0) : this.#rowCount;
    return { events: pageRows.map(fromRow), nextSeq: more ? (pageRows.at(-1)?.seq ?? null) : null, total };
  }
}
