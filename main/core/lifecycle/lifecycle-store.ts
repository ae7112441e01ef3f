import type { Database, Statement } from 'better-sqlite3';
import type { HandlerRun } from './lifecycle-chain.ts';
import type { MergedResult } from './loom-protocol.ts';

// lifecycle_events (every event and the chain's decision), lifecycle_runs (every handler run),
// lifecycle_followups and lifecycle_failures. Call the write methods inside a WriteBatcher write.

export interface LifecycleEventRecord {
  id: string;
  received_at: string;
  event: string;
  /** Who emitted it: api, cli, claude-code. */
  source: string;
  data: Record<string, unknown>;
  allowed: boolean;
  reason: string | null;
  hook: string | null;
  duration_ms: number;
  result: MergedResult;
}

export interface StoredRun extends HandlerRun {
  event_id: string;
}

export interface FollowupRecord {
  id: string;
  event_id: string;
  task_id: string | null;
  agent_id: string | null;
  kind: string;
  text: string;
  created_at: string;
  message_id: string | null;
}

export interface FailureRecord {
  task_id: string;
  count: number;
  last_error: string;
  last_agent_id: string | null;
  first_at: string;
  last_at: string;
}

interface EventRow extends Omit<LifecycleEventRecord, 'data' | 'allowed' | 'result'> {
  data: string;
  allowed: number;
  result: string;
}

interface RunRow extends Omit<StoredRun, 'result'> {
  result: string | null;
}

function eventFromRow(row: EventRow): LifecycleEventRecord {
  return {
    ...row,
    data: JSON.parse(row.data) as Record<string, unknown>,
    allowed: row.allowed === 1,
    result: JSON.parse(row.result) as MergedResult,
  };
}

function runFromRow(row: RunRow): StoredRun {
  return { ...row, result: row.result === null ? null : (JSON.parse(row.result) as StoredRun['result']) };
}

const EVENT_COLUMNS = 'id, received_at, event, source, data, allowed, reason, hook, duration_ms, result';

export class LifecycleStore {
  readonly #insertEvent: Statement;
  readonly #insertRun: Statement;
  readonly #eventById: Statement<[string], EventRow>;
  readonly #eventByPrefix: Statement<[string], EventRow>;
  readonly #recent: Statement<{ event: string | null; limit: number }, EventRow>;
  readonly #runsFor: Statement<[string], RunRow>;
  readonly #insertFollowup: Statement;
  readonly #followupsFor: Statement<[string], FollowupRecord>;
  readonly #recentFollowups: Statement<[number], FollowupRecord>;
  readonly #failure: Statement<[string], FailureRecord>;
  readonly #upsertFailure: Statement;
  readonly #failures: Statement<[number], FailureRecord>;
  readonly #prune: Statement<[number]>;
  readonly #keep: number | undefined;
  #insertsSincePrune = 0;

