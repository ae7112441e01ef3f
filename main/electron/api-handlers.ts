import { Type, type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Hub, HubAddress } from '../core/hub.ts';
import { EVENT_LIST_DEFAULT, EVENT_LIST_MAX } from '../core/http/routes/event-routes.ts';
import { describeSchemaIssues } from '../core/util/schema-errors.ts';
import { HOOKBOX_VERSION, SERVICE_NAME } from '../core/version.ts';
import type {
  ApiOperations,
  ApiSubscriptions,
  GetEventRequest,
  ListEventsRequest,
  OperationName,
  SubscriptionName,
  Unsubscribe,
} from '../shared/api-contract.ts';

// The contract implemented on the hub, with no Electron in sight: ipc-handlers.ts puts these
// behind ipcMain, and the tests call them against a real hub. The mapped types make a contract
// operation or subscription without an implementation a type error.

export type OperationHandlers = {
  [K in OperationName]: (request: unknown) => Promise<ApiOperations[K]['response']>;
};

export type SubscriptionSources = {
  [K in SubscriptionName]: (emit: (payload: ApiSubscriptions[K]['payload']) => void) => Unsubscribe;
};

/** A request from the renderer that does not match the contract. */
export class InvalidRequestError extends Error {
  constructor(operation: OperationName, message: string) {
    super(`${operation}: ${message}`);
    this.name = 'InvalidRequestError';
  }
}

// The renderer is ours, but IPC is still an edge: requests are checked like HTTP bodies.
const ListEventsSchema = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
const GetEventSchema = Type.Object({ id: Type.String({ minLength: 1 }) }, { additionalProperties: false });

// The schemas and the contract's request types must agree (both directions).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchContract: [Same<Static<typeof ListEventsSchema>, ListEventsRequest>, Same<Static<typeof GetEventSchema>, GetEventRequest>] = [true, true];
void schemasMatchContract;

function parser<S extends TSchema>(operation: OperationName, schema: S) {
  const check = Compile(schema);
  return (request: unknown): Static<S> => {
    if (check.Check(request)) return request as Static<S>;
    const issue = describeSchemaIssues([...check.Errors(request)]);
    throw new InvalidRequestError(operation, issue?.message ?? 'invalid request');
  };
}

export function createApiHandlers(hub: Hub, address: HubAddress): OperationHandlers {
  const parseListEvents = parser('listEvents', ListEventsSchema);
  const parseGetEvent = parser('getEvent', GetEventSchema);
  return {
    async getHealth() {
      return { service: SERVICE_NAME, version: HOOKBOX_VERSION, event_count: hub.eventLog.count(), api_url: address.url };
    },
    async listEvents(request) {
      // A missing request means "the defaults", as GET /events without a query.
      const { limit } = parseListEvents(request ?? {});
      return hub.eventLog.list(Math.min(limit ?? EVENT_LIST_DEFAULT, EVENT_LIST_MAX));
    },
    async getEvent(request) {
      const { id } = parseGetEvent(request);
      return hub.eventLog.get(id) ?? null;
    },
  };
}

export function createSubscriptionSources(hub: Hub): SubscriptionSources {
  return {
    onEventRecorded(emit) {
      hub.events.on('event-recorded', emit);
      return () => {
        hub.events.off('event-recorded', emit);
      };
    },
  };
}
