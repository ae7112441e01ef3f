import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Logger } from 'pino';
import { createAppApi, type AppApi } from './app-api/app-api.ts';
import { systemClock, type Clock } from './clock.ts';
import { loadConfigFile } from './config/config-file.ts';
import { watchConfigFile } from './config/config-watcher.ts';
import { hubConfigFrom, loadHubConfig, type HookSelection, type HubConfig } from './config/hub-config.ts';
import { databaseFile } from './config/paths.ts';
import { resolveSettings } from './config/settings.ts';
import type { Settings } from './config/settings-schema.ts';
import { openDatabase, type Database } from './db/database.ts';
import { WalCheckpoints } from './db/wal-checkpointer.ts';
import { WriteBatcher } from './db/write-batcher.ts';
import { IdleMemoryTrimmer } from './util/idle-memory.ts';
import { ErrorCode, HookboxError } from './errors.ts';
import { EventLog } from './events/event-log.ts';
import type { RecordedEvent } from './events/event-schema.ts';
import { EventStore } from './events/event-store.ts';
import { SearchIndexer } from './events/search-indexer.ts';
import { buildApiServer } from './http/api-server.ts';
import type { ApiServer } from './http/api-types.ts';
import type { UiOptions } from './http/routes/ui-routes.ts';
import type { ShellScriptProvider } from './http/routes/shell-routes.ts';
import { DeliveryWorker } from './inbox/delivery-worker.ts';
import { Inbox, type InboxMessage } from './inbox/inbox.ts';
import { Scheduler } from './inbox/scheduler.ts';
import { LifecycleService } from './lifecycle/lifecycle-service.ts';
import { AgentHookService } from './agents/agent-hook-service.ts';
import type { LifecycleEventRecord } from './lifecycle/lifecycle-store.ts';
import type { DeliverySummary } from './lifecycle/outbox-store.ts';
import { NotificationPause } from './notify/notification-pause.ts';
import { NotificationPipeline, type NotificationRecord } from './notify/notification-pipeline.ts';
import type { Notifier } from './notify/notifier.ts';
import { focusTerminal } from './notify/terminal-focus.ts';
import { killAllScripts } from './process/script-runner.ts';
import { loadOrCreateControlToken } from './security/control-token.ts';
import { shellIntegrationScript } from './shell/shell-integration.ts';
import { ShellSpool, shellSpoolDir } from './shell/shell-spool.ts';
import { HOOKBOX_VERSION } from './version.ts';
import { HookManager, type ApplyReport } from './webhooks/hook-manager.ts';
import { HookRunStore, type HookRun } from './webhooks/hook-run-store.ts';
import { DeliveryLedger } from './webhooks/delivery-ledger.ts';

/** What differs between the desktop app, `hookbox serve`, `hookbox run` and the tests is injected here. */
export interface HubOptions {
  dataDir: string;
  settings: Settings;
  /** The config file in use (null: none, defaults apply). Watched: valid edits apply live. */
  configFile: string | null;
  /** Where the config file belongs when there is none yet: the window's editor creates it there, and it is watched. */
  configPath?: string | null;
  notifier: Notifier;
  logger: Logger;
  clock?: Clock;
  /** For `${VAR}` in the config file and as the environment hook scripts start from. */
  env?: NodeJS.ProcessEnv;
  /** `hookbox run --hook A --name X`; default: every enabled hook. */
  hookSelection?: HookSelection;
  /** Default true. */
  watchConfig?: boolean;
  /** GET /shell/{shell}; default: the real bash/zsh/fish integrations. */
  shellScripts?: ShellScriptProvider;
  /** `hookbox serve`: also serve the window's page (the browser build) at `/`. */
  ui?: UiOptions;
  /**
   * How another program (a coding agent's hooks or MCP config) starts this installation's
   * `hookbox` (node, bin/hookbox, --config/--data-dir), for the window's Agents installs. Only
   * the shell knows it (the CLI: cli/launcher.ts); without it the window offers no agent install.
   */
  launcher?: readonly string[];
}

