import type { Migration } from './migration.ts';

// The lifecycle webhook outbox becomes the one outbox for every outside delivery: `channel` says
// what carries a row ('webhook': a lifecycle webhook, 'ntfy': a phone notification, 'nats': a
// record published to NATS). event_id is the record a row carries (a lifecycle event, a
// notification, an event or message), so its foreign key goes; triggers keep the old cascade for
// webhooks and drop an ntfy row with its notification. nats_received remembers the NATS message
// ids a subscription committed, so a redelivery is acknowledged without a second copy.
export const migration009OutboxChannels: Migration = {
  version: 9,
  name: 'outbox channels',
  up(db) {
    db.exec(`
      CREATE TABLE lifecycle_deliveries_new (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        id              TEXT NOT NULL UNIQUE,
        channel         TEXT NOT NULL DEFAULT 'webhook' CHECK (channel IN ('webhook', 'ntfy', 'nats')),
        event_id        TEXT NOT NULL,
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
      INSERT INTO lifecycle_deliveries_new (seq, id, channel, event_id, event, hook, url, body, state, attempts,
          max_attempts, timeout_ms, next_attempt_at, created_at, updated_at, last_status, last_error, delivered_at)
        SELECT seq, id, 'webhook', event_id, event, hook, url, body, state, attempts, max_attempts, timeout_ms,
          next_attempt_at, created_at, updated_at, last_status, last_error, delivered_at FROM lifecycle_deliveries;
      DROP TABLE lifecycle_deliveries;
      ALTER TABLE lifecycle_deliveries_new RENAME TO lifecycle_deliveries;
      CREATE INDEX lifecycle_deliveries_due ON lifecycle_deliveries (state, next_attempt_at);
      CREATE INDEX lifecycle_deliveries_event ON lifecycle_deliveries (event_id);
      CREATE INDEX lifecycle_deliveries_channel ON lifecycle_deliveries (channel, state, seq);

      CREATE TRIGGER lifecycle_events_drop_deliveries AFTER DELETE ON lifecycle_events BEGIN
        DELETE FROM lifecycle_deliveries WHERE event_id = OLD.id AND channel = 'webhook';
      END;
      CREATE TRIGGER notifications_drop_deliveries AFTER DELETE ON notifications BEGIN
        DELETE FROM lifecycle_deliveries WHERE event_id = OLD.id AND channel = 'ntfy';
      END;

      CREATE TABLE nats_received (
        consumer    TEXT NOT NULL,
        msg_id      TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (consumer, msg_id)
      ) WITHOUT ROWID;
      CREATE INDEX nats_received_age ON nats_received (received_at);
    `);
  },
};
