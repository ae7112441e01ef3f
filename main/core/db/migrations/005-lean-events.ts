import type { Migration } from './migration.ts';

// The events table is the ingest hot path. Migration 1 gave it AUTOINCREMENT (a write to
// sqlite_sequence with every insert) and an index on (kind, seq) (a second B-tree per insert);
// together about a third of an insert's cost and extra WAL pages per commit. seq stays the
// rowid: SQLite hands out max(seq) + 1, and retention only removes the oldest rows, so seq keeps
// growing as before. Filtering the history by kind now scans it (100,000 rows: milliseconds).
//
// SQLite cannot drop AUTOINCREMENT in place: the table is rebuilt (its documented 12-step way;
// openDatabase turns foreign keys off around migrations, so dropping the old table does not
// cascade into notifications, and checks the references afterwards).
export const migration005LeanEvents: Migration = {
  version: 5,
  name: 'lean events',
  up(db) {
    db.exec(`
      CREATE TABLE events_new (
        seq         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        received_at TEXT NOT NULL,
        kind        TEXT NOT NULL,
        command     TEXT NOT NULL,
        exit_code   INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        output      TEXT NOT NULL,
        metadata    TEXT NOT NULL
      );
      INSERT INTO events_new (seq, id, received_at, kind, command, exit_code, duration_ms, output, metadata)
        SELECT seq, id, received_at, kind, command, exit_code, duration_ms, output, metadata FROM events;
      DROP TABLE events;
      ALTER TABLE events_new RENAME TO events;
      DELETE FROM sqlite_sequence WHERE name = 'events';
    `);
  },
};
