// The one consume loop (core/inbox/inbox-consumer.ts) over the hub's own inbox, as `hookbox run`
// with a hub of its own reads it: in order, acknowledged once delivered, and fenced when the lease
// ran out during a delivery (the message then belongs to whoever claimed it since).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { consumeInbox, localSessionInbox } from '../../../main/core/inbox/inbox-consumer.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { FakeClock } from '../lifecycle/lifecycle-fixture.ts';

function collectingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line).msg) });
  return { logger, lines };
}

describe('consumeInbox over the hub of this process', () => {
  test('delivers in order and acknowledges each message; without follow it stops when the inbox is empty', async () => {
    const { hub } = await startHub();
    for (const content of ['one', 'two', 'three'])
      await hub.inbox.inject({ session: 'X', source: 'inject', label: 'test', content });
    const delivered: string[] = [];
    const { logger } = collectingLogger();
    await consumeInbox(localSessionInbox(hub.inbox, 'X'), {
      follow: false,
      leaseS: 60,
      signal: new AbortController().signal,
      logger,
      deliver: async (message) => void delivered.push(message.content),
    });
    assert.deepEqual(delivered, ['one', 'two', 'three']);
    assert.deepEqual(
      hub.inbox.list('X', { limit: 10 }).map((m) => m.state),
      ['acked', 'acked', 'acked'],
    );
  });

  test('a delivery that outlived its lease is not acknowledged over the consumer that claimed it since', async () => {
    const clock = new FakeClock();
    const { hub } = await startHub({ clock });
    const injected = await hub.inbox.inject({ session: 'X', source: 'inject', label: 'test', content: 'slow' });
    const { logger, lines } = collectingLogger();
    let reclaimed: number | undefined;
    await consumeInbox(localSessionInbox(hub.inbox, 'X'), {
      follow: false,
      leaseS: 60,
      signal: new AbortController().signal,
      logger,
      deliver: async () => {
        // The delivery takes longer than the lease; another consumer claims the message meanwhile.
        clock.advance(61_000);
        reclaimed = (await hub.inbox.claimNext('X', 60_000))?.claims;
      },
    });
    assert.equal(reclaimed, 2, 'the second consumer got it');
    const [message] = hub.inbox.list('X', { limit: 10 });
    assert.equal(message!.id, injected.id);
    assert.equal(message!.state, 'claimed', "still the second consumer's, not acknowledged by the first");
    assert.ok(
      lines.some((line) => line.startsWith(`message ${injected.id} was delivered after its lease ran out`)),
      lines.join('\n'),
    );
  });
});
