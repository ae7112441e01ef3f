import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_METHOD_NAMES, INVOKE_CHANNELS, SUBSCRIPTION_CHANNELS } from '../../main/shared/api-contract.ts';
import { AppRequests } from '../../main/core/app-api/app-api-schema.ts';
import { createHookboxApi, type IpcTransport } from '../../preload/hookbox-api.ts';
import { createHttpApi } from '../../renderer/src/transport/http-transport.ts';
import { startHub } from '../helpers/hub-fixture.ts';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** Records what the preload asks of ipcRenderer. */
function recordingTransport() {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<Listener>>();
  const transport: IpcTransport = {
    async invoke(channel, ...args) {
      invoked.push({ channel, args });
      return `answer from ${channel}`;
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
  };
  return { transport, invoked, listeners };
}

// The preload builds its methods from the channel maps, the browser transport from its own lists,
// the core from its handler object and the request schemas: four lists written apart, one contract.
test('the preload, the browser transport and the core all expose exactly the contract', async () => {
  const preload = createHookboxApi(recordingTransport().transport);
  const browser = createHttpApi({ baseUrl: 'http://127.0.0.1:1', token: 't', fetch: async () => new Response() });
  const { hub } = await startHub();
  const core = [...Object.keys(hub.app.handlers), ...Object.keys(hub.app.subscriptions)];
  const contract = [...API_METHOD_NAMES].sort();
  assert.deepEqual(Object.keys(preload).sort(), contract);
  assert.deepEqual(Object.keys(browser.api).sort(), contract);
  assert.deepEqual(core.sort(), contract);
  assert.deepEqual(Object.keys(AppRequests).sort(), Object.keys(INVOKE_CHANNELS).sort());
  for (const name of API_METHOD_NAMES) {
    assert.equal(typeof preload[name], 'function', name);
    assert.equal(typeof browser.api[name], 'function', name);
  }
  browser.close();
});

test('every preload operation invokes its own channel with the request as given', async () => {
  const { transport, invoked } = recordingTransport();
  const api = createHookboxApi(transport) as unknown as Record<string, (request: unknown) => Promise<unknown>>;
  for (const [name, channel] of Object.entries(INVOKE_CHANNELS)) {
    const request = { asked_by: name };
    assert.equal(await api[name]!(request), `answer from ${channel}`, name);
    assert.deepEqual(invoked.at(-1), { channel, args: [request] }, name);
  }
  assert.equal(invoked.length, Object.keys(INVOKE_CHANNELS).length);
});

test('every contract channel name is distinct', () => {
  const channels = [...Object.values(INVOKE_CHANNELS), ...Object.values(SUBSCRIPTION_CHANNELS)];
  assert.equal(new Set(channels).size, channels.length);
});

test('each operation invokes its own channel with the request', async () => {
  const { transport, invoked } = recordingTransport();
  const api = createHookboxApi(transport);
  assert.equal(await api.listEvents({ limit: 5 }), 'answer from hookbox:list-events');
  await api.getEvent({ id: 'abc' });
  await api.getHealth();
  assert.deepEqual(invoked, [
    { channel: INVOKE_CHANNELS.listEvents, args: [{ limit: 5 }] },
    { channel: INVOKE_CHANNELS.getEvent, args: [{ id: 'abc' }] },
    { channel: INVOKE_CHANNELS.getHealth, args: [undefined] },
  ]);
});

test('a subscription listens on its channel, hands over only the payload, and unsubscribes', () => {
  const { transport, listeners } = recordingTransport();
  const api = createHookboxApi(transport);
  const received: unknown[] = [];
  const unsubscribe = api.onEventRecorded((event) => received.push(event));
  const registered = [...(listeners.get(SUBSCRIPTION_CHANNELS.onEventRecorded) ?? [])];
  assert.equal(registered.length, 1);
  registered[0]!({ sender: 'the IPC event, which must not reach the page' }, { id: 'e1' });
  assert.deepEqual(received, [{ id: 'e1' }]);
  unsubscribe();
  assert.equal(listeners.get(SUBSCRIPTION_CHANNELS.onEventRecorded)?.size, 0);
});

test('the main process implements every operation and subscription of the contract', async () => {
  const { hub } = await startHub();
  assert.deepEqual(Object.keys(hub.app.handlers).sort(), Object.keys(INVOKE_CHANNELS).sort());
  assert.deepEqual(Object.keys(hub.app.subscriptions).sort(), Object.keys(SUBSCRIPTION_CHANNELS).sort());
});

test('the Agents operations go over their own channels, and the desktop hub (no launcher) offers no install', async () => {
  const { transport, invoked } = recordingTransport();
  const api = createHookboxApi(transport);
  await api.getAgentIntegration();
  await api.installAgentIntegration({ agent: 'claude', part: 'hooks' });
  await api.uninstallAgentIntegration({ agent: 'codex', part: 'mcp' });
  assert.deepEqual(invoked, [
    { channel: 'hookbox:get-agent-integration', args: [undefined] },
    { channel: 'hookbox:install-agent-integration', args: [{ agent: 'claude', part: 'hooks' }] },
    { channel: 'hookbox:uninstall-agent-integration', args: [{ agent: 'codex', part: 'mcp' }] },
  ]);
  // The Electron main creates its hub without launcher words, as startHub does.
  const { hub } = await startHub();
  const overview = await hub.app.handlers.getAgentIntegration(undefined);
  assert.equal(overview.launcher, null);
  assert.ok(overview.agents.every((a) => a.hooks.install_unavailable?.startsWith('install from a terminal: ')));
  await assert.rejects(
    hub.app.handlers.installAgentIntegration({ agent: 'claude', part: 'everything' }),
    /installAgentIntegration: .*part/,
  );
});
