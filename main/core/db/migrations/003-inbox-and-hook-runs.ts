import type { Migration } from './migration.ts';

// Session inboxes (durable, ordered by source then FIFO), recurring schedules, and a record of
// every request a webhook hook received. Times that drive logic are epoch milliseconds.
export const migration003InboxAndHookRuns: Migration = {
  version: 3,
  name: 'inbox and hook runs',
  up(db) {
    db.exec(`
      CREATE TABLE sessions (
        name       TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
      );

      CREATE TABLE messages (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        id           TEXT NOT NULL UNIQUE,
        session      TEXT NOT NULL REFERENCES sessions (name),
        source       TEXT NOT NULL,
        source_rank  INTEGER NOT NULL,
        source_label TEXT NOT NULL,
        content      TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        available_at INTEGER NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('queued', 'claimed', 'acked')),
        lease_until  INTEGER,
        claims       INTEGER NOT NULL DEFAULT 0,
        acked_at     TEXT
      );
      CREATE INDEX messages_next ON messages (session, state, source_rank, seq);

      CREATE TABLE schedules (
        id         TEXT PRIMARY KEY,
        session    TEXT NOT NULL REFERENCES sessions (name),
        cron       TEXT NOT NULL,
        content    TEXT NOT NULL,
        next_at    INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE hook_runs (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT NOT NULL UNIQUE,
        hook             TEXT NOT NULL,
        session          TEXT NOT NULL,
        received_at      TEXT NOT NULL,
        source_address   TEXT NOT NULL,
        method           TEXT NOT NULL,
        path             TEXT NOT NULL,
        query            TEXT NOT NULL,
        headers          TEXT NOT NULL,
        body             BLOB NOT NULL,
        body_size        INTEGER NOT NULL,
        body_truncated   INTEGER NOT NULL,
        outcome          TEXT NOT NULL,
        status           INTEGER NOT NULL,
        exit_code        INTEGER,
        stdout           TEXT NOT NULL,
        stderr           TEXT NOT NULL,
        duration_ms      INTEGER NOT NULL,
        message_id       TEXT,
        replay_of        TEXT
      );
      CREATE INDEX hook_runs_hook ON hook_runs (hook, seq);
    `);
  },
};
