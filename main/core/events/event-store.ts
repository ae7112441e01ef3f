import type { Database, Statement } from 'better-sqlite3';
import { INTERRUPTED_EXIT_CODES, programOf } from '../notify/notification-rules.ts';
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
  /** Failed as the notification rules say (isFailure: not 0, not the user's Ctrl-C). */
  failedOnly?: boolean;
  /** Only events that ran longer than this many milliseconds… */
  longerThanMs?: number;
  /** …and whose program is not one of these (the rules' ignore list: isLongRunning). */
  ignorePrograms?: readonly string[];
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

/** How a text search was answered. */
export interface SearchInfo {
  /**
   * 'index': the trigram index (3 characters or more); 'scan': the newest events were read one by
   * one, at most WALK_LIMIT per page (a shorter query, or a database without the index).
   */
  method: 'index' | 'scan';
  /** Events recorded since the index last caught up (searched by a scan meanwhile). */
  unindexed: number;
}

export interface EventPage {
  events: RecordedEvent[];
  /** Position to continue from (older events) when more may match, else null. */
  nextSeq: number | null;
  /** Matching events in the whole history (ignoring the cursor), exact unless `totalIsLowerBound`. */
  total: number;
  /** Counting stopped early (at COUNT_CAP, or at the walk's bound): at least `total` events match. */
  totalIsLowerBound: boolean;
  /**
   * The page ended at the walk's bound before it was full (filters no index answers): older
   * events were not looked at yet, `nextSeq` continues there.
   */
  partial: boolean;
  /** Set when the query had a text. */
  search: SearchInfo | null;
}

/** Matches are counted up to this many; beyond, the total is a lower bound. */
export const COUNT_CAP = 10_000;
/** A filter no index answers is checked on at most this many events (by position) per page. */
export const WALK_LIMIT = 20_000;
/** The trigram index answers queries of at least this many characters. */
export const INDEXED_SEARCH_MIN_CHARS = 3;
/** At most this many trigrams of a query are looked up (more only cost time: LIKE is exact). */
const MAX_QUERY_TRIGRAMS = 6;

/** LIKE pattern for a literal substring: %, _ and the escape character are escaped. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The FTS5 query for a substring: some of its trigrams, each a quoted string, ANDed (the index is
 * detail=none, which has no phrases; the LIKE check afterwards makes the match exact). Trigrams
 * that do not overlap cover the text: each one ANDed costs a walk of its list, and a trigram of a
 * common word ("hon" of python) has a long one, so fewer is faster (measured: "xylophone" in a
 * million events, 2.3 ms with its 7 trigrams, 0.16 ms with 3).
 */
function trigramQuery(text: string): string {
  const chars = [...text];
  const starts = new Set<number>();
  for (let i = 0; i + 3 <= chars.length; i += 3) starts.add(i);
  starts.add(chars.length - 3);
  let picked = [...starts];
  if (picked.length > MAX_QUERY_TRIGRAMS) {
    const step = (picked.length - 1) / (MAX_QUERY_TRIGRAMS - 1);
    picked = [...new Set(Array.from({ length: MAX_QUERY_TRIGRAMS }, (_, i) => picked[Math.round(i * step)]!))];
  }
  const trigrams = new Set(picked.map((i) => chars.slice(i, i + 3).join('')));
  return [...trigrams].map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ');
}

/** A range of positions [from, to) read through the table (filters, LIKE) or the trigram index. */
interface Segment {
  via: 'table' | 'index';
  from: number;
  to: number;
}

interface Plan {
  segments: Segment[];
  /** Lowest position the segments reach: below it nothing was looked at. */
  stopAt: number;
}

type Params = Record<string, unknown>;

/** The events table: every SQL statement about events lives here. */
export class EventStore {
  readonly #db: Database;
  readonly #insert: Statement<[string, string, string, string, number, number, string, string]>;
  readonly #byId: Statement<[string], EventRow>;
  readonly #newest: Statement<[number], EventRow>;
  readonly #byPrefix: Statement<[string], EventRow>;
  readonly #pruneOldest: Statement<[number]>;
  readonly #update: Statement<[number, number, string, string, string]>;
  /** Re-reads an updated row into the search index when the indexer had already passed it. */
  readonly #reindex: { drop: Statement<[string]>; add: Statement<[string]> } | undefined;
  readonly #pruneExpired: Statement<[number, string]>;
  readonly #bounds: Statement<[], { lo: number | null; hi: number | null }>;
  readonly #statements = new Map<string, Statement<Params>>();
  /** Whether the database has the search index (a read-only reader of an older file may not). */
  readonly #searchable: boolean;
  readonly #indexedThrough: Statement<[], { n: number }> | undefined;
  #rowCount: number;