export interface HubEvents {
  /** An event was committed to the store. */
  'event-recorded': [event: RecordedEvent];
  /** A notification was raised (and its deliveries recorded). */
  notification: [notification: NotificationRecord];
  /** A message was committed to a session inbox. */
  message: [message: InboxMessage];
  /** A webhook hook finished handling a request (whatever the outcome). */
  'hook-run': [run: Omit<HookRun, 'body'>];
  /** A valid config edit was applied. */
  'config-reloaded': [report: ApplyReport];
  /** An edit was invalid; the running config stays. */
  'config-error': [message: string];
  /** A lifecycle event (Bernstein, Loom, Claude Code) was decided and stored. */
  'lifecycle-event': [event: LifecycleEventRecord];
  /** A lifecycle webhook delivery changed: an attempt was recorded, or a dead one was revived. */
  'lifecycle-delivery': [delivery: DeliverySummary];
}

export interface HubAddress {
  host: string;
  port: number;
  /** Base URL of the local API, e.g. http://127.0.0.1:17002 */
  url: string;
}

interface Running {
  db: Database;
  writes: WriteBatcher;
  api: ApiServer;
  eventLog: EventLog;
  searchIndexer: SearchIndexer;
  /** Age retention (history.max_age). */
  agePruning: { stop: () => Promise<void> };
  notifications: NotificationPipeline;
  inbox: Inbox;
  scheduler: Scheduler;
  hooks: HookManager;
  hookRuns: HookRunStore;
  workers: DeliveryWorker[];
  lifecycle: LifecycleService;
  agents: AgentHookService;
  unwatch: () => void;
  memory: IdleMemoryTrimmer;
  checkpointer: WalCheckpoints;
  /** Undefined when it could not start (fish then reports over HTTP). */
  spool: ShellSpool | undefined;
}

export interface Hub {
  readonly events: EventEmitter<HubEvents>;
  readonly dataDir: string;
  readonly databaseFile: string;
  /** The config file in use (it may have been created since start at `configPath`). */
  readonly configFile: string | null;
  readonly configPath: string | null;
  readonly settings: Settings;
  /** Pause notifications (tray, window); exists before start. */
  readonly notificationPause: NotificationPause;
  start(): Promise<HubAddress>;
  /** Stops accepting, lets in-flight requests and scripts finish, drains notifications, closes the database. */
  stop(): Promise<void>;
  /** Re-reads the config file now (the watcher calls this on every change). */
  reloadConfig(): Promise<ApplyReport | undefined>;
  /** The last config error, or null when the running config is the file's. */
  readonly configError: string | null;
  // Only while started:
  readonly eventLog: EventLog;
  /** Fills the text search index in the background. */
  readonly searchIndexer: SearchIndexer;
  readonly notifications: NotificationPipeline;
  readonly inbox: Inbox;
  readonly scheduler: Scheduler;
  readonly hooks: HookManager;
  readonly hookRuns: HookRunStore;
  readonly controlToken: string;
  /** Lifecycle hooks: emit events, their history, the webhook outbox. */
  readonly lifecycle: LifecycleService;
  /** The window's operations and live updates (main/shared/api-contract.ts), for IPC and HTTP alike. */
  readonly app: AppApi;
  /**
   * A click on a notification: brings forward the terminal of the agent session it is about when
   * its hook said where that runs and the platform allows (notify/terminal-focus.ts). False
   * otherwise: the shell then opens its window.
   */
  focusAgentTerminal(eventId: string): Promise<boolean>;
}

