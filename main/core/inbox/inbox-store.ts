import type { Database, Statement } from 'better-sqlite3';
import { Type, type Static } from 'typebox';

/** Inbox sources in delivery order (the seed: schedule → background → skill → inject → webhook). */
export const MESSAGE_SOURCES = ['schedule', 'background', 'skill', 'inject', 'webhook'] as const;
export type MessageSource = (typeof MESSAGE_SOURCES)[number];
export const MESSAGE_STATES = ['queued', 'claimed', 'acked'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

// A message and a session as every boundary carries them (HTTP replies, the window, the CLI):
// the schemas are the one place these shapes are written; the types derive from them.
export const InboxMessageSchema = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  session: Type.String(),
  source: Type.Enum([...MESSAGE_SOURCES]),
  source_label: Type.String(),
  content: Type.String(),
  created_at: Type.String(),
  /** ISO time from which it may be delivered (later than created_at for scheduled messages). */
  available_at: Type.String(),
  state: Type.Enum([...MESSAGE_STATES]),
  claims: Type.Integer(),
  acked_at: Type.Union([Type.String(), Type.Null()]),
});
export type InboxMessage = Static<typeof InboxMessageSchema>;

interface MessageRow extends Omit<InboxMessage, 'available_at'> {
  available_at: number;
  source_rank: number;
  lease_until: number | null;
}

export const SessionSummarySchema = Type.Object({
  name: Type.String(),
  created_at: Type.String(),
  queued: Type.Integer(),
  claimed: Type.Integer(),
  acked: Type.Integer(),
  last_message_at: Type.Union([Type.String(), Type.Null()]),
});
export type SessionSummary = Static<typeof SessionSummarySchema>;

function fromRow(row: MessageRow): InboxMessage {
  return {
    seq: row.seq,
    id: row.id,
    session: row.session,
    source: row.source,
    source_label: row.source_label,
    content: row.content,
    created_at: row.created_at,
    available_at: new Date(row.available_at).toISOString(),
    state: row.state,
    claims: row.claims,
    acked_at: row.acked_at,
  };
}

/** Every SQL statement about sessions and their messages. */
export class InboxStore {
  readonly #ensureSession: Statement;
  readonly #insert: Statement;
  readonly #bySeq: Statement<[number], MessageRow>;
  readonly #claimable: Statement<{ session: string; now: number }, MessageRow>;
  readonly #claim: Statement;
  readonly #byId: Statement<[string, string], MessageRow>;
  readonly #setState: Statement;
  readonly #list: Statement;
  readonly #since: Statement<[string, number, number], MessageRow>;
  readonly #extend: Statement;
  readonly #sessions: Statement<[], SessionSummary>;
  readonly #nextAvailable: Statement<{ session: string; now: number }, { at: number | null }>;

  constructor(db: Database) {
    this.#ensureSession = db.prepare(
      'INSERT INTO sessions (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    );
    this.#insert = db.prepare(
      `INSERT INTO messages (id, session, source, source_rank, source_label, content, created_at, available_at, state)
       VALUES (@id, @session, @source, @source_rank, @source_label, @content, @created_at, @available_at, 'queued')`,
    );
    this.#bySeq = db.prepare('SELECT * FROM messages WHERE seq = ?');
    // Queued messages and claims whose lease ran out, in delivery order.
    this.#claimable = db.prepare(
      `SELECT * FROM messages
       WHERE session = @session AND available_at <= @now
         AND (state = 'queued' OR (state = 'claimed' AND lease_until <= @now))
       ORDER BY source_rank, seq LIMIT 1`,
    );
    this.#claim = db.prepare(
      "UPDATE messages SET state = 'claimed', lease_until = @lease_until, claims = claims + 1 WHERE seq = @seq",
    );
    this.#byId = db.prepare('SELECT * FROM messages WHERE session = ? AND id = ?');
    this.#setState = db.prepare(
      'UPDATE messages SET state = @state, lease_until = NULL, acked_at = @acked_at, available_at = @available_at WHERE seq = @seq',
    );
    this.#list = db.prepare(
      `SELECT * FROM messages WHERE session = @session AND (@state IS NULL OR state = @state)
       ORDER BY seq DESC LIMIT @limit`,
    );
    this.#since = db.prepare('SELECT * FROM messages WHERE session = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.#extend = db.prepare("UPDATE messages SET lease_until = @lease_until WHERE seq = @seq AND state = 'claimed'");
    this.#sessions = db.prepare(
      `SELECT s.name, s.created_at,
              count(CASE WHEN m.state = 'queued' THEN 1 END) AS queued,
              count(CASE WHEN m.state = 'claimed' THEN 1 END) AS claimed,
              count(CASE WHEN m.state = 'acked' THEN 1 END) AS acked,
              max(m.created_at) AS last_message_at
       FROM sessions s LEFT JOIN messages m ON m.session = s.name
       GROUP BY s.name ORDER BY s.name`,
    );
    this.#nextAvailable = db.prepare(
      `SELECT min(CASE WHEN state = 'queued' THEN available_at ELSE lease_until END) AS at FROM messages
       WHERE session = @session AND state != 'acked' AND (available_at > @now OR (state = 'claimed' AND lease_until > @now))`,
    );
  }

  ensureSession(name: string, createdAt: string): void {
    this.#ensureSession.run(name, createdAt);
  }

  insert(message: {
    id: string;
    session: string;
    source: MessageSource;
    source_label: string;
    content: string;
    created_at: string;
    available_at: number;
  }): InboxMessage {
    const info = this.#insert.run({ ...message, source_rank: MESSAGE_SOURCES.indexOf(message.source) });
    return fromRow(this.#bySeq.get(Number(info.lastInsertRowid))!);
  }

  /** Claims the next deliverable message; call inside a transaction. */
  claimNext(session: string, now: number, leaseMs: number): InboxMessage | undefined {
    const row = this.#claimable.get({ session, now });
    if (!row) return undefined;
    this.#claim.run({ seq: row.seq, lease_until: now + leaseMs });
    return fromRow({ ...row, state: 'claimed', claims: row.claims + 1 });
  }

  get(session: string, id: string): (InboxMessage & { leaseUntil: number | null }) | undefined {
    const row = this.#byId.get(session, id);
    return row ? { ...fromRow(row), leaseUntil: row.lease_until } : undefined;
  }

  setState(seq: number, state: MessageState, availableAt: number, ackedAt: string | null): void {
    this.#setState.run({ seq, state, available_at: availableAt, acked_at: ackedAt });
  }

  list(session: string, options: { state?: MessageState; limit: number }): InboxMessage[] {
    return (this.#list.all({ session, state: options.state ?? null, limit: options.limit }) as MessageRow[]).map(
      fromRow,
    );
  }

  /** Messages after `seq`, oldest first (an event stream catching up). */
  since(session: string, seq: number, limit: number): InboxMessage[] {
    return this.#since.all(session, seq, limit).map(fromRow);
  }

  extendLease(seq: number, leaseUntil: number): void {
    this.#extend.run({ seq, lease_until: leaseUntil });
  }

  sessions(): SessionSummary[] {
    return this.#sessions.all();
  }

  /** When the next message that is not deliverable now becomes deliverable (epoch ms). */
  nextAvailableAt(session: string, now: number): number | undefined {
    return this.#nextAvailable.get({ session, now })?.at ?? undefined;
  }
}