  /** With `keep`, only the newest `keep` events are kept (pruned now and every 1% after). */
  constructor(db: Database, options: { keep?: number } = {}) {
    this.#insertEvent = db.prepare(
      `INSERT INTO lifecycle_events (${EVENT_COLUMNS}) VALUES (@id, @received_at, @event, @source, @data, @allowed, @reason, @hook, @duration_ms, @result)`,
    );
    this.#insertRun = db.prepare(
      `INSERT INTO lifecycle_runs (id, event_id, hook, kind, started_at, duration_ms, outcome, decision, policy, exit_code, stdout, stderr, error, result)
       VALUES (@id, @event_id, @hook, @kind, @started_at, @duration_ms, @outcome, @decision, @policy, @exit_code, @stdout, @stderr, @error, @result)`,
    );
    this.#eventById = db.prepare(`SELECT ${EVENT_COLUMNS} FROM lifecycle_events WHERE id = ?`);
    this.#eventByPrefix = db.prepare(`SELECT ${EVENT_COLUMNS} FROM lifecycle_events WHERE id >= ? ORDER BY id LIMIT 2`);
    this.#recent = db.prepare(
      `SELECT ${EVENT_COLUMNS} FROM lifecycle_events WHERE (@event IS NULL OR event = @event) ORDER BY seq DESC LIMIT @limit`,
    );
    this.#runsFor = db.prepare(
      'SELECT id, event_id, hook, kind, started_at, duration_ms, outcome, decision, policy, exit_code, stdout, stderr, error, result FROM lifecycle_runs WHERE event_id = ? ORDER BY seq',
    );
    this.#insertFollowup = db.prepare(
      `INSERT INTO lifecycle_followups (id, event_id, task_id, agent_id, kind, text, created_at, message_id)
       VALUES (@id, @event_id, @task_id, @agent_id, @kind, @text, @created_at, @message_id)`,
    );
    this.#followupsFor = db.prepare(
      'SELECT id, event_id, task_id, agent_id, kind, text, created_at, message_id FROM lifecycle_followups WHERE event_id = ? ORDER BY seq',
    );
    this.#recentFollowups = db.prepare(
      'SELECT id, event_id, task_id, agent_id, kind, text, created_at, message_id FROM lifecycle_followups ORDER BY seq DESC LIMIT ?',
    );
    this.#failure = db.prepare('SELECT * FROM lifecycle_failures WHERE task_id = ?');
    this.#upsertFailure = db.prepare(
      `INSERT INTO lifecycle_failures (task_id, count, last_error, last_agent_id, first_at, last_at) VALUES (@task_id, 1, @error, @agent_id, @at, @at)
       ON CONFLICT (task_id) DO UPDATE SET count = count + 1, last_error = @error, last_agent_id = COALESCE(@agent_id, last_agent_id), last_at = @at`,
    );
    this.#failures = db.prepare('SELECT * FROM lifecycle_failures ORDER BY last_at DESC LIMIT ?');
    this.#prune = db.prepare(
      `DELETE FROM lifecycle_events WHERE seq <= (SELECT max(seq) FROM lifecycle_events) - ?
         AND id NOT IN (SELECT event_id FROM lifecycle_deliveries WHERE state = 'pending')`,
    );
    this.#keep = options.keep;
    if (this.#keep !== undefined) this.#prune.run(this.#keep);
  }

  insertEvent(record: LifecycleEventRecord): void {
    this.#insertEvent.run({
      ...record,
      data: JSON.stringify(record.data),
      allowed: record.allowed ? 1 : 0,
      result: JSON.stringify(record.result),
    });
    if (this.#keep === undefined) return;
    this.#insertsSincePrune += 1;
    if (this.#insertsSincePrune >= Math.max(1, Math.floor(this.#keep / 100))) {
      this.#insertsSincePrune = 0;
      this.#prune.run(this.#keep);
    }
  }

  insertRun(eventId: string, run: HandlerRun): void {
    this.#insertRun.run({ ...run, event_id: eventId, result: run.result === null ? null : JSON.stringify(run.result) });
  }

  /** By full id or a unique prefix. */
  find(idOrPrefix: string): LifecycleEventRecord | undefined {
    const exact = this.#eventById.get(idOrPrefix);
    if (exact) return eventFromRow(exact);
    const rows = this.#eventByPrefix.all(idOrPrefix).filter((r) => r.id.startsWith(idOrPrefix));
    return rows.length === 1 ? eventFromRow(rows[0]!) : undefined;
  }

  recent(options: { event?: string; limit: number }): LifecycleEventRecord[] {
    return this.#recent.all({ event: options.event ?? null, limit: options.limit }).map(eventFromRow);
  }

  runsFor(eventId: string): StoredRun[] {
    return this.#runsFor.all(eventId).map(runFromRow);
  }

  insertFollowup(record: FollowupRecord): void {
    this.#insertFollowup.run(record);
  }

  followupsFor(eventId: string): FollowupRecord[] {
    return this.#followupsFor.all(eventId);
  }

  recentFollowups(limit: number): FollowupRecord[] {
    return this.#recentFollowups.all(limit);
  }

  failureCount(taskId: string): number {
    return this.#failure.get(taskId)?.count ?? 0;
  }

  recordFailure(input: { task_id: string; agent_id: string | null; error: string; at: string }): void {
    this.#upsertFailure.run(input);
  }

  failures(limit: number): FailureRecord[] {
    return this.#failures.all(limit);
  }

  /** Keeps the newest `keep` events and any with a delivery still pending; runs, deliveries and follow-ups go with the rest. */
}
