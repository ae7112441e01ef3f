import type { Database, Statement } from 'better-sqlite3';
import type { Priority } from './notifier.ts';

export interface Delivery {
  channel: string;
  ok: boolean;
  error?: string;
}

export interface NotificationRecord {
  id: string;
  created_at: string;
  event_id: string;
  /** 'failure' | 'long_running' from the rules, or 'analysis' when the analysis server decided. */
  rule: string;
  decided_by: 'rules' | 'analysis';
  title: string;
  message: string;
  priority: Priority;
  deliveries: Delivery[];
}

interface NotificationRow extends Omit<NotificationRecord, 'deliveries'> {
  deliveries: string;
}

/** The notifications table. */
export class NotificationStore {
  readonly #insert: Statement;
  readonly #forEvent: Statement<[string], NotificationRow>;
  readonly #newest: Statement<[number], NotificationRow>;

  constructor(db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO notifications (id, created_at, event_id, rule, decided_by, title, message, priority, deliveries)
       VALUES (@id, @created_at, @event_id, @rule, @decided_by, @title, @message, @priority, @deliveries)`,
    );
    this.#forEvent = db.prepare('SELECT * FROM notifications WHERE event_id = ? ORDER BY seq');
    this.#newest = db.prepare('SELECT * FROM notifications ORDER BY seq DESC LIMIT ?');
  }

  insert(record: NotificationRecord): void {
    this.#insert.run({ ...record, deliveries: JSON.stringify(record.deliveries) });
  }

  forEvent(eventId: string): NotificationRecord[] {
    return this.#forEvent.all(eventId).map(fromRow);
  }

  newest(limit: number): NotificationRecord[] {
    return this.#newest.all(limit).map(fromRow);
  }
}

function fromRow(row: NotificationRow): NotificationRecord {
  return { ...row, deliveries: JSON.parse(row.deliveries) as Delivery[] };
}
