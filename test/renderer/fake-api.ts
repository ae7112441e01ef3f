import {
  API_METHOD_NAMES,
  INVOKE_CHANNELS,
  type ApiSubscriptions,
  type HookboxApi,
  type SubscriptionName,
} from '../../main/shared/api-contract.ts';

// A contract implementation for store and component tests that need a situation the real hub
// cannot easily produce (a failing hub, a slow answer). Everything else runs against a real hub
// through test/electron/ipc-loopback.ts.

export interface FakeApi {
  api: HookboxApi;
  calls: Array<{ name: string; request: unknown }>;
  emit<K extends SubscriptionName>(name: K, payload: ApiSubscriptions[K]['payload']): void;
  listeners(name: SubscriptionName): number;
}

export function fakeApi(overrides: Partial<HookboxApi> = {}): FakeApi {
  const calls: FakeApi['calls'] = [];
  const subscribers = new Map<string, Set<(payload: unknown) => void>>();
  const api: Record<string, unknown> = {};
  for (const name of API_METHOD_NAMES) {
    if (name in INVOKE_CHANNELS) {
      api[name] = (request: unknown) => {
        calls.push({ name, request });
        const override = overrides[name] as ((r: unknown) => Promise<unknown>) | undefined;
        return override ? override(request) : Promise.reject(new Error(`${name} is not part of this test`));
      };
    } else {
      api[name] = (listener: (payload: unknown) => void) => {
        if (!subscribers.has(name)) subscribers.set(name, new Set());
        subscribers.get(name)!.add(listener);
        return () => subscribers.get(name)?.delete(listener);
      };
    }
  }
  return {
    api: api as HookboxApi,
    calls,
    emit(name, payload) {
      for (const listener of subscribers.get(name) ?? []) listener(payload);
    },
    listeners: (name) => subscribers.get(name)?.size ?? 0,
  };
}

/** Resolves when the store's state satisfies `predicate`. */
export function until<S>(
  store: { getState(): S; subscribe(listener: (state: S) => void): () => void },
  predicate: (state: S) => boolean,
  timeoutMs = 5_000,
): Promise<S> {
  return new Promise((resolve, reject) => {
    if (predicate(store.getState())) return resolve(store.getState());
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`store never reached the expected state: ${JSON.stringify(store.getState()).slice(0, 2000)}`));
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
