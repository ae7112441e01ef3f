// Types only: what the hub emits and where it listens. Consumers of the hub (the app API, the
// shells) import these without importing the hub itself, so no import circle runs through it.
import type { CommitHooks } from './db/commit-hooks.ts';
import type { RecordedEvent } from './events/event-schema.ts';
import type { InboxMessage } from './inbox/inbox-store.ts';
import type { LifecycleEventRecord } from './lifecycle/lifecycle-store.ts';
import type { DeliverySummary } from './lifecycle/outbox-store.ts';
import type { NotificationRecord } from './notify/notification-pipeline.ts';
import type { ApplyReport } from './webhooks/hook-manager.ts';
import type { HookRun } from './webhooks/hook-run-store.ts';

export interface HubEvents {
  /** An event was committed to the store. */
  'event-recorded': [event: RecordedEvent];
  /** A notification was raised (and its deliveries recorded). */
  notification: [notification: NotificationRecord];
  /** A message was committed to a session inbox. */
  message: [message: InboxMessage];
  /** A webhook hook finished handling a request (whatever the outcome). */
  'hook-run': [run: Omit<HookRun, 'body'>];
  /** A valid config edit was applied. */
  'config-reloaded': [report: ApplyReport];
  /** An edit was invalid; the running config stays. */
  'config-error': [message: string];
  /** A lifecycle event (Bernstein, Loom, Claude Code) was decided and stored. */
  'lifecycle-event': [event: LifecycleEventRecord];
  /** A lifecycle webhook delivery changed: an attempt was recorded, or a dead one was revived. */
  'lifecycle-delivery': [delivery: DeliverySummary];
}

/** The records other writes may commit with (db/commit-hooks.ts), by kind. */
export interface StoredRecords {
  event: RecordedEvent;
  notification: NotificationRecord;
  lifecycle: LifecycleEventRecord;
  inbox: InboxMessage;
  // Without its body: published records never carry it (it may hold what a signature protects).
  hook_run: Omit<HookRun, 'body'>;
}

/** The hub's one set of writes that commit with its records (the NATS outbox rows). */
export type RecordCommitHooks = CommitHooks<StoredRecords>;

export interface HubAddress {
  host: string;
  port: number;
  /** Base URL of the local API, e.g. http://127.0.0.1:17002 */
  url: string;
}
