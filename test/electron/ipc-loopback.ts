import {
  INVOKE_CHANNELS,
  SUBSCRIPTION_CHANNELS,
  type HookboxApi,
  type OperationName,
  type SubscriptionName,
} from '../../main/shared/api-contract.ts';
import type { OperationHandlers, SubscriptionSources } from '../../main/core/app-api/app-api-interface.ts';
import { createHookboxApi, type IpcTransport } from '../../preload/hookbox-api.ts';

type Listener = (event: unknown, ...args: unknown[]) => void;

/**
 * The preload's contract implementation wired to the main process handlers in one process, the
 * way ipcRenderer/ipcMain connect them in the app (requests and payloads are cloned, as IPC
 * does). Only Electron itself is left out.
 */
export function loopbackApi(
  handlers: OperationHandlers,
  subscriptions: SubscriptionSources,
): { api: HookboxApi; close: () => void } {
  const byChannel = new Map<string, OperationName>(
    Object.entries(INVOKE_CHANNELS).map(([name, channel]) => [channel, name as OperationName]),
  );
  const listeners = new Map<string, Set<Listener>>();
  const undo: (() => void)[] = [];
  for (const name of Object.keys(SUBSCRIPTION_CHANNELS) as SubscriptionName[]) {
    const channel = SUBSCRIPTION_CHANNELS[name];
    undo.push(
      subscriptions[name]((payload) => {
        for (const listener of listeners.get(channel) ?? []) listener({}, structuredClone(payload));
      }),
    );
  }
  const transport: IpcTransport = {
    async invoke(channel, ...args) {
      const name = byChannel.get(channel);
      if (!name) throw new Error(`No handler registered for '${channel}'`);
      return structuredClone(await handlers[name](structuredClone(args[0])));
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
  };
  return { api: createHookboxApi(transport), close: () => undo.forEach((step) => step()) };
}