const SHUTDOWN_DRAIN_MS = 5_000;
const SHUTDOWN_HARD_DEADLINE_MS = 10_000;
const HOOK_RUNS_KEPT = 10_000;
const IDLE_TRIM_QUIET_MS = 5_000;
const AGE_PRUNE_EVERY_MS = 10 * 60_000;

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
  const env = options.env ?? process.env;
  const events = new EventEmitter<HubEvents>();
  const dbFile = databaseFile(options.dataDir);
  const inFlightNotifications = new Set<Promise<unknown>>();
  let running: Running | undefined;
  let controlToken = '';
  let configError: string | null = null;
  let appApi: AppApi | undefined;
  const pause = new NotificationPause({ dataDir: options.dataDir, clock });
  const configPath = options.configFile ?? options.configPath ?? null;
  /** The file to read: the one given, or the one created at configPath since. */
  const currentConfigFile = (): string | null =>
    options.configFile ?? (configPath && existsSync(configPath) ? configPath : null);

  function requireRunning(): Running {
    if (!running) throw new Error('the hub is not started');
    return running;
  }

  function onEventRecorded(pipeline: NotificationPipeline, event: RecordedEvent): void {
    events.emit('event-recorded', event);
    running?.searchIndexer.nudge();
    // After the response: a slow desktop or notify service never delays ingestion.
    const handling = pipeline.handle(event);
    if (!handling) return;
    const task = handling
      .then((record) => {
        if (record) events.emit('notification', record);
      })
      .catch((error: unknown) => logger.error({ err: error, event_id: event.id }, 'notification pipeline failed'))
      .finally(() => inFlightNotifications.delete(task));
    inFlightNotifications.add(task);
  }

  /** The fish integration's spool for this port; without it (a read-only home…) fish reports over HTTP. */
  async function startShellSpool(
    boundPort: number,
    ephemeral: boolean,
    eventLog: EventLog,
    pipeline: NotificationPipeline,
  ): Promise<ShellSpool | undefined> {
    const spool = new ShellSpool({
      dir: shellSpoolDir(boundPort, env, env.HOME || homedir()),
      record: async (input) => onEventRecorded(pipeline, await eventLog.record(input)),
      logger: logger.child({ component: 'shell-spool' }),
      removeOnStop: ephemeral,
    });
    try {
      await spool.start();
      return spool;
    } catch (error) {
      logger.warn(
        { err: error, dir: spool.dir },
        `shell spool unavailable (${(error as Error).message}); fish reports over HTTP`,
      );
      return undefined;
    }
  }

  function startWorkers(config: HubConfig, inbox: Inbox): DeliveryWorker[] {
    return config.sessions
      .filter((s) => s.deliverCommand)
      .map((session) => {
        inbox.ensureSession(session.name);
        const worker = new DeliveryWorker({ session, inbox, logger: logger.child({ component: 'delivery' }) });
        worker.start();
        return worker;
      });
  }

  /** history.max_age: prunes soon after start (in chunks) and every AGE_PRUNE_EVERY_MS. */
  function startAgePruning(eventLog: EventLog): { stop: () => Promise<void> } {
    const maxAgeMs = options.settings.history.maxAgeMs;
    if (maxAgeMs === null) return { stop: async () => undefined };
    let inFlight: Promise<void> | undefined;
    const prune = () => {
      inFlight ??= eventLog
        .pruneOlderThan(maxAgeMs)
        .then((n) => {
          if (n > 0) logger.info(`history: pruned ${n.toLocaleString('en-US')} events older than history.max_age`);
        })
        .catch((error: unknown) => logger.error({ err: error }, 'history: pruning by age failed'))
        .finally(() => (inFlight = undefined));
    };
    const first = setTimeout(prune, 0);
    const timer = setInterval(prune, AGE_PRUNE_EVERY_MS);
    timer.unref();
    return {
      stop: async () => {
        clearTimeout(first);
        clearInterval(timer);
        await inFlight;
      },
    };
  }

  async function reloadConfig(): Promise<ApplyReport | undefined> {
    const file = currentConfigFile();
    if (!running || file === null) return undefined;
    const r = running;
    let next: HubConfig;
    try {
      const loaded = loadConfigFile(file, { explicit: true });
      next = hubConfigFrom(loaded.config, file, env, options.hookSelection);
      // Notification rules follow the file too (environment variables still win).
      options.settings.notifications = resolveSettings({ env, config: loaded.config }).notifications;
    } catch (error) {
      configError = (error as Error).message;
      logger.error(`config not applied, the running config stays: ${configError}`);
      events.emit('config-error', configError);
      return undefined;
    }
    configError = null;
    r.lifecycle.apply(next.lifecycle);
    const report = await r.hooks.apply(next.hooks);
    // Delivery workers restart only when [[sessions]] changed: a restart waits for a delivery in flight.
    if (
      JSON.stringify(r.workers.map((w) => w.session)) !== JSON.stringify(next.sessions.filter((s) => s.deliverCommand))
    ) {
      await Promise.all(r.workers.map((w) => w.stop()));
      r.workers = startWorkers(next, r.inbox);
    }
    const changed = [
      ...report.started.map((n) => `+${n}`),
      ...report.stopped.map((n) => `-${n}`),
      ...report.restarted.map((n) => `~${n}`),
      ...report.retargeted.map((n) => `${n}→session`),
    ];
    logger.info({ report }, `config reloaded${changed.length ? `: ${changed.join(' ')}` : ': no hook changed'}`);
    if (report.failed.length) {
      configError = report.failed.map((f) => f.error).join('; ');
      events.emit('config-error', configError);
    }
    events.emit('config-reloaded', report);
    return report;
  }

  async function start(): Promise<HubAddress> {
    if (running) throw new Error('the hub is already started');
    // Validate the config before touching anything, so a bad file leaves no trace.
    const config = loadHubConfig(options.configFile, env, options.hookSelection);
    const db = openDatabase(dbFile);
    const hooks: {
      manager?: HookManager;
      scheduler?: Scheduler;
      workers: DeliveryWorker[];
      lifecycle?: LifecycleService;
      searchIndexer?: SearchIndexer;
    } = { workers: [] };
    let checkpointer: WalCheckpoints | undefined;
    try {
      controlToken = loadOrCreateControlToken(options.dataDir);
      pause.load();
      // Never wait for SQLite's write lock on the event loop (another process may hold it, e.g.
      // the desktop app and `hookbox serve` on one data dir): the batcher retries instead.
      db.pragma('busy_timeout = 0');
      const writes = new WriteBatcher(db, { walFile: `${dbFile}-wal` });
      checkpointer = new WalCheckpoints(db, writes, { databaseFile: dbFile, logger });
      checkpointer.start();
      const eventStore = new EventStore(db);
      const eventLog = new EventLog({
        store: eventStore,
        writes,
        clock,
        cacheSize: options.settings.history.cacheSize,
        retention: options.settings.history.retention,
      });
      const searchIndexer = new SearchIndexer({
        store: eventStore,
        writes,
        logger: logger.child({ component: 'search-index' }),
      });
      hooks.searchIndexer = searchIndexer;
      const notifications = new NotificationPipeline({
        settings: () => options.settings.notifications,
        notifier: options.notifier,
        db,
        writes,
        logger: logger.child({ component: 'notify' }),
        clock,
        paused: () => pause.isPaused(),
      });
      const inbox = new Inbox({ db, writes, clock });
      inbox.events.on('message', (message) => events.emit('message', message));
      const hookRuns = new HookRunStore(db, { keep: HOOK_RUNS_KEPT });
      const deliveries = new DeliveryLedger(db);
      deliveries.prune(clock.now().getTime());
      const scheduler = new Scheduler({ db, inbox, clock, logger: logger.child({ component: 'schedule' }) });
      hooks.scheduler = scheduler;
      for (const hook of config.hooks) inbox.ensureSession(hook.session);
      const manager = new HookManager({
        inbox,
        runs: hookRuns,
        deliveries,
        writes,
        clock,
        logger: logger.child({ component: 'hooks' }),
        baseEnv: env,
        onRun: (run) => events.emit('hook-run', run),
      });
      hooks.manager = manager;
      await manager.startAll(config.hooks);
      hooks.workers = startWorkers(config, inbox);
      scheduler.start();
      const lifecycle = new LifecycleService({
        db,
        writes,
        clock,
        logger: logger.child({ component: 'lifecycle' }),
        env,
        inbox,
        notifications,
        config: config.lifecycle,
        onEvent: (event) => events.emit('lifecycle-event', event),
        onNotification: (record) => events.emit('notification', record),
        onDelivery: (delivery) => events.emit('lifecycle-delivery', delivery),
      });
      hooks.lifecycle = lifecycle;
      // Agents' tool calls go into the history without the command notifications (a denied call is no failed command).
      const agents = new AgentHookService({
        lifecycle,
        eventLog,
        inbox,
        clock,
        onRecorded: (event) => events.emit('event-recorded', event),
      });

      const api = buildApiServer({
        logger,
        version: HOOKBOX_VERSION,
        maxBodyBytes: options.settings.api.maxBodyBytes,
        eventLog,
        notifications: () => options.settings.notifications,
        onEventRecorded: (event) => onEventRecorded(notifications, event),
        shellScripts: options.shellScripts ?? shellIntegrationScript,
        inbox,
        scheduler,
        hooks: manager,
        hookRuns,
        controlToken,
        configError: () => configError,
        app: () => {
          if (!appApi) throw new HookboxError(ErrorCode.NotRunning, 'the hub is starting');
          return appApi;
        },
        ...(options.ui ? { ui: options.ui } : {}),
        lifecycle,
        agents,
      });
      const { host, port } = options.settings.api;
      try {
        await api.listen({ host, port });
      } catch (error) {
        await api.close();
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new HookboxError(
            ErrorCode.AddressInUse,
            `cannot listen on ${host}:${port}: address already in use (another Hookbox running? choose another with --port or AGENTD_PORT)`,
          );
        }
        throw error;
      }
      // Pending webhook deliveries (also those left by a previous run) go out from here on.
      lifecycle.start();
      // After a burst of requests or hook runs, once things are quiet, V8 hands back what it grew.
      const memory = new IdleMemoryTrimmer({ quietMs: IDLE_TRIM_QUIET_MS });
      api.server.on('request', () => memory.activity());
      events.on('hook-run', () => memory.activity());
      memory.start();
      const address = api.server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      const bound = { host, port: boundPort, url: `http://${host}:${boundPort}` };
      const spool = await startShellSpool(boundPort, port === 0, eventLog, notifications);
      searchIndexer.start();
      const agePruning = startAgePruning(eventLog);
      running = {
        db,
        writes,
        api,
        eventLog,
        searchIndexer,
        agePruning,
        notifications,
        inbox,
        scheduler,
        hooks: manager,
        hookRuns,
        workers: hooks.workers,
        lifecycle,
        agents,
        unwatch: () => undefined,
        memory,
        checkpointer,
        spool,
      };
      if (configPath && options.watchConfig !== false) {
        running.unwatch = watchConfigFile(configPath, () => void reloadConfig());
      }
      appApi = createAppApi({ hub, address: bound, env, launcher: options.launcher ?? null });
      return bound;
    } catch (error) {
      hooks.scheduler?.stop();
      await hooks.searchIndexer?.stop();
      await Promise.all(hooks.workers.map((w) => w.stop()));
      await hooks.manager?.stopAll();
      await hooks.lifecycle?.stop();
      await checkpointer?.stop();
      db.close();
      throw error;
    }
  }

  async function stop(): Promise<void> {
    if (!running) return;
    const r = running;
    r.unwatch();
    r.memory.stop();
    await closeGracefully(r.api);
    // What shells appended until now is recorded; from here they report nothing (see shell-spool.ts).
    await r.spool?.stop();
    r.scheduler.stop();
    await r.agePruning.stop();
    await r.searchIndexer.stop();
    await Promise.all([r.hooks.stopAll(), ...r.workers.map((w) => w.stop())]);
    // Webhook attempts in flight are answered and recorded (the rest stay pending in the outbox
    // for the next start); background lifecycle scripts finish within their timeouts.
    await r.lifecycle.stop();
    killAllScripts();
    // Notifications still being delivered record themselves through the batcher; wait for them
    // (bounded), then commit whatever is queued before the file is closed.
    await Promise.race([
      Promise.allSettled([...inFlightNotifications]),
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DRAIN_MS).unref()),
    ]);
    await r.writes.drain();
    await r.checkpointer.stop();
    running = undefined;
    appApi = undefined;
    pause.close();
    r.db.close();
  }

  const hub: Hub = {
    events,
    dataDir: options.dataDir,
    databaseFile: dbFile,
    get configFile() {
      return currentConfigFile();
    },
    configPath,
    settings: options.settings,
    notificationPause: pause,
    start,
    stop,
    reloadConfig,
    get configError() {
      return configError;
    },
    get eventLog() {
      return requireRunning().eventLog;
    },
    get searchIndexer() {
      return requireRunning().searchIndexer;
    },
    get notifications() {
      return requireRunning().notifications;
    },
    get inbox() {
      return requireRunning().inbox;
    },
    get scheduler() {
      return requireRunning().scheduler;
    },
    get hooks() {
      return requireRunning().hooks;
    },
    get hookRuns() {
      return requireRunning().hookRuns;
    },
    get controlToken() {
      requireRunning();
      return controlToken;
    },
    get lifecycle() {
      return requireRunning().lifecycle;
    },
    get app() {
      requireRunning();
      if (!appApi) throw new Error('the hub is not started');
      return appApi;
    },
    async focusAgentTerminal(eventId) {
      const terminal = running?.agents.terminalOf(eventId);
      return terminal ? focusTerminal(terminal, env) : false;
    },
  };
  return hub;
}
