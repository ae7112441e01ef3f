import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiHandlers, createSubscriptionSources } from '../../main/electron/api-handlers.ts';
import type { HookboxApi, RecordedEvent } from '../../main/shared/api-contract.ts';
import { createEventsStore, mergeEvents, type EventsState, type EventsStore } from '../../renderer/src/store/events-store.ts';
import { postEvent, startHub } from '../helpers/hub-fixture.ts';
import { loopbackApi } from './ipc-loopback.ts';

function until(store: EventsStore, predicate: (state: EventsState) => boolean, timeoutMs = 5_000): Promise<EventsState> {
  return new Promise((resolve, reject) => {
    if (predicate(store.getState())) return resolve(store.getState());
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`store never reached the expected state: ${JSON.stringify(store.getState())}`));
    }, timeoutMs);
    const unsubscribe = store.subscribe((state) => {
      if (predicate(state)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(state);
      }
    });
  });
}

test('the window store loads recent events from the hub, then appends live ones newest first', async () => {
  const running = await startHub();
  await postEvent(running.url, { kind: 'shell', command: 'npm test', exit_code: 0, duration_ms: 4200 });
  const { api, close } = loopbackApi(createApiHandlers(running.hub, running.address), createSubscriptionSources(running.hub));
  const store = createEventsStore(api);
  const disconnect = store.getState().connect();
  try {
    const loaded = await until(store, (s) => s.status === 'ready');
    assert.deepEqual(loaded.events.map((e) => e.command), ['npm test']);
    assert.equal(loaded.health?.event_count, 1);
    assert.equal(loaded.health?.api_url, running.url);

    await postEvent(running.url, { kind: 'shell', command: 'cargo build', exit_code: 1, duration_ms: 45_000 });
    const live = await until(store, (s) => s.events.length === 2);
    assert.deepEqual(live.events.map((e) => [e.command, e.exit_code]), [['cargo build', 1], ['npm test', 0]]);
    assert.equal(live.health?.event_count, 2);
  } finally {
    disconnect();
    close();
  }
});

test('a failed load shows the error instead of an empty list', async () => {
  const failing: HookboxApi = {
    getHealth: () => Promise.reject(new Error('the hub is not started')),
    listEvents: () => Promise.reject(new Error('the hub is not started')),
    getEvent: () => Promise.resolve(null),
    onEventRecorded: () => () => {},
  };
  const store = createEventsStore(failing);
  store.getState().connect();
  const state = await until(store, (s) => s.status !== 'loading' && s.status !== 'idle');
  assert.equal(state.status, 'error');
  assert.equal(state.error, 'the hub is not started');
});

test('an event that arrives both live and in the loaded list appears once', () => {
  const event = (id: string, at: string): RecordedEvent => ({ id, received_at: at, kind: 'shell', command: id, exit_code: 0, duration_ms: 0, output: '', metadata: {} });
  const merged = mergeEvents([event('b', '2025-01-01T00:00:02.000Z')], [event('b', '2025-01-01T00:00:02.000Z'), event('a', '2025-01-01T00:00:01.000Z'), event('c', '2025-01-01T00:00:03.000Z')]);
  assert.deepEqual(merged.map((e) => e.id), ['c', 'b', 'a']);
  assert.equal(mergeEvents([], [event('a', '1'), event('b', '2'), event('c', '3')], 2).length, 2);
});
