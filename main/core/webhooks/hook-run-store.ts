import type { Database, Statement } from 'better-sqlite3';
import { isCredentialHeader } from '../security/redact.ts';

/** What a hook's request ended in. */
export const HOOK_OUTCOMES = [
  'injected', // exit 0 with output: message in the inbox (200)
  'empty', // exit 0 without output (204)
  'failed', // non-zero exit (500)
  'timeout', // killed after the hook's timeout (504)
  'output_limit', // stopped for runaway output (500)
  'spawn_error', // the script could not be started (500)
  'bad_signature', // verification refused it: signature missing or wrong, timestamp outside the tolerance (401)
  'duplicate', // a delivery id already accepted within the tolerance: not run again (200)
  'filtered', // the hook's when/when_any rules did not match: not run (202)
  'queue_full', // concurrency limit and queue full (429)
  'method_not_allowed', // not POST (405)
  'body_too_large', // over max_body_bytes (413)
  'internal_error', // Hookbox itself failed (500); see the log
] as const;
export type HookOutcome = (typeof HOOK_OUTCOMES)[number];

export interface HookRun {
  id: string;
  hook: string;
  session: string;
  received_at: string;
  source_address: string;
  method: string;
  path: string;
  query: string;
  /** As received; secrets are masked only when shown (replay needs them). */
  headers: Record<string, string>;
  body: Buffer;
  body_size: number;
  body_truncated: boolean;
  outcome: HookOutcome;
  status: number;
  exit_code: number | null;
  stdout: string;
  stderr: string;
  duration_ms: number;
  message_id: string | null;
  replay_of: string | null;
}

/** Outcomes where the script never ran: their stderr is Hookbox's reason ("signature does not match"). */
const REASONED_OUTCOMES: readonly HookOutcome[] = [
  'bad_signature',
  'duplicate',
  'filtered',
  'method_not_allowed',
  'body_too_large',
  'queue_full',
];

export type HookRunSummary = Omit<HookRun, 'body' | 'headers' | 'stdout' | 'stderr'> & {
  /** Why the script did not run, for the outcomes where it did not (never a secret); otherwise null. */
  reason: string | null;
};

export function runReason(run: Pick<HookRun, 'outcome' | 'stderr'>): string | null {
  return REASONED_OUTCOMES.includes(run.outcome) ? run.stderr : null;
}

interface HookRunRow extends Omit<HookRun, 'headers' | 'body_truncated'> {
  headers: string;
  body_truncated: number;
}

const SUMMARY_COLUMNS = `id, hook, session, received_at, source_address, method, path, query, body_size, body_truncated, outcome, status, exit_code, duration_ms, message_id, replay_of,
  CASE WHEN outcome IN (${REASONED_OUTCOMES.map((o) => `'${o}'`).join(', ')}) THEN stderr END AS reason`;

/** The hook_runs table: one row per request any hook listener received. */
export class HookRunStore {
  readonly #insert: Statement;
  readonly #byId: Statement<[string], HookRunRow>;
  readonly #byPrefix: Statement<[string], HookRunRow>;
  readonly #recent: Statement<{ hook: string | null; limit: number }, HookRunRow & { reason: string | null }>;
  readonly #prune: Statement<[number]>;
  readonly #keep: number | undefined;
  #insertsSincePrune = 0;

  /** With `keep`, the store keeps only the newest `keep` runs (pruned now and every 1% after). */
  constructor(db: Database, options: { keep?: number } = {}) {
    this.#insert = db.prepare(
      `INSERT INTO hook_runs (id, hook, session, received_at, source_address, method, path, query, headers, body, body_size,
         body_truncated, outcome, status, exit_code, stdout, stderr, duration_ms, message_id, replay_of)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#byId = db.prepare('SELECT * FROM hook_runs WHERE id = ?');
    this.#byPrefix = db.prepare('SELECT * FROM hook_runs WHERE id >= ? ORDER BY id LIMIT 2');
    this.#recent = db.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM hook_runs WHERE (@hook IS NULL OR hook = @hook) ORDER BY seq DESC LIMIT @limit`,
    );
    this.#prune = db.prepare('DELETE FROM hook_runs WHERE seq <= (SELECT max(seq) FROM hook_runs) - ?');
    this.#keep = options.keep;
    if (this.#keep !== undefined) this.#prune.run(this.#keep);
  }

  /** `run` without its body, which is stored beside it (the hub announces runs without their bodies). */
  insert(run: Omit<HookRun, 'body'>, body: Buffer): void {
    // Positional parameters: binding 20 named ones looks each name up in the object, a measurable
    // part of a filtered webhook request's cost (one row per request).
    this.#insert.run(
      run.id,
      run.hook,
      run.session,
      run.received_at,
      run.source_address,
      run.method,
      run.path,
      run.query,
      JSON.stringify(run.headers),
      body,
      run.body_size,
      run.body_truncated ? 1 : 0,
      run.outcome,
      run.status,
      run.exit_code,
      run.stdout,
      run.stderr,
      run.duration_ms,
      run.message_id,
      run.replay_of,
    );
    if (this.#keep === undefined) return;
    this.#insertsSincePrune += 1;
    if (this.#insertsSincePrune >= Math.max(1, Math.floor(this.#keep / 100))) {
      this.#insertsSincePrune = 0;
      this.#prune.run(this.#keep);
    }
  }

  /** By full id or a unique prefix. */
  find(idOrPrefix: string): HookRun | undefined {
    const exact = this.#byId.get(idOrPrefix);
    if (exact) return fromRow(exact);
    const matches = this.#byPrefix.all(idOrPrefix).filter((r) => r.id.startsWith(idOrPrefix));
    return matches.length === 1 && matches[0] ? fromRow(matches[0]) : undefined;
  }

  recent(options: { hook?: string; limit: number }): HookRunSummary[] {
    return this.#recent
      .all({ hook: options.hook ?? null, limit: options.limit })
      .map((row) => ({ ...row, body_truncated: Boolean(row.body_truncated) }));
  }
}

function fromRow(row: HookRunRow): HookRun {
  return {
    ...row,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: Buffer.from(row.body),
    body_truncated: Boolean(row.body_truncated),
  };
}

// Credential headers are masked whenever a run is shown (the same list the log redacts).
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      isCredentialHeader(name) ? `${value.slice(0, 4)}…(masked, ${value.length} chars)` : value,
    ]),
  );
}
