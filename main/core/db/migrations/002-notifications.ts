import type { Migration } from './migration.ts';

// One row per notification raised: which event, which rule (or the analysis server) decided,
// the words shown, and where it was delivered (JSON list of {channel, ok, error?}).
export const migration002Notifications: Migration = {
  version: 2,
  name: 'notifications',
  up(db) {
    db.exec(`
      CREATE TABLE notifications (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL UNIQUE,
        created_at  TEXT NOT NULL,
        event_id    TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        rule        TEXT NOT NULL,
        decided_by  TEXT NOT NULL,
        title       TEXT NOT NULL,
        message     TEXT NOT NULL,
        priority    TEXT NOT NULL,
        deliveries  TEXT NOT NULL
      );
      CREATE INDEX notifications_event ON notifications (event_id);
    `);
  },
};
