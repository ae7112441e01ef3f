import type { Logger } from 'pino';
import type { NotificationPipeline, NotificationRecord } from '../notify/notification-pipeline.ts';
import type { EventLog } from './event-log.ts';
import type { EventInput, RecordedEvent } from './event-schema.ts';

// The one path by which a command event enters the hub, whoever brings it (POST /events, the
// shells' spool): it is stored, announced, and handed to the notification rules. A second path is
// where the two would drift apart (as the route's callback and the spool's copy of it once did).

export interface EventIngestDeps {
  eventLog: EventLog;
  notifications: NotificationPipeline;
  logger: Logger;
  /** An event was committed (the window's live list, the search indexer). */
  onRecorded: (event: RecordedEvent) => void;
  /** A notification was raised for it. */
  onNotification: (record: NotificationRecord) => void;
}

export interface EventIngest {
  /**
   * Resolves once the event is committed; its notification, if any, follows without being waited
   * for. `alsoWrite` commits with the event (NATS: the message's id, so a redelivery is a duplicate).
   */
  ingestEvent(input: EventInput, alsoWrite?: () => void): Promise<RecordedEvent>;
  /** Resolves once the notifications under way have been delivered and recorded (or failed). */
  drain(): Promise<void>;
}

export function createEventIngest(deps: EventIngestDeps): EventIngest {
  const inFlight = new Set<Promise<unknown>>();
  return {
    async ingestEvent(input, alsoWrite) {
      const event = await deps.eventLog.record(input, alsoWrite ? { alsoWrite } : {});
      deps.onRecorded(event);
      // After the commit, not awaited: a slow desktop or notify service never delays ingestion.
      const handling = deps.notifications.handle(event);
      if (handling) {
        const task = handling
          .then((record) => {
            if (record) deps.onNotification(record);
          })
          .catch((error: unknown) =>
            deps.logger.error({ err: error, event_id: event.id }, 'notification pipeline failed'),
          )
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
      return event;
    },
    async drain() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
