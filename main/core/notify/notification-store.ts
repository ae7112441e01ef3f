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
  readonly #insert: Statement;
  readonly #forEvent: Statement<{ id: string }, NotificationRow>;
  readonly #newest: Statement<[number], NotificationRow>;

  constructor(db: Database) {
    // Schema 4 added lifecycle_event_id; a read-only reader may still meet an older database.
    const lifecycle = (db.pragma('table_info(notifications)') as Array<{ name: string }>).some((c) => c.name === 'lifecycle_event_id');
    this.#insert = lifecycle
      ? db.prepare(
          `INSERT INTO notifications (id, created_at, event_id, lifecycle_event_id, rule, decided_by, title, message, priority, deliveries)
           VALUES (@id, @created_at, @event_id, @lifecycle_event_id, @rule, @decided_by, @title, @message, @priority, @deliveries)`,
        )
      : db.prepare(
          `INSERT INTO notifications (id, created_at, event_id, rule, decided_by, title, message, priority, deliveries)
           VALUES (@id, @created_at, @event_id, @rule, @decided_by, @title, @message, @priority, @deliveries)`,
        );
    this.#forEvent = lifecycle
      ? db.prepare('SELECT * FROM notifications WHERE event_id = @id OR lifecycle_event_id = @id ORDER BY seq')
      : db.prepare('SELECT * FROM notifications WHERE event_id = @id ORDER BY seq');
    this.#newest = db.prepare('SELECT * FROM notifications ORDER BY seq DESC LIMIT ?');
  }

  insert(record: NotificationRecord): void {
    const { source, ...rest } = record;
    this.#insert.run({
      ...rest,
      event_id: source === 'command' ? record.event_id : null,
      lifecycle_event_id: source === 'lifecycle' ? record.event_id : null,
      deliveries: JSON.stringify(record.deliveries),
    });
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
