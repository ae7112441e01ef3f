import type { RecordedEvent } from '../../../main/core/events/event-schema.ts';

// Events are sent from background processes: tests poll for them with a deadline.

/** All events the hub has, oldest first. */
export async function listEvents(url: string): Promise<RecordedEvent[]> {
  const response = await fetch(`${url}/events?limit=500`);
  if (!response.ok) throw new Error(`GET /events: ${response.status}`);
  return ((await response.json()) as RecordedEvent[]).reverse();
}

/** Resolves with the event list once it satisfies `done`; fails with the list it last saw. */
export async function waitForEvents(
  url: string,
  done: (events: RecordedEvent[]) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<RecordedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  let events: RecordedEvent[] = [];
  while (Date.now() < deadline) {
    events = await listEvents(url);
    if (done(events)) return events;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; events so far:\n${events.map((e) => JSON.stringify([e.command, e.exit_code])).join('\n')}`,
  );
}

/** Waits for the event count to reach `count`. */
export function waitForCount(url: string, count: number, what: string, timeoutMs?: number): Promise<RecordedEvent[]> {
  return waitForEvents(url, (events) => events.length >= count, what, timeoutMs);
}
