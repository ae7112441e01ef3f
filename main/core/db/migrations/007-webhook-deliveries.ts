import type { Migration } from './migration.ts';

// Delivery ids a webhook hook accepted (GitHub's X-GitHub-Delivery, Standard Webhooks' webhook-id,
// Stripe's event id), kept until the hook's tolerance window has passed so a replay is refused
// even after a restart. expires_at is epoch milliseconds.
export const migration007WebhookDeliveries: Migration = {
  version: 7,
  name: 'webhook deliveries',
  up(db) {
    db.exec(`
      CREATE TABLE webhook_deliveries (
        hook        TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        expires_at  INTEGER NOT NULL,
        PRIMARY KEY (hook, delivery_id)
      ) WITHOUT ROWID;
      CREATE INDEX webhook_deliveries_expiry ON webhook_deliveries (expires_at);
    `);
  },
};
