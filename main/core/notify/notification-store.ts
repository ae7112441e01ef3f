import type { Database, Statement } from 'better-sqlite3';
import type { Priority } from './notifier.ts';

export interface Delivery {
  channel: string;
  ok: boolean;
  error?: string;
}

/** What a notification is about: a command event (agentd) or a lifecycle event (Bernstein, Loom, Claude Code). */
export type NotificationSource = 'command' | 'lifecycle';

export interface NotificationRecord {
  id: string;
  created_at: string;
  /** The id of the event it is about (in `events` or `lifecycle_events`, as `source` says). */
  event_id: string;
  source: NotificationSource;
  /** 'failure' | 'long_running' from the rules, or 'analysis' when the analysis server decided. */
  rule: string;
  decided_by: 'rules' | 'analysis';
  title: string;
  message: string;
  priority: Priority;
  deliveries: Delivery[];
}

interface NotificationRow extends Omit<NotificationRecord, 'deliveries' | 'event_id' | 'source'> {
  event_id: string | null;
  lifecycle_event_id?: string | null;
  deliveries: string;
}

/** The notifications table. */
export class NotificationStore {
  readonly #insert: Statement<unknown[]>;
  /** Schema 4 or later (a read-only reader may meet an older database). */
  readonly #lifecycle: boolean;
  readonly #forEvent: Statement<{ id: string }, NotificationRow>;
  readonly #newest: Statement<[number], NotificationRow>;

  constructor(db: Database) {
    // Schema 4 added lifecycle_event_id; a read-only reader may still meet an older database.
    const lifecycle = (db.pragma('table_info(notifications)') as Array<{ name: string }>).some(
      (c) => c.name === 'lifecycle_event_id',
    );
    this.#lifecycle = lifecycle;
    this.#insert = lifecycle
      ? db.prepare(
          `INSERT INTO notifications (id, created_at, event_id, lifecycle_event_id, rule, decided_by, title, message, priority, deliveries)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
      : db.prepare(
          `INSERT INTO notifications (id, created_at, event_id, rule, decided_by, title, message, priority, deliveries)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
    this.#forEvent = lifecycle
      ? db.prepare('SELECT * FROM notifications WHERE event_id = @id OR lifecycle_event_id = @id ORDER BY seq')
      : db.prepare('SELECT * FROM notifications WHERE event_id = @id ORDER BY seq');
    this.#newest = db.prepare('SELECT * FROM notifications ORDER BY seq DESC LIMIT ?');
  }

  // Positional: binding from an object costs measurably on the ingest path (a failed command).
  insert(record: NotificationRecord): void {
    const r = record;
    const eventIds = this.#lifecycle
      ? [r.source === 'command' ? r.event_id : null, r.source === 'lifecycle' ? r.event_id : null]
      : [r.event_id];
    this.#insert.run(
      r.id,
      r.created_at,
      ...eventIds,
      r.rule,
      r.decided_by,
      r.title,
      r.message,
      r.priority,
      JSON.stringify(r.deliveries),
    );
  }

  forEvent(eventId: string): NotificationRecord[] {
    return this.#forEvent.all({ id: eventId }).map(fromRow);
  }

  newest(limit: number): NotificationRecord[] {
    return this.#newest.all(limit).map(fromRow);
  }
}

function fromRow(row: NotificationRow): NotificationRecord {
  const { lifecycle_event_id: lifecycleEventId, event_id: eventId, ...rest } = row;
  return {
    ...rest,
    event_id: eventId ?? lifecycleEventId ?? '',
    source: lifecycleEventId ? 'lifecycle' : 'command',
    deliveries: JSON.parse(row.deliveries) as Delivery[],
  };
}
