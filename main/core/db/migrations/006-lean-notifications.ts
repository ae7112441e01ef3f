import type { Migration } from './migration.ts';

// A failed command raises a notification, so the notifications table is on the ingest path too:
// without AUTOINCREMENT (a sqlite_sequence write per insert) for the same reason as migration 5.
// seq keeps growing: SQLite hands out max(seq) + 1, and only the oldest rows are ever removed.
export const migration006LeanNotifications: Migration = {
  version: 6,
  name: 'lean notifications',
  up(db) {
    db.exec(`
      CREATE TABLE notifications_new (
        seq                INTEGER PRIMARY KEY,
        id                 TEXT NOT NULL UNIQUE,
        created_at         TEXT NOT NULL,
        event_id           TEXT REFERENCES events (id) ON DELETE CASCADE,
        lifecycle_event_id TEXT REFERENCES lifecycle_events (id) ON DELETE CASCADE,
        rule               TEXT NOT NULL,
        decided_by         TEXT NOT NULL,
        title              TEXT NOT NULL,
        message            TEXT NOT NULL,
        priority           TEXT NOT NULL,
        deliveries         TEXT NOT NULL,
        CHECK ((event_id IS NULL) <> (lifecycle_event_id IS NULL))
      );
      INSERT INTO notifications_new (seq, id, created_at, event_id, lifecycle_event_id, rule, decided_by, title, message, priority, deliveries)
        SELECT seq, id, created_at, event_id, lifecycle_event_id, rule, decided_by, title, message, priority, deliveries FROM notifications;
      DROP TABLE notifications;
      ALTER TABLE notifications_new RENAME TO notifications;
      CREATE INDEX notifications_event ON notifications (event_id);
      CREATE INDEX notifications_lifecycle_event ON notifications (lifecycle_event_id);
      DELETE FROM sqlite_sequence WHERE name = 'notifications';
    `);
  },
};
