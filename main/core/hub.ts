import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.ts';
import { databaseFile } from './config/paths.ts';
import type { Settings } from './config/settings-schema.ts';
import { openDatabase, type Database } from './db/database.ts';
import { ErrorCode, HookboxError } from './errors.ts';
import { EventLog } from './events/event-log.ts';
import type { RecordedEvent } from './events/event-schema.ts';
import { EventStore } from './events/event-store.ts';
import { buildApiServer } from './http/api-server.ts';
import type { ApiServer } from './http/api-types.ts';
import type { ShellScriptProvider } from './http/routes/shell-routes.ts';
import { NotificationPipeline, type NotificationRecord } from './notify/notification-pipeline.ts';
import type { Notifier } from './notify/notifier.ts';
import { HOOKBOX_VERSION } from './version.ts';

/** What differs between the desktop app, `hookbox serve` and the tests is injected here. */
export interface HubOptions {
  dataDir: string;
  settings: Settings;
  /** The config file in use (null: none, defaults apply). Shown to the user, watched later. */
  configFile: string | null;
  notifier: Notifier;
  logger: Logger;
  clock?: Clock;
  shellScripts?: ShellScriptProvider;
}

export interface HubEvents {
  /** An event was committed to the store. */
  'event-recorded': [event: RecordedEvent];
  /** A notification was raised (and its deliveries recorded). */
  notification: [notification: NotificationRecord];
}

export interface HubAddress {
  host: string;
  port: number;
  /** Base URL of the local API, e.g. http://127.0.0.1:17002 */
  url: string;
}

export interface Hub {
  readonly events: EventEmitter<HubEvents>;
  readonly dataDir: string;
  readonly databaseFile: string;
  readonly configFile: string | null;
  readonly settings: Settings;
  start(): Promise<HubAddress>;
  /** Stops accepting, lets in-flight requests finish, drains notifications, closes the database. */
  stop(): Promise<void>;
  /** Only while started. */
  readonly eventLog: EventLog;
  readonly notifications: NotificationPipeline;
}

const SHUTDOWN_DRAIN_MS = 5_000;
const SHUTDOWN_HARD_DEADLINE_MS = 10_000;

/**
 * Stops accepting and lets in-flight requests finish. A keep-alive connection becomes idle only
 * after its request is answered, so idle connections are swept until close completes; whatever
 * is still open at the deadline is cut.
 */
async function closeGracefully(api: ApiServer): Promise<void> {
  const sweep = setInterval(() => api.server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => api.server.closeAllConnections(), SHUTDOWN_HARD_DEADLINE_MS);
  try {
    await api.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}

export function createHub(options: HubOptions): Hub {
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const events = new EventEmitter<HubEvents>();
  const dbFile = databaseFile(options.dataDir);
  const inFlightNotifications = new Set<Promise<unknown>>();

  let running: { db: Database; api: ApiServer; eventLog: EventLog; notifications: NotificationPipeline } | undefined;

  function requireRunning() {
    if (!running) throw new Error('the hub is not started');
    return running;
  }

  function onEventRecorded(pipeline: NotificationPipeline, event: RecordedEvent): void {
    events.emit('event-recorded', event);
    // After the response: a slow desktop or notify service never delays ingestion.
    const task = pipeline
      .handle(event)
      .then((record) => {
        if (record) events.emit('notification', record);
      })
      .catch((error: unknown) => logger.error({ err: error, event_id: event.id }, 'notification pipeline failed'))
      .finally(() => inFlightNotifications.delete(task));
    inFlightNotifications.add(task);
  }

  async function start(): Promise<HubAddress> {
    if (running) throw new Error('the hub is already started');
    const db = openDatabase(dbFile);
    try {
      const eventLog = new EventLog({
        store: new EventStore(db),
        clock,
        cacheSize: options.settings.history.cacheSize,
        retention: options.settings.history.retention,
      });
      const notifications = new NotificationPipeline({
        settings: () => options.settings.notifications,
        notifier: options.notifier,
        db,
        logger: logger.child({ component: 'notify' }),
        clock,
      });
      const api = buildApiServer({
        logger,
        version: HOOKBOX_VERSION,
        maxBodyBytes: options.settings.api.maxBodyBytes,
        eventLog,
        notifications: () => options.settings.notifications,
        onEventRecorded: (event) => onEventRecorded(notifications, event),
        ...(options.shellScripts ? { shellScripts: options.shellScripts } : {}),
      });
      const { host, port } = options.settings.api;
      try {
        await api.listen({ host, port });
      } catch (error) {
        await api.close();
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new HookboxError(ErrorCode.AddressInUse, `cannot listen on ${host}:${port}: address already in use (another Hookbox running? choose another with --port or AGENTD_PORT)`);
        }
        throw error;
      }
      running = { db, api, eventLog, notifications };
      const address = api.server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      return { host, port: boundPort, url: `http://${host}:${boundPort}` };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async function stop(): Promise<void> {
    if (!running) return;
    const { db, api, eventLog } = running;
    await closeGracefully(api);
    eventLog.flush();
    await Promise.race([
      Promise.allSettled([...inFlightNotifications]),
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DRAIN_MS).unref()),
    ]);
    running = undefined;
    db.close();
  }

  return {
    events,
    dataDir: options.dataDir,
    databaseFile: dbFile,
    configFile: options.configFile,
    settings: options.settings,
    start,
    stop,
    get eventLog() {
      return requireRunning().eventLog;
    },
    get notifications() {
      return requireRunning().notifications;
    },
  };
}
