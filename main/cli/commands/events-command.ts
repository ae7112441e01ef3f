import { existsSync } from 'node:fs';
import { databaseFile } from '../../core/config/paths.ts';
import { openDatabase } from '../../core/db/database.ts';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import type { RecordedEvent } from '../../core/events/event-schema.ts';
import { EventStore, INDEXED_SEARCH_MIN_CHARS } from '../../core/events/event-store.ts';
import { formatDuration } from '../../shared/format-duration.ts';
import { NotificationStore } from '../../core/notify/notification-store.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';

// `hookbox events` reads the database directly (read-only), so it works whether or not
// `hookbox serve` is running: WAL lets a reader see every committed event beside the writer.

function withStore<T>(
  flags: GlobalFlags,
  empty: T,
  use: (store: EventStore, notifications: NotificationStore | undefined) => T,
): T {
  const ctx = loadCliContext(flags);
  const file = databaseFile(ctx.dataDir);
  if (!existsSync(file)) return empty;
  const db = openDatabase(file, { readonly: true });
  try {
    return use(new EventStore(db), new NotificationStore(db));
  } finally {
    db.close();
  }
}

function row(event: RecordedEvent): string {
  const time = event.received_at.replace('T', ' ').slice(0, 19);
  const exit = String(event.exit_code).padStart(4);
  const duration = formatDuration(event.duration_ms).padStart(8);
  const command = event.command.split('\n')[0] ?? '';
  return `${event.id}  ${time}  ${event.kind.padEnd(6)} ${exit} ${duration}  ${command}`;
}

/**
 * Newest first, the events whose command or output contains `text` (ASCII case-insensitive):
 * through the hub's trigram index, plus a scan of what it has not indexed yet. A page the store
 * ends early (a bounded walk) is continued until `limit` events are found or the history ends.
 */
function search(
  store: EventStore,
  text: string,
  limit: number,
): { events: RecordedEvent[]; method: 'index' | 'scan'; unindexed: number } {
  const events: RecordedEvent[] = [];
  let page = store.query({ text, limit });
  events.push(...page.events);
  const first = page.search ?? { method: 'scan' as const, unindexed: 0 };
  while (events.length < limit && page.nextSeq !== null) {
    page = store.query({ text, limit: limit - events.length, beforeSeq: page.nextSeq });
    events.push(...page.events);
  }
  return { events, ...first };
}

export function eventsListCommand(
  flags: GlobalFlags & { limit: number; json?: boolean; search?: string },
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): void {
  const text = flags.search;
  if (text !== undefined && text.trim() === '')
    throw new HookboxError(ErrorCode.InvalidInput, '--search needs a text to look for');
  const found = withStore(flags, { events: [] as RecordedEvent[], method: 'index' as const, unindexed: 0 }, (store) =>
    text === undefined
      ? { events: store.newest(flags.limit), method: 'index' as const, unindexed: 0 }
      : search(store, text, flags.limit),
  );
  const { events } = found;
  if (text !== undefined && found.method === 'scan') {
    const why =
      [...text].length < INDEXED_SEARCH_MIN_CHARS
        ? `shorter than ${INDEXED_SEARCH_MIN_CHARS} characters`
        : 'this database has no search index yet: start the hub once to build it';
    err.write(`searched without the index (${why}): events were read one by one\n`);
  }
  if (text !== undefined && found.unindexed > 0)
    err.write(
      `the search index is catching up: ${found.unindexed.toLocaleString('en-US')} recent events were searched one by one\n`,
    );
  if (flags.json) {
    out.write(`${JSON.stringify(events, null, 2)}\n`);
    return;
  }
  if (events.length === 0) {
    out.write(text === undefined ? 'no events recorded yet\n' : `no event contains '${text}'\n`);
    return;
  }
  out.write(`${'ID'.padEnd(36)}  TIME (UTC)           KIND   EXIT DURATION  COMMAND\n`);
  for (const event of events) out.write(`${row(event)}\n`);
}

export function eventsShowCommand(
  id: string,
  flags: GlobalFlags & { json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  if (id.length < 4)
    throw new HookboxError(ErrorCode.NotFound, `event id '${id}' is too short; give at least 4 characters`);
  const found = withStore(flags, undefined, (store, notifications) => {
    const exact = store.get(id);
    const matches = exact ? [exact] : store.matchPrefix(id);
    if (matches.length > 1)
      throw new HookboxError(ErrorCode.NotFound, `event id '${id}' is ambiguous; give more characters`);
    const event = matches[0];
    return event ? { event, notifications: notifications?.forEvent(event.id) ?? [] } : undefined;
  });
  if (!found) throw new HookboxError(ErrorCode.NotFound, `no event with id '${id}'`);
  const { event, notifications } = found;
  if (flags.json) {
    out.write(`${JSON.stringify({ ...event, notifications }, null, 2)}\n`);
    return;
  }
  const lines = [
    `id:          ${event.id}`,
    `received at: ${event.received_at}`,
    `kind:        ${event.kind}`,
    `command:     ${event.command}`,
    `exit code:   ${event.exit_code}`,
    `duration:    ${formatDuration(event.duration_ms)} (${event.duration_ms} ms)`,
    `metadata:    ${JSON.stringify(event.metadata)}`,
    ...notifications.map(
      (n) =>
        `notified:    ${n.message} (${n.rule}, via ${n.deliveries.map((d) => `${d.channel}${d.ok ? '' : ' failed'}`).join(', ')})`,
    ),
    'output:',
    event.output || '(none)',
  ];
  out.write(`${lines.join('\n')}\n`);
}