  constructor(db: Database) {
    this.#db = db;
    // The program a command runs, as the notification rules read it (their ignore list in SQL).
    db.function('hookbox_program', { deterministic: true }, (command) => programOf(String(command)));
    // Positional, not @named: binding from an object is measurably dearer on the ingest path.
    this.#insert = db.prepare(
      'INSERT INTO events (id, received_at, kind, command, exit_code, duration_ms, output, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#byId = db.prepare('SELECT * FROM events WHERE id = ?');
    this.#newest = db.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT ?');
    // Two rows are enough to tell "unique" from "ambiguous".
    this.#byPrefix = db.prepare('SELECT * FROM events WHERE id >= ? ORDER BY id LIMIT 2');
    this.#pruneOldest = db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq ASC LIMIT ?)');
    this.#update = db.prepare(
      'UPDATE events SET exit_code = ?, duration_ms = ?, output = ?, metadata = ? WHERE id = ?',
    );
    // Oldest first by position: arrival order, so the expired ones are a prefix.
    this.#pruneExpired = db.prepare(
      'DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq ASC LIMIT ?) AND received_at < ?',
    );
    this.#bounds = db.prepare('SELECT (SELECT min(seq) FROM events) AS lo, (SELECT max(seq) FROM events) AS hi');
    const searchTables = db
      .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('events_fts', 'events_search_state')")
      .get() as { n: number };
    this.#searchable = searchTables.n === 2;
    this.#indexedThrough = this.#searchable
      ? db.prepare('SELECT indexed_through AS n FROM events_search_state WHERE id = 1')
      : undefined;
    const indexed = 'seq <= (SELECT indexed_through FROM events_search_state WHERE id = 1)';
    this.#reindex = this.#searchable
      ? {
          drop: db.prepare(`DELETE FROM events_fts WHERE rowid = (SELECT seq FROM events WHERE id = ? AND ${indexed})`),
          add: db.prepare(
            `INSERT INTO events_fts (rowid, command, output) SELECT seq, command, output FROM events WHERE id = ? AND ${indexed}`,
          ),
        }
      : undefined;
    // Positions are dense: events leave only from the oldest end (count and age retention), so
    // the count is the span of positions, two index lookups instead of a scan of a million rows
    // (~200 ms at start). Rows deleted by hand from the middle would make it count high (and
    // retention prune that many early); Hookbox itself never does.
    const { lo, hi } = this.#bounds.get() ?? { lo: null, hi: null };
    this.#rowCount = lo === null || hi === null ? 0 : hi - lo + 1;
  }

  /** Completes an event recorded earlier (an agent's tool call when its result arrives). */
  update(event: RecordedEvent): void {
    this.#update.run(event.exit_code, event.duration_ms, event.output, JSON.stringify(event.metadata), event.id);
    // The index holds the output as it was when indexed: an indexed row is indexed again.
    this.#reindex?.drop.run(event.id);
    this.#reindex?.add.run(event.id);
  }

  /**
   * Inserts one event (inside the caller's transaction) and prunes the oldest beyond
   * `retention`. Pruning waits until 1% more than the limit is stored (at most 1,000 more: each
   * pruned row also leaves the search index), then removes that many at once, so the hot path is
   * a plain append. The insert is the statement that can fail (a duplicate id); pruning only
   * deletes.
   */
  insert(event: RecordedEvent, retention: number): void {
    const e = event;
    this.#insert.run(
      e.id,
      e.received_at,
      e.kind,
      e.command,
      e.exit_code,
      e.duration_ms,
      e.output,
      JSON.stringify(e.metadata),
    );
    this.#rowCount += 1;
    const slack = Math.min(Math.floor(retention / 100), 1_000);
    if (this.#rowCount > retention + slack) {
      this.#pruneOldest.run(this.#rowCount - retention);
      this.#rowCount = retention;
    }
  }

  /**
   * Deletes up to `max` of the oldest events received before `cutoff` (inside the caller's
   * transaction); returns how many. Called repeatedly until it deletes fewer than `max`.
   */
  pruneReceivedBefore(cutoff: Date, max: number): number {
    const deleted = this.#pruneExpired.run(max, cutoff.toISOString()).changes;
    this.#rowCount -= deleted;
    // An emptied table hands out positions from 1 again: they must be indexed anew.
    if (this.#rowCount === 0 && this.#searchable)
      this.#db.prepare('UPDATE events_search_state SET indexed_through = 0').run();
    return deleted;
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

  // ---- the search index (filled by events/search-indexer.ts, off the ingest path) ----

  /** Events up to this position are in the trigram index; 0 without an index. */
  indexedThrough(): number {
    return this.#indexedThrough?.get()?.n ?? 0;
  }

  /** Events not yet in the search index (by position: an estimate when positions have gaps). */
  unindexed(): number {
    const hi = this.#bounds.get()?.hi ?? 0;
    return Math.max(0, hi - this.indexedThrough());
  }

  /**
   * Adds the next `max` events after the index's position to the index and moves the position
   * (inside the caller's transaction). Returns how many were indexed.
   */
  indexNext(max: number): number {
    if (!this.#searchable) return 0;
    const from = this.indexedThrough();
    const last = this.#prepared(
      'chunk-end',
      'SELECT max(seq) AS n FROM (SELECT seq FROM events WHERE seq > @from ORDER BY seq LIMIT @max)',
    ).get({ from, max }) as { n: number | null } | undefined;
    if (last?.n == null) return 0;
    const added = this.#prepared(
      'chunk',
      'INSERT INTO events_fts (rowid, command, output) SELECT seq, command, output FROM events WHERE seq > @from AND seq <= @to',
    ).run({ from, to: last.n }).changes;
    this.#prepared('advance', 'UPDATE events_search_state SET indexed_through = @to WHERE id = 1').run({ to: last.n });
    // FTS5 keeps the new rows' terms in memory and writes them (merging segments) when the
    // transaction commits: without this, most of a chunk's cost (measured: ~110 of ~170 µs an
    // event) fell in the group commit, blocking the event loop beyond the indexer's timing and
    // share. 'flush' (FTS5's special command) writes them now, inside the timed step.
    this.#prepared('flush', "INSERT INTO events_fts (events_fts) VALUES ('flush')").run({});
    return added;
  }

  // ---- filtered pages ----

  /**
   * Newest first, keyset-paged on seq (no OFFSET: page 1000 costs what page 1 does). A text of 3
   * characters or more is looked up in the trigram index (events not yet indexed are scanned);
   * `failed` and `kind` are answered from their indexes; whatever no index answers (long-running,
   * a shorter text, two filters at once) is checked on a bounded walk of positions, WALK_LIMIT at
   * a time. Totals are counted up to COUNT_CAP.
   */
  query(q: EventQuery): EventPage {
    const text = q.text ?? '';
    const method: SearchInfo['method'] | null =
      text === '' ? null : [...text].length >= INDEXED_SEARCH_MIN_CHARS && this.#searchable ? 'index' : 'scan';
    const { lo, hi } = this.#bounds.get() ?? { lo: null, hi: null };
    const search: SearchInfo | null =
      method === null
        ? null
        : { method, unindexed: method === 'index' ? Math.max(0, (hi ?? 0) - this.indexedThrough()) : 0 };
    if (lo === null || hi === null)
      return { events: [], nextSeq: null, total: 0, totalIsLowerBound: false, partial: false, search };

    const { where, params } = this.#filters(q);
    if (where.length === 0) {
      // No filter at all: the table's own order and its known size.
      const rows = this.#rows(
        { via: 'table', from: lo, to: Math.min(q.beforeSeq ?? hi + 1, hi + 1) },
        where,
        params,
        q.limit + 1,
      );
      return this.#page(
        rows,
        q.limit,
        { segments: [], stopAt: lo },
        lo,
        { n: this.#rowCount, capped: false, covered: true },
        search,
      );
    }
    const bounded =
      method === 'scan' ||
      q.longerThanMs !== undefined ||
      [q.failedOnly, q.kind, method === 'index'].filter(Boolean).length > 1;
    const through = method === 'index' ? Math.min(this.indexedThrough(), hi) : hi;

    const pagePlan = this.#plan(Math.min(q.beforeSeq ?? hi + 1, hi + 1), lo, through, bounded, method === 'index');
    const rows: EventRow[] = [];
    for (const segment of pagePlan.segments) {
      if (rows.length > q.limit) break;
      rows.push(...this.#rows(segment, where, params, q.limit + 1 - rows.length));
    }
    // The total ignores the cursor: counted from the newest event down.
    const countPlan = this.#plan(hi + 1, lo, through, bounded, method === 'index');
    let n = 0;
    for (const segment of countPlan.segments) {
      if (n > COUNT_CAP) break;
      n += this.#countRows(segment, where, params, COUNT_CAP + 1 - n);
    }
    return this.#page(
      rows,
      q.limit,
      pagePlan,
      lo,
      { n, capped: n > COUNT_CAP, covered: countPlan.stopAt <= lo },
      search,
    );
  }

  #page(
    rows: EventRow[],
    limit: number,
    plan: Plan,
    lo: number,
    count: { n: number; capped: boolean; covered: boolean },
    search: SearchInfo | null,
  ): EventPage {
    const more = rows.length > limit;
    const pageRows = more ? rows.slice(0, limit) : rows;
    // Not full, and the walk stopped above the oldest event: older ones are still to be looked at.
    const partial = !more && plan.stopAt > lo;
    const nextSeq = more ? (pageRows.at(-1)?.seq ?? null) : partial ? plan.stopAt : null;
    const total = count.capped ? COUNT_CAP : count.n;
    return {
      events: pageRows.map(fromRow),
      nextSeq,
      total,
      totalIsLowerBound: count.capped || !count.covered,
      partial,
      search,
    };
  }

  /**
   * The ranges to read below `top`, newest first. With the index: the events it does not hold yet
   * (a scan), then the indexed ones. `bounded`: at most WALK_LIMIT positions in all.
   */
  #plan(top: number, lo: number, through: number, bounded: boolean, indexed: boolean): Plan {
    const floor = bounded ? Math.max(lo, top - WALK_LIMIT) : lo;
    if (!indexed) return { segments: [{ via: 'table', from: floor, to: top }], stopAt: floor };
    // The unindexed tail is scanned, at most WALK_LIMIT positions of it per page.
    const tailFloor = Math.max(through + 1, floor, top - WALK_LIMIT);
    const segments: Segment[] = [];
    if (top > tailFloor) segments.push({ via: 'table', from: tailFloor, to: top });
    if (tailFloor > through + 1) return { segments, stopAt: tailFloor };
    const indexedTop = Math.min(top, through + 1);
    if (indexedTop > floor) segments.push({ via: 'index', from: floor, to: indexedTop });
    return { segments, stopAt: floor };
  }

  #filters(q: EventQuery): { where: string[]; params: Params } {
    const where: string[] = [];
    const params: Params = {};
    // `exit_code <> 0` as written lets SQLite use the partial index events_failed.
    if (q.failedOnly) where.push(`e.exit_code <> 0 AND e.exit_code NOT IN (${INTERRUPTED_EXIT_CODES.join(', ')})`);
    if (q.longerThanMs !== undefined) {
      where.push('e.duration_ms > @longer');
      params.longer = q.longerThanMs;
      if (q.ignorePrograms?.length) {
        where.push('hookbox_program(e.command) NOT IN (SELECT value FROM json_each(@ignore))');
        params.ignore = JSON.stringify(q.ignorePrograms);
      }
    }
    if (q.kind) {
      where.push('e.kind = @kind');
      params.kind = q.kind;
    }
    if (q.withoutAgents) where.push("e.kind <> 'agent'");
    if (q.agent) {
      where.push("e.kind = 'agent' AND json_extract(e.metadata, '$.agent') = @agent");
      params.agent = q.agent;
    }
    if (q.session) {
      where.push("e.kind = 'agent' AND json_extract(e.metadata, '$.session') = @session");
      params.session = q.session;
    }
    if (q.text) {
      // The exact semantics (ASCII case-insensitive substring), also on the index's candidates.
      where.push("(e.command LIKE @text ESCAPE '\\' OR e.output LIKE @text ESCAPE '\\')");
      params.text = likePattern(q.text);
      params.match = trigramQuery(q.text);
    }
    return { where, params };
  }

  #source(segment: Segment, where: string[]): string {
    const filter = where.map((w) => ` AND ${w}`).join('');
    return segment.via === 'index'
      ? `FROM events_fts f JOIN events e ON e.seq = f.rowid WHERE f.events_fts MATCH @match AND f.rowid >= @from AND f.rowid < @to${filter}`
      : `FROM events e WHERE e.seq >= @from AND e.seq < @to${filter}`;
  }

  #rows(segment: Segment, where: string[], params: Params, limit: number): EventRow[] {
    const order = segment.via === 'index' ? 'f.rowid' : 'e.seq';
    const sql = `SELECT e.* ${this.#source(segment, where)} ORDER BY ${order} DESC LIMIT @limit`;
    return this.#prepared(sql, sql).all({
      ...this.#bind(params, segment.via),
      from: segment.from,
      to: segment.to,
      limit,
    }) as EventRow[];
  }

  #countRows(segment: Segment, where: string[], params: Params, limit: number): number {
    const sql = `SELECT count(*) AS n FROM (SELECT 1 ${this.#source(segment, where)} LIMIT @limit)`;
    return (
      this.#prepared(sql, sql).get({
        ...this.#bind(params, segment.via),
        from: segment.from,
        to: segment.to,
        limit,
      }) as { n: number }
    ).n;
  }

  /** SQLite refuses named parameters a statement does not use. */
  #bind(params: Params, via: Segment['via']): Params {
    if (via === 'index' || params.match === undefined) return params;
    const { match: _match, ...rest } = params;
    return rest;
  }

  /** One statement per shape of query, prepared once. */
  #prepared(key: string, sql: string): Statement<Params> {
    let statement = this.#statements.get(key);
    if (!statement) {
      statement = this.#db.prepare<Params>(sql);
      this.#statements.set(key, statement);
    }
    return statement;
  }
}
