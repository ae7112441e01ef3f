import '../helpers/dom.ts';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { RecordedEvent } from '../../main/shared/api-contract.ts';
import { postEvent, startHub } from '../helpers/hub-fixture.ts';
import { loopbackApi } from '../electron/ipc-loopback.ts';
import { fakeApi, until } from './fake-api.ts';
import { act, h, key, render, settle } from './render.ts';

// The renderer's components in a DOM (happy-dom), fed by a real hub through the IPC loopback or
// by a fake contract where a test needs a situation the hub cannot produce. Fast: no browser.

const { App, NoToken } = await import('../../renderer/src/App.tsx');
const { EventsTable } = await import('../../renderer/src/components/EventsTable.tsx');
const { createStores } = await import('../../renderer/src/store/stores.ts');

const running = await startHub();
const { api, close } = loopbackApi(running.hub.app.handlers, running.hub.app.subscriptions);
after(close);

test('the window starts on Events with a first-run lesson aimed at this hub, and shows an event as it arrives', async () => {
  const stores = createStores(api);
  const { container, unmount } = await render(h(App, { stores }));
  try {
    await settle(until(stores.events, (s) => s.status === 'ready' && s.health !== null));
    assert.equal(container.querySelector('h1')?.textContent, 'Events');
    assert.match(
      container.querySelector('.empty')?.textContent ?? '',
      new RegExp(`curl -X POST ${running.url}/events`),
    );
    await act(
      async () =>
        void (await postEvent(running.url, { kind: 'shell', command: 'make check', exit_code: 2, duration_ms: 3000 })),
    );
    await settle(until(stores.events, (s) => s.events.length === 1));
    assert.equal(container.querySelector('table.events td.command')?.textContent, 'make check');
    assert.equal(container.querySelector('td.exit')?.className.includes('failed'), true);
  } finally {
    await unmount();
  }
});

test('number keys switch views (not while typing), and the sidebar counts unread messages', async () => {
  await running.hub.inbox.inject({ session: 'review', source: 'inject', label: 'test', content: 'hello' });
  const stores = createStores(api);
  const { container, unmount } = await render(h(App, { stores }));
  try {
    await settle(until(stores.inbox, (s) => s.sessions.length > 0));
    assert.equal(container.querySelector('.nav-badge')?.textContent, '1');
    await key(window, '1');
    assert.equal(container.querySelector('h1')?.textContent, 'Inbox');
    await key(window, '3');
    assert.equal(container.querySelector('h1')?.textContent, 'Hooks');
    // A digit typed into a text field is text, not a shortcut.
    await key(window, '1');
    const input = document.createElement('input');
    container.appendChild(input);
    await key(input, '5');
    assert.equal(container.querySelector('h1')?.textContent, 'Inbox');
  } finally {
    await unmount();
  }
});

test('the events table moves its selection with the arrow keys and closes with Escape', async () => {
  const events: RecordedEvent[] = ['one', 'two', 'three'].map((command, i) => ({
    id: `e${i}`,
    received_at: new Date(Date.UTC(2026, 0, 1, 12, 0, 3 - i)).toISOString(),
    kind: 'shell',
    command,
    exit_code: 0,
    duration_ms: 10,
    output: '',
    metadata: {},
  }));
  const selected: (string | null)[] = [];
  let current: string | null = null;
  const onSelect = (id: string | null) => {
    selected.push(id);
    current = id;
  };
  const view = await render(h(EventsTable, { events, selectedId: null, onSelect }));
  const table = view.container.querySelector('table.events')!;
  await key(table, 'ArrowDown');
  assert.equal(current, 'e0');
  await view.unmount();
  const again = await render(h(EventsTable, { events, selectedId: 'e0', onSelect }));
  await key(again.container.querySelector('table.events')!, 'j');
  await key(again.container.querySelector('table.events')!, 'End');
  await key(again.container.querySelector('table.events')!, 'Escape');
  assert.deepEqual(selected, ['e0', 'e1', 'e2', null]);
  await again.unmount();
});

test('a hub that fails shows its message, not an empty list', async () => {
  const failing = fakeApi({
    getHealth: () => Promise.reject(new Error('the hub is not started')),
    queryEvents: () => Promise.reject(new Error('the hub is not started')),
  });
  const stores = createStores(failing.api);
  const { container, unmount } = await render(h(App, { stores }));
  try {
    await settle(until(stores.events, (s) => s.status === 'error'));
    assert.match(container.querySelector('[role="alert"]')?.textContent ?? '', /the hub is not started/);
    assert.equal(container.querySelector('.empty'), null);
  } finally {
    await unmount();
  }
});

test('a capped total reads "at least", and the page says how the hub searched', async () => {
  const health = {
    service: 'hookbox',
    version: 't',
    event_count: 2_000_000,
    api_url: 'http://127.0.0.1:1',
    unread_messages: 0,
    config_error: null,
    notifications: { paused: false, until: null },
    host: 'laptop',
    nats: {
      state: 'disconnected' as const,
      servers: ['nats://127.0.0.1:4222'],
      server: null,
      host: 'laptop',
      stream: 'HOOKBOX',
      error: 'disconnected from 127.0.0.1:4222',
      pending: 3,
      published: 10,
      subscriptions: [],
    },
    cli: { globals: [], port: null },
  };
  const page = (request: { text?: string }) => ({
    events: [
      {
        id: 'e1',
        received_at: '2026-01-01T00:00:00.000Z',
        kind: 'shell' as const,
        command: 'ab cd',
        exit_code: 1,
        duration_ms: 5,
        output: '',
        metadata: {},
      },
    ],
    next_cursor: '7',
    total: 10_000,
    total_is_lower_bound: true,
    partial: false,
    search: request.text ? { method: 'scan' as const, unindexed: 1_234 } : null,
    long_running_threshold_ms: 30_000,
  });
  const fake = fakeApi({
    getHealth: async () => health,
    queryEvents: async (request) => page(request as { text?: string }),
  });
  const stores = createStores(fake.api);
  const { container, unmount } = await render(h(App, { stores }));
  try {
    await settle(until(stores.events, (s) => s.status === 'ready' && s.health !== null));
    assert.match(container.querySelector('.pager')?.textContent ?? '', /1–1 of at least 10,000/);
    // The sidebar names this machine and the NATS link's state.
    assert.match(container.querySelector('.hub')?.textContent ?? '', /laptop · NATS disconnected \(3 waiting\)/);
    assert.equal(container.querySelector('.search-notes'), null);
    await act(async () => void (await stores.events.getState().setFilters({ text: 'ab' })));
    await settle(until(stores.events, (s) => s.search !== null));
    assert.match(container.querySelector('.pager')?.textContent ?? '', /1–1 of at least 10,000 matching/);
    const notes = container.querySelector('.search-notes')?.textContent ?? '';
    assert.match(notes, /shorter than 3 characters/);
    assert.match(notes, /catching up: 1,234 recent events/);
  } finally {
    await unmount();
  }
});

test('a tab without the token says how to open it signed in and where the token file is', async () => {
  const { container, unmount } = await render(h(NoToken));
  assert.match(container.textContent ?? '', /hookbox open/);
  assert.match(container.textContent ?? '', /control-token/);
  await unmount();
});
