import type { Migration } from './migration.ts';

// hook_runs takes a row per webhook request, filtered ones included (a sender posting every
// event of a repository). Migration 3 gave it AUTOINCREMENT (a write to sqlite_sequence with
// every insert) and an index on (hook, seq) that no query uses (the run list's "this hook or all"
// condition scans by seq); both were extra B-tree work per insert and per retention delete, and
// extra WAL pages per commit (measured in-process, commits of 14 runs with retention: 4.2 KB of WAL per run before, 3.2 KB
// after).
// seq stays the rowid: SQLite hands out max(seq) + 1, and retention only removes the oldest
// rows, so seq keeps growing as before. Rebuilt as migration 5 rebuilt events.
export const migration010LeanHookRuns: Migration = {
  version: 10,
  name: 'lean hook runs',
  up(db) {
    db.exec(`
      CREATE TABLE hook_runs_new (
        seq              INTEGER PRIMARY KEY,
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
      INSERT INTO hook_runs_new (seq, id, hook, session, received_at, source_address, method, path, query, headers, body,
          body_size, body_truncated, outcome, status, exit_code, stdout, stderr, duration_ms, message_id, replay_of)
        SELECT seq, id, hook, session, received_at, source_address, method, path, query, headers, body,
          body_size, body_truncated, outcome, status, exit_code, stdout, stderr, duration_ms, message_id, replay_of
        FROM hook_runs;
      DROP TABLE hook_runs;
      ALTER TABLE hook_runs_new RENAME TO hook_runs;
      DELETE FROM sqlite_sequence WHERE name = 'hook_runs';
    `);
  },
};
