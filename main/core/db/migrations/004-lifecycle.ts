import type { Migration } from './migration.ts';

// Lifecycle hooks (Bernstein / Loom events): every event with the chain's decision, every handler
// run, the webhook outbox with its attempt log, follow-ups and per-task failure counts. The
// notifications table is rebuilt so a notification can be about a lifecycle event as well as a
// command event: exactly one of event_id / lifecycle_event_id is set, each cascading on delete.
export const migration004Lifecycle: Migration = {
  version: 4,
  name: 'lifecycle hooks',
  up(db) {
    db.exec(`
      CREATE TABLE lifecycle_events (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        id           TEXT NOT NULL UNIQUE,
        received_at  TEXT NOT NULL,
        event        TEXT NOT NULL,
        source       TEXT NOT NULL,
        data         TEXT NOT NULL,
        allowed      INTEGER NOT NULL,
        reason       TEXT,
        hook         TEXT,
        duration_ms  INTEGER NOT NULL,
        result       TEXT NOT NULL
      );
      CREATE INDEX lifecycle_events_event ON lifecycle_events (event, seq);

      CREATE TABLE lifecycle_runs (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        id           TEXT NOT NULL UNIQUE,
        event_id     TEXT NOT NULL REFERENCES lifecycle_events (id) ON DELETE CASCADE,
        hook         TEXT NOT NULL,
        kind         TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        duration_ms  INTEGER NOT NULL,
        outcome      TEXT NOT NULL,
        decision     TEXT,
        policy       TEXT,
        exit_code    INTEGER,
        stdout       TEXT NOT NULL,
        stderr       TEXT NOT NULL,
        error        TEXT,
        result       TEXT
      );
      CREATE INDEX lifecycle_runs_event ON lifecycle_runs (event_id);

      CREATE TABLE lifecycle_deliveries (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        id              TEXT NOT NULL UNIQUE,
        event_id        TEXT NOT NULL REFERENCES lifecycle_events (id) ON DELETE CASCADE,
        event           TEXT NOT NULL,
        hook            TEXT NOT NULL,
        url             TEXT NOT NULL,
        body            TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        max_attempts    INTEGER NOT NULL,
        timeout_ms      INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        last_status     INTEGER,
        last_error      TEXT,
        delivered_at    TEXT
      );
      CREATE INDEX lifecycle_deliveries_due ON lifecycle_deliveries (state, next_attempt_at);
      CREATE INDEX lifecycle_deliveries_event ON lifecycle_deliveries (event_id);

      CREATE TABLE lifecycle_delivery_attempts (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery_id  TEXT NOT NULL REFERENCES lifecycle_deliveries (id) ON DELETE CASCADE,
        attempt      INTEGER NOT NULL,
        started_at   TEXT NOT NULL,
        duration_ms  INTEGER NOT NULL,
        status       INTEGER,
        error        TEXT,
        outcome      TEXT NOT NULL
      );
      CREATE INDEX lifecycle_delivery_attempts_delivery ON lifecycle_delivery_attempts (delivery_id, attempt);

      CREATE TABLE lifecycle_followups (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        id           TEXT NOT NULL UNIQUE,
        event_id     TEXT NOT NULL REFERENCES lifecycle_events (id) ON DELETE CASCADE,
        task_id      TEXT,
        agent_id     TEXT,
        kind         TEXT NOT NULL,
        text         TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        message_id   TEXT
      );

      CREATE TABLE lifecycle_failures (
        task_id        TEXT PRIMARY KEY,
        count          INTEGER NOT NULL,
        last_error     TEXT NOT NULL,
        last_agent_id  TEXT,
        first_at       TEXT NOT NULL,
        last_at        TEXT NOT NULL
      );

      CREATE TABLE notifications_v4 (
        seq                INTEGER PRIMARY KEY AUTOINCREMENT,
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
      INSERT INTO notifications_v4 (seq, id, created_at, event_id, rule, decided_by, title, message, priority, deliveries)
        SELECT seq, id, created_at, event_id, rule, decided_by, title, message, priority, deliveries FROM notifications;
      DROP TABLE notifications;
      ALTER TABLE notifications_v4 RENAME TO notifications;
      CREATE INDEX notifications_event ON notifications (event_id);
      CREATE INDEX notifications_lifecycle_event ON notifications (lifecycle_event_id);
    `);
  },
};
