import { setTimeout as sleep } from 'node:timers/promises';
import type { InboxMessage } from '../../core/inbox/inbox.ts';
import type { Logger } from '../../core/logger.ts';
import type { ApiClient } from '../api-client.ts';

// Which session inboxes change, as the hub announces it on its event stream (GET /app/events,
// the window's stream: onInboxChanged for every message stored or handled). Reconnects while the
// hub is away; a change missed meanwhile is reported as one change of every watched session.

/** Calls `onChange(session)` for every inbox change until `signal` aborts. */
export async function watchInboxes(
  client: ApiClient,
  onChange: (session: string | null) => void,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      const response = await fetch(`${client.baseUrl}/app/events`, {
        headers: client.token ? { authorization: `Bearer ${client.token}` } : {},
        signal,
      });
      if (response.status === 401) {
        // The hub may have made its token after we read it: one ordinary request reads it again.
        await client.call('GET /sessions', {}).catch(() => undefined);
        throw new Error('the hub refused the control token');
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      failures = 0;
      // Reconnected: whatever changed while we were away counts as a change.
      onChange(null);
      await readEvents(response.body, (event, data) => {
        if (event !== 'onInboxChanged') return;
        try {
          onChange((JSON.parse(data) as InboxMessage).session);
        } catch {
          // not a message: ignore
        }
      });
    } catch (error) {
      if (signal.aborted) return;
      failures += 1;
      if (failures === 1)
        logger.debug(`inbox changes: cannot follow the hub's event stream (${(error as Error).message}); retrying`);
    }
    await sleep(Math.min(5, failures) * 1000, undefined, { signal }).catch(() => undefined);
  }
}

/** Server-sent events: `event:` and `data:` lines, a blank line ends each event. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: string, data: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = '';
  let event = 'message';
  let data: string[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    for (let eol = buffered.indexOf('\n'); eol >= 0; eol = buffered.indexOf('\n')) {
      const line = buffered.slice(0, eol).replace(/\r$/, '');
      buffered = buffered.slice(eol + 1);
      if (line === '') {
        if (data.length > 0) onEvent(event, data.join('\n'));
        event = 'message';
        data = [];
      } else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
  }
}
