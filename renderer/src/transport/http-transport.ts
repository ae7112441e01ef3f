import type {
  ApiOperations,
  ApiSubscriptions,
  HookboxApi,
  OperationName,
  SubscriptionName,
} from '../../../main/shared/api-contract.ts';
import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';

// The contract over HTTP, for the page `hookbox serve` serves: each operation is
// POST /app/rpc/{operation} with the request as JSON, and every subscription arrives on one
// server-sent-events stream, GET /app/events. The stream is read with fetch rather than
// EventSource so the control token travels in a header, never in a URL.

export type ConnectionStatus = 'connecting' | 'live' | 'offline' | 'unauthorized';

export interface HttpTransportOptions {
  /** The page's own origin, e.g. http://127.0.0.1:17002 */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** The event stream's state: the page shows it, and reloads what it shows when it comes back. */
  onStatus?: (status: ConnectionStatus) => void;
  /** First retry after a dropped stream; doubles up to 10 s. */
  retryMs?: number;
}

/** An operation the hub refused or could not do: the hub's `{error, message}`. */
export class ApiCallError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiCallError';
    this.status = status;
    this.code = code;
  }
}

const OPERATIONS: { [K in OperationName]: true } = {
  getHealth: true,
  listEvents: true,
  queryEvents: true,
  getEvent: true,
  listSessions: true,
  listMessages: true,
  injectMessage: true,
  markMessageHandled: true,
  listHooks: true,
  listHookRuns: true,
  getHookRun: true,
  replayHookRun: true,
  copyRunAsCurl: true,
  listLifecycleEvents: true,
  getLifecycleEvent: true,
  listLifecycleDeliveries: true,
  retryLifecycleDelivery: true,
  getConfig: true,
  checkConfig: true,
  saveConfig: true,
  listScripts: true,
  getNotificationSettings: true,
  updateNotificationSettings: true,
  pauseNotifications: true,
  resumeNotifications: true,
  getShellIntegration: true,
  installShellIntegration: true,
  uninstallShellIntegration: true,
  getAgentIntegration: true,
  installAgentIntegration: true,
  uninstallAgentIntegration: true,
};

const SUBSCRIPTIONS: { [K in SubscriptionName]: true } = {
  onEventRecorded: true,
  onInboxChanged: true,
  onHookRun: true,
  onConfigChanged: true,
  onPauseChanged: true,
  onLifecycleEvent: true,
  onLifecycleDelivery: true,
  // Carried by the same stream for one contract everywhere; `hookbox serve` never sends it.
  onNavigate: true,
};

export interface HttpApi {
  api: HookboxApi;
  /** Ends the event stream for good. */
  close: () => void;
}

export function createHttpApi(options: HttpTransportOptions): HttpApi {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const base = options.baseUrl.replace(/\/+$/, '');
  const authorization = `Bearer ${options.token}`;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let stream: AbortController | undefined;
  let closed = false;
  let status: ConnectionStatus | undefined;

  const setStatus = (next: ConnectionStatus) => {
    if (next === status) return;
    status = next;
    options.onStatus?.(next);
  };

  async function call(name: OperationName, request: unknown): Promise<unknown> {
    const response = await doFetch(`${base}/app/rpc/${name}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      ...(request === undefined ? {} : { body: JSON.stringify(request) }),
    });
    const text = await response.text();
    if (!response.ok) {
      let body: { error?: string; message?: string } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // not JSON: keep the status
      }
      if (response.status === 401) setStatus('unauthorized');
      throw new ApiCallError(response.status, body.error ?? 'http_error', body.message ?? `HTTP ${response.status}`);
    }
    return JSON.parse(text) as unknown;
  }

  function dispatch(message: EventSourceMessage): void {
    const event = message.event ?? 'message';
    if (event === 'ready') {
      setStatus('live');
      return;
    }
    const payload = JSON.parse(message.data) as unknown;
    for (const listener of listeners.get(event) ?? []) listener(payload);
  }

  async function runStream(): Promise<void> {
    let retry = options.retryMs ?? 500;
    while (!closed && [...listeners.values()].some((set) => set.size > 0)) {
      const controller = new AbortController();
      stream = controller;
      if (status !== 'offline') setStatus('connecting');
      try {
        const response = await doFetch(`${base}/app/events`, {
          headers: { authorization, accept: 'text/event-stream' },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (response.status === 401) {
          setStatus('unauthorized');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
        const reader = response.body
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(new EventSourceParserStream())
          .getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          dispatch(value);
          retry = options.retryMs ?? 500;
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      if (closed) return;
      setStatus('offline');
      await new Promise((resolve) => setTimeout(resolve, retry));
      retry = Math.min(retry * 2, 10_000);
    }
    stream = undefined;
  }

  function subscribe(name: SubscriptionName, listener: (payload: unknown) => void): () => void {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name)!.add(listener);
    if (!stream && !closed) void runStream();
    return () => {
      listeners.get(name)?.delete(listener);
      if (![...listeners.values()].some((set) => set.size > 0)) {
        stream?.abort();
        stream = undefined;
      }
    };
  }

  const api: Record<string, unknown> = {};
  for (const name of Object.keys(OPERATIONS) as OperationName[]) {
    api[name] = (request: ApiOperations[typeof name]['request']) => call(name, request);
  }
  for (const name of Object.keys(SUBSCRIPTIONS) as SubscriptionName[]) {
    api[name] = (listener: (payload: ApiSubscriptions[typeof name]['payload']) => void) =>
      subscribe(name, listener as (payload: unknown) => void);
  }
  return {
    api: api as HookboxApi,
    close: () => {
      closed = true;
      stream?.abort();
    },
  };
}
