import type { RecordedEvent } from '../core/events/event-schema.ts';

// The one contract for every call the renderer may make. The preload implements it over Electron
// IPC; a browser build can implement the same interface over HTTP to `hookbox serve`. The renderer
// imports `HookboxApi` and never a transport. This file holds types and channel names only (no
// runtime dependencies): the sandboxed preload bundles it.

export type { RecordedEvent } from '../core/events/event-schema.ts';

/** What the window shows about the running hub. */
export interface HubHealth {
  service: string;
  version: string;
  /** Events in the store. */
  event_count: number;
  /** Base URL of the local API that shells and scripts post to, e.g. http://127.0.0.1:17002 */
  api_url: string;
}

export interface ListEventsRequest {
  /** At least 1; default 50, capped at 500 (as GET /events). Newest first. */
  limit?: number;
}

export interface GetEventRequest {
  id: string;
}

/** Request/response operations: one entry per call. */
export interface ApiOperations {
  getHealth: { request: void; response: HubHealth };
  listEvents: { request: ListEventsRequest; response: RecordedEvent[] };
  /** null when no event has that id. */
  getEvent: { request: GetEventRequest; response: RecordedEvent | null };
}

/** Pushed from the hub to the renderer. */
export interface ApiSubscriptions {
  onEventRecorded: { payload: RecordedEvent };
}

// Fails the type check if an operation lacks a request or a response type, or a subscription
// lacks its payload type.
type EveryOperationHasRequestAndResponse<T extends { [K in keyof T]: { request: unknown; response: unknown } }> = T;
type EverySubscriptionHasPayload<T extends { [K in keyof T]: { payload: unknown } }> = T;
export type CheckedOperations = EveryOperationHasRequestAndResponse<ApiOperations>;
export type CheckedSubscriptions = EverySubscriptionHasPayload<ApiSubscriptions>;

/** IPC channel per operation (`satisfies` fails the build when one is missing or extra). */
export const INVOKE_CHANNELS = {
  getHealth: 'hookbox:get-health',
  listEvents: 'hookbox:list-events',
  getEvent: 'hookbox:get-event',
} as const satisfies { [K in keyof ApiOperations]: string };

/** IPC channel per subscription. */
export const SUBSCRIPTION_CHANNELS = {
  onEventRecorded: 'hookbox:event-recorded',
} as const satisfies { [K in keyof ApiSubscriptions]: string };

export type OperationName = keyof ApiOperations;
export type SubscriptionName = keyof ApiSubscriptions;
export type Unsubscribe = () => void;

/** The interface the renderer sees as `window.hookbox`. */
export type HookboxApi = {
  [K in OperationName]: (request: ApiOperations[K]['request']) => Promise<ApiOperations[K]['response']>;
} & {
  [K in SubscriptionName]: (listener: (payload: ApiSubscriptions[K]['payload']) => void) => Unsubscribe;
};

/** Every name on the contract, for checks that an implementation exposes exactly these. */
export const API_METHOD_NAMES: readonly (keyof HookboxApi)[] = [
  ...(Object.keys(INVOKE_CHANNELS) as OperationName[]),
  ...(Object.keys(SUBSCRIPTION_CHANNELS) as SubscriptionName[]),
];
