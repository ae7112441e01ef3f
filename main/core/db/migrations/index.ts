import { migration001Events } from './001-events.ts';
import { migration002Notifications } from './002-notifications.ts';
import { migration003InboxAndHookRuns } from './003-inbox-and-hook-runs.ts';
import { migration004Lifecycle } from './004-lifecycle.ts';
import { migration005LeanEvents } from './005-lean-events.ts';
import { migration006LeanNotifications } from './006-lean-notifications.ts';
import { migration007WebhookDeliveries } from './007-webhook-deliveries.ts';
import { migration008EventSearch } from './008-event-search.ts';
import { migration009OutboxChannels } from './009-outbox-channels.ts';
import { migration010LeanHookRuns } from './010-lean-hook-runs.ts';
import type { Migration } from './migration.ts';

/** Every migration in order. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [
  migration001Events,
  migration002Notifications,
  migration003InboxAndHookRuns,
  migration004Lifecycle,
  migration005LeanEvents,
  migration006LeanNotifications,
  migration007WebhookDeliveries,
  migration008EventSearch,
  migration009OutboxChannels,
  migration010LeanHookRuns,
];
