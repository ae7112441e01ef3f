import type { Migration } from './migration.ts';

// `seq` orders events (newest first) and drives retention; `id` is the public UUID.
export const migration001Events: Migration = {
  version: 1,
  name: 'events',
  up(db) {
    db.exec(`
      CREATE TABLE events (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL UNIQUE,
        received_at TEXT NOT NULL,
        kind        TEXT NOT NULL,
        command     TEXT NOT NULL,
        exit_code   INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        output      TEXT NOT NULL,
        metadata    TEXT NOT NULL
      );
      CREATE INDEX events_kind_seq ON events (kind, seq);
    `);
  },
};
