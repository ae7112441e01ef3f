import type { RecordedEvent } from '../events/event-schema.ts';
import type { RecordCommitHooks } from '../hub-types.ts';
import type { InboxMessage } from '../inbox/inbox.ts';
import type { LifecycleEventRecord } from '../lifecycle/lifecycle-store.ts';
import type { NotificationRecord } from '../notify/notification-store.ts';
import type { HookRun } from '../webhooks/hook-run-store.ts';
import { hostToken } from './nats-config.ts';
import type { NatsLink } from './nats-link.ts';
import type { NatsRecord } from './nats-messages.ts';

// Which subject each of Hookbox's records goes to, and the record as published:
//   hookbox.events.<host>.<kind>         command events (and agents' tool calls)
//   hookbox.notifications.<host>          notifications raised
//   hookbox.lifecycle.<host>.<event>      lifecycle events (dots in the name become _)
//   hookbox.inbox.<session>               inbox messages (what a team receiver fans out)
//   hookbox.hook_runs.<host>.<hook>       webhook hook runs
// Records that came from NATS are not published again (no loops between hubs).

export function eventMessage(host: string, e: RecordedEvent): { subject: string; record: NatsRecord } {
  return {
    subject: `hookbox.events.${host}.${e.kind}`,
    record: {
      v: 1,
      id: e.id,
      host,
      at: e.received_at,
      kind: 'event',
      record: {
        kind: e.kind,
        command: e.command,
        exit_code: e.exit_code,
        duration_ms: e.duration_ms,
        output: e.output,
        metadata: e.metadata,
      },
    },
  };
}

export function inboxMessage(host: string, m: InboxMessage): { subject: string; record: NatsRecord } {
  return {
    subject: `hookbox.inbox.${hostToken(m.session)}`,
    record: {
      v: 1,
      id: m.id,
      host,
      at: m.created_at,
      kind: 'inbox',
      record: { session: m.session, source: m.source, label: m.source_label || null, content: m.content },
    },
  };
}

function notificationMessage(host: string, n: NotificationRecord): { subject: string; record: NatsRecord } {
  return {
    subject: `hookbox.notifications.${host}`,
    record: {
      v: 1,
      id: n.id,
      host,
      at: n.created_at,
      kind: 'notification',
      record: { rule: n.rule, title: n.title, message: n.message, priority: n.priority, event_id: n.event_id },
    },
  };
}

function lifecycleMessage(host: string, e: LifecycleEventRecord): { subject: string; record: NatsRecord } {
  return {
    subject: `hookbox.lifecycle.${host}.${hostToken(e.event)}`,
    record: {
      v: 1,
      id: e.id,
      host,
      at: e.received_at,
      kind: 'lifecycle',
      record: { event: e.event, source: e.source, allowed: e.allowed, reason: e.reason, data: e.data },
    },
  };
}

function hookRunMessage(host: string, run: Omit<HookRun, 'body'>): { subject: string; record: NatsRecord } {
  // Not the headers or the query: they carry signatures and tokens.
  const { id, received_at, hook, session, method, path, outcome, status, body_size } = run;
  return {
    subject: `hookbox.hook_runs.${host}.${hostToken(hook)}`,
    record: {
      v: 1,
      id,
      host,
      at: received_at,
      kind: 'hook_run',
      record: { hook, session, method, path, outcome, status, body_size },
    },
  };
}

/**
 * Queues every record of the kinds [nats] publish names, in the transaction that stores it: a
 * record is committed with its outbox row or not at all (a failed row fails the record's write).
 */
export function publishHubRecords(link: NatsLink, hooks: RecordCommitHooks): void {
  const host = link.host;
  const queue = (m: { subject: string; record: NatsRecord }) => link.queueInTransaction(m.subject, m.record);
  if (link.publishes('events'))
    hooks.on('event', (e) => {
      if (e.metadata.nats === undefined) queue(eventMessage(host, e));
    });
  if (link.publishes('inbox'))
    hooks.on('inbox', (m) => {
      if (!m.source_label.startsWith('nats:')) queue(inboxMessage(host, m));
    });
  if (link.publishes('notifications')) hooks.on('notification', (n) => queue(notificationMessage(host, n)));
  if (link.publishes('lifecycle')) hooks.on('lifecycle', (e) => queue(lifecycleMessage(host, e)));
  if (link.publishes('hook_runs')) hooks.on('hook_run', (run) => queue(hookRunMessage(host, run)));
}
