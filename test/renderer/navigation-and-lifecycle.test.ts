import '../helpers/dom.ts';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import type { InboxMessage, SessionSummary } from '../../main/shared/api-contract.ts';
import { loopbackApi } from '../electron/ipc-loopback.ts';
import { postEvent } from '../helpers/hub-fixture.ts';
import { closedPort } from '../helpers/http-receiver.ts';
import { startLifecycleHub } from '../core/lifecycle/lifecycle-fixture.ts';
import { fakeApi, until } from './fake-api.ts';
import { act, h, render, settle } from './render.ts';

// Where a clicked notification takes the window (the main process's onNavigate), and the Hooks
// view's webhook deliveries and lifecycle events: the stores and the rendered App, fed by a real
// hub through the IPC loopback (a fake contract for the inbox target, which the hub never sends).

const { App } = await import('../../renderer/src/App.tsx');
const { createStores } = await import('../../renderer/src/store/stores.ts');

const port = await closedPort();
const running = await startLifecycleHub(
  `[[lifecycle."task.completed"]]\nname = "ci"\ntype = "webhook"\nurl = "http://127.0.0.1:${port}/hook"\nretry = 0\n`,
);
const { api, close } = loopbackApi(running.hub.app.handlers, running.hub.app.subscriptions);
after(close);

test('a notification click opens the Events view on its event, then the Hooks view on a lifecycle event', async () => {
  const stores = createStores(api);
  const offNavigation = stores.navigation.getState().connect();
  const { container, unmount } = await render(h(App, { stores }));
  try {
    await settle(until(stores.events, (s) => s.status === 'ready'));
    await act(async () => void stores.ui.getState().setView('inbox'));
    let eventId = '';
    await act(
      async () =>
        void (eventId = (
          await postEvent(running.url, { kind: 'shell', command: 'cargo test', exit_code: 101, duration_ms: 900 })
        ).json.event_id),
    );
    await settle(until(stores.events, (s) => s.events.some((e) => e.id === eventId)));

    // What the main process does when that event's notification is clicked.
    await act(async () => void running.hub.app.navigate(eventId));
    await settle(until(stores.events, (s) => s.selected?.id === eventId));
    assert.equal(container.querySelector('h1')?.textContent, 'Events');
    assert.equal(container.querySelector('aside[aria-label="Event detail"] code.id')?.textContent, eventId);
    assert.equal(container.querySelector('tr[aria-selected="true"] td.command')?.textContent, 'cargo test');

    let lifecycleId = '';
    await act(
      async () =>
        void (lifecycleId = (await running.emit('task.failed', { task_id: 'task-9', error: 'flaky test' })).event_id),
    );
    await act(async () => void running.hub.app.navigate(lifecycleId));
    await settle(until(stores.hooks, (s) => s.lifecycleEvent?.event.id === lifecycleId));
    assert.equal(container.querySelector('h1')?.textContent, 'Hooks');
    const pane = container.querySelector('aside[aria-label="Lifecycle event detail"]');
    assert.equal(pane?.querySelector('h2')?.textContent, 'task.failed');
    assert.match(pane?.querySelector('pre')?.textContent ?? '', /"task_id": "task-9"/);
    assert.equal(
      container.querySelector(`tr[data-lifecycle-event-id="${lifecycleId}"]`)?.getAttribute('aria-selected'),
      'true',
    );
    assert.deepEqual(stores.navigation.getState().last, { view: 'hooks', lifecycle_event_id: lifecycleId });
  } finally {
    offNavigation();
    await unmount();
  }
});

test('an inbox target selects the session, then the message', async () => {
  const session: SessionSummary = { name: 'ops', queued: 2, claimed: 0, acked: 0 } as SessionSummary;
  const message = (id: string, seq: number): InboxMessage =>
    ({
      id,
      seq,
      session: 'ops',
      source: 'webhook',
      source_label: 'github',
      content: `message ${id}`,
      state: 'queued',
      created_at: '2026-01-01T00:00:00.000Z',
    }) as InboxMessage;
  const fake = fakeApi({
    listSessions: async () => [{ ...session, name: 'default' }, session],
    listMessages: async (request) => (request.session === 'ops' ? [message('m2', 2), message('m1', 1)] : []),
  });
  const stores = createStores(fake.api);
  const offNavigation = stores.navigation.getState().connect();
  stores.inbox.getState().connect();
  await until(stores.inbox, (s) => s.status === 'ready');
  assert.equal(stores.ui.getState().view, 'events');
  // The stores alone first (no React here).
  fake.emit('onNavigate', { view: 'inbox', session: 'ops', message_id: 'm1' });
  const state = await until(
    stores.inbox,
    (s) => s.selected === 'ops' && s.messages.length === 2 && s.selectedMessageId === 'm1',
  );
  assert.equal(stores.ui.getState().view, 'inbox');
  assert.equal(state.selectedMessageId, 'm1');
  const { container, unmount } = await render(h(App, { stores }));
  try {
    assert.equal(container.querySelector('li[aria-current="true"]')?.getAttribute('data-message-id'), 'm1');
  } finally {
    await unmount();
    offNavigation();
    assert.equal(fake.listeners('onNavigate'), 0, 'unsubscribed');
  }
});

test('the Hooks view lists webhook deliveries live: dead with the reason, then delivered after Retry', async () => {
  const stores = createStores(api);
  const { container, unmount } = await render(h(App, { stores, key: 'hooks' }));
  try {
    await act(async () => void stores.ui.getState().setView('hooks'));
    await settle(until(stores.hooks, (s) => s.status === 'ready'));
    let emitted: { event_id: string; deliveries: string[] } = { event_id: '', deliveries: [] };
    await act(
      async () => void (emitted = await running.emit('task.completed', { task_id: 'task-1', summary: 'done' })),
    );
    const id = emitted.deliveries[0]!;
    await settle(until(stores.hooks, (s) => s.deliveries.some((d) => d.id === id && d.state === 'dead')));
    await settle(until(stores.hooks, (s) => s.lifecycleEvents.some((e) => e.id === emitted.event_id)));
    const row = () => container.querySelector(`tr[data-delivery-id="${id}"]`)!;
    assert.equal(row().getAttribute('data-state'), 'dead');
    assert.match(row().querySelector('td.delivery-error')?.textContent ?? '', /connection refused/);
    assert.equal(row().querySelectorAll('td')[4]?.textContent, '1/1');

    const server = createServer((_req, res) => res.end('ok'));
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    after(() => server.close());
    const retry = [...row().querySelectorAll('button')].find((b) => b.textContent === 'Retry')!;
    await act(async () => void retry.click());
    await settle(until(stores.hooks, (s) => s.deliveries.find((d) => d.id === id)?.state === 'delivered'));
    assert.equal(row().getAttribute('data-state'), 'delivered');
    assert.equal(row().querySelectorAll('td')[4]?.textContent, '2/2');
    assert.equal(
      [...row().querySelectorAll('button')].some((b) => b.textContent === 'Retry'),
      false,
      'only a dead delivery offers Retry',
    );
  } finally {
    await unmount();
  }
});
