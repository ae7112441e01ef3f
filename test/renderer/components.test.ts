import '../helpers/dom.ts';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { RecordedEvent } from '../../main/shared/api-contract.ts';
import { postEvent, startHub } from '../helpers/hub-fixture.ts';
import { loopbackApi } from '../desktop/ipc-loopback.ts';
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
    assert.match(container.querySelector('.empty')?.textContent ?? '', new RegExp(`curl -X POST ${running.url}/events`));
    await act(async () => void (await postEvent(running.url, { kind: 'shell', command: 'make check', exit_code: 2, duration_ms: 3000 })));
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
  const failing = fakeApi({ getHealth: () => Promise.reject(new Error('the hub is not started')), queryEvents: () => Promise.reject(new Error('the hub is not started')) });
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

test('a tab without the token says how to open it signed in and where the token file is', async () => {
  const { container, unmount } = await render(h(NoToken));
  assert.match(container.textContent ?? '', /hookbox open/);
  assert.match(container.textContent ?? '', /control-token/);
  await unmount();
});
