import {
  INVOKE_CHANNELS,
  SUBSCRIPTION_CHANNELS,
  type ApiOperations,
  type ApiSubscriptions,
  type HookboxApi,
  type OperationName,
  type SubscriptionName,
} from '../main/shared/api-contract.ts';

/** The part of Electron's ipcRenderer the contract needs (kept narrow so it can be tested without Electron). */
export interface IpcTransport {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * The contract implemented over IPC: one named method per operation and subscription. The
 * renderer gets these functions, never the transport itself.
 */
export function createHookboxApi(ipc: IpcTransport): HookboxApi {
  const invoke =
    <K extends OperationName>(name: K) =>
    (request: ApiOperations[K]['request']) =>
      ipc.invoke(INVOKE_CHANNELS[name], request) as Promise<ApiOperations[K]['response']>;

  const subscribe =
    <K extends SubscriptionName>(name: K) =>
    (listener: (payload: ApiSubscriptions[K]['payload']) => void) => {
      const channel = SUBSCRIPTION_CHANNELS[name];
      // The IPC event object stays here: it carries `sender`, which the page must not get.
      const handler = (_event: unknown, payload: unknown) => listener(payload as ApiSubscriptions[K]['payload']);
      ipc.on(channel, handler);
      return () => {
        ipc.removeListener(channel, handler);
      };
    };

  // One method per channel: INVOKE_CHANNELS and SUBSCRIPTION_CHANNELS are checked against the
  // contract at build time, so this object has exactly the contract's methods.
  const api: Record<string, unknown> = {};
  for (const name of Object.keys(INVOKE_CHANNELS) as OperationName[]) api[name] = invoke(name);
  for (const name of Object.keys(SUBSCRIPTION_CHANNELS) as SubscriptionName[]) api[name] = subscribe(name);
  return api as HookboxApi;
}
