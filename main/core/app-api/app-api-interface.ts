// Types only: the app API as its transports see it (Electron's ipc-handlers.ts, the HTTP routes in
// http/routes/app-routes.ts). They import this file, not app-api.ts, so the server and the
// implementation never import each other.
import type {
  ApiOperations,
  ApiSubscriptions,
  OperationName,
  SubscriptionName,
  Unsubscribe,
} from '../../shared/api-contract.ts';
import type { NavigateTarget } from './app-api-types.ts';

/** Each operation takes the request as it arrived (unknown) and checks it against its schema first. */
export type OperationHandlers = {
  [K in OperationName]: (request: unknown) => Promise<ApiOperations[K]['response']>;
};

export type SubscriptionSources = {
  [K in SubscriptionName]: (emit: (payload: ApiSubscriptions[K]['payload']) => void) => Unsubscribe;
};

export interface AppApi {
  handlers: OperationHandlers;
  subscriptions: SubscriptionSources;
  /**
   * Tells the window to show the item a notification is about (its `eventId`: a command event
   * or a lifecycle event), through the onNavigate subscription. Returns where it sent the window,
   * or null when the id is neither (the item is gone): the shell then just shows the window.
   */
  navigate(id: string): NavigateTarget | null;
}
