import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import type { Logger } from 'pino';
import { createAppApi } from './app-api/app-api.ts';
import type { AppApi } from './app-api/app-api-interface.ts';
import { systemClock, type Clock } from './clock.ts';
import { loadConfigFile } from './config/config-file.ts';
import { watchConfigFile } from './config/config-watcher.ts';
import { hubConfigFrom, loadHubConfig, type HookSelection, type HubConfig } from './config/hub-config.ts';
import { databaseFile } from './config/paths.ts';
import { resolveSettings } from './config/settings.ts';
import type { Settings } from './config/settings-schema.ts';
import { openDatabase, type Database } from './db/database.ts';
import { WalCheckpoints } from './db/wal-checkpointer.ts';
import { CommitHooks } from './db/commit-hooks.ts';
import { WriteBatcher } from './db/write-batcher.ts';
import { IdleMemoryTrimmer } from './util/idle-memory.ts';
import { runStopSteps, type StopStep } from './util/stop-steps.ts';
import { ErrorCode, HookboxError } from './errors.ts';
import { EventLog } from './events/event-log.ts';
import { createEventIngest, type EventIngest } from './events/event-ingest.ts';
import { EventStore } from './events/event-store.ts';
import { SearchIndexer } from './events/search-indexer.ts';
import { buildApiServer } from './http/api-server.ts';
import type { ApiServer } from './http/api-types.ts';
import type { UiOptions } from './http/routes/ui-routes.ts';
import type { ShellScriptProvider } from './http/routes/shell-routes.ts';
import { DeliveryWorker } from './inbox/delivery-worker.ts';
import { Inbox } from './inbox/inbox.ts';
import { Scheduler } from './inbox/scheduler.ts';
import { LifecycleService } from './lifecycle/lifecycle-service.ts';
import { AgentHookService } from './agents/agent-hook-service.ts';
import { OutboxStore } from './lifecycle/outbox-store.ts';
import { ntfyHeaders } from './notify/ntfy.ts';
import { hostToken } from './nats/nats-config.ts';
import { NatsLink, type NatsStatus } from './nats/nats-link.ts';
import { publishHubRecords } from './nats/nats-records.ts';
import { NotificationPause } from './notify/notification-pause.ts';
import { NotificationPipeline } from './notify/notification-pipeline.ts';
import type { Notifier } from './notify/notifier.ts';
import { createTerminalFocus } from './notify/focus/terminal-focus.ts';
import { focusTerminal } from './notify/focus/bring-forward.ts';
import { ScriptRunner } from './process/script-runner.ts';
import { loadOrCreateControlToken } from './security/control-token.ts';
import { shellIntegrationScript } from './shell/shell-integration.ts';
import { scriptOptionsFrom } from './shell/script-text.ts';
import { ShellSpool, shellSpoolDir } from './shell/shell-spool.ts';
import type { HubAddress, HubEvents, RecordCommitHooks } from './hub-types.ts';
import { HOOKBOX_VERSION } from './version.ts';
import { HookManager, type ApplyReport } from './webhooks/hook-manager.ts';
import { HookRunStore } from './webhooks/hook-run-store.ts';
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
  /** How long stop() (or a failed start's clean-up) may take in all; default 30 s. */
  stopDeadlineMs?: number;
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
  /** The desktop's idle time in ms (Electron's powerMonitor); absent or null: unknown (ntfy's only_when_away then sends). */
  idleMs?: () => number | null;
}

/** What start has built so far: a failed start stops these, and only these. */
type Parts = Partial<Running> & Pick<Running, 'db' | 'workers'>;

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
  app: AppApi;
  agents: AgentHookService;
  unwatch: () => void;
  memory: IdleMemoryTrimmer;
  checkpointer: WalCheckpoints;
  /** Undefined when it could not start (shells then report over HTTP). */
  spool: ShellSpool | undefined;
  /** [nats]: undefined when not configured. */
  nats: NatsLink | undefined;
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
  /** Runs this hub's scripts (hooks, lifecycle, deliveries); stopping the hub stops them, no other hub's. */
  readonly scripts: ScriptRunner;
  start(): Promise<HubAddress>;
  /**
   * Stops accepting, lets in-flight requests and scripts finish, drains notifications, closes the
   * database: one list of steps held to one deadline (stopDeadlineMs); a step late at it is logged and left.
   */
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
  /** This machine's name in published records and pushes ([nats] host, default the hostname). */
  readonly host: string;
  /** NATS link state; null when [nats] is not configured. */
  natsStatus(): NatsStatus | null;
  /**
   * A click on a notification: brings forward the terminal of the agent session it is about when
   * its hook said where that runs and the platform allows (notify/focus/bring-forward.ts). False
   * otherwise: the shell then opens its window.
   */
  focusAgentTerminal(eventId: string): Promise<boolean>;
}

const SHUTDOWN_DRAIN_MS = 5_000;
const STOP_DEADLINE_MS = 30_000;
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
  /** Records and notifies every command event (HTTP and spool alike); set at start. */
  let ingest: EventIngest | undefined;
  let running: Running | undefined;
  let controlToken = '';
  let configError: string | null = null;
  const pause = new NotificationPause({ dataDir: options.dataDir, clock });
  const scripts = new ScriptRunner();
  const configPath = options.configFile ?? options.configPath ?? null;
  /** The file to read: the one given, or the one created at configPath since. */
  const currentConfigFile = (): string | null =>
    options.configFile ?? (configPath && existsSync(configPath) ? configPath : null);

  function requireRunning(): Running {
    if (!running) throw new Error('the hub is not started');
    return running;
  }

  /** The shell integrations' spool for this port; without it (a read-only home…) shells report over HTTP. */
  async function startShellSpool(
    boundPort: number,
    ephemeral: boolean,
    ingest: EventIngest,
  ): Promise<ShellSpool | undefined> {
    const spool = new ShellSpool({
      dir: shellSpoolDir(boundPort, env, env.HOME || homedir()),
      record: ingest.ingestEvent,
      logger: logger.child({ component: 'shell-spool' }),
      removeOnStop: ephemeral,
    });
    try {
      await spool.start();
      return spool;
    } catch (error) {
      logger.warn(
        { err: error, dir: spool.dir },
        `shell spool unavailable (${(error as Error).message}); shells report over HTTP`,
      );
      return undefined;
    }
  }

  function startWorkers(config: HubConfig, inbox: Inbox): DeliveryWorker[] {
    return config.sessions
      .filter((s) => s.deliverCommand)
      .map((session) => {
        inbox.ensureSession(session.name);
        const worker = new DeliveryWorker({
          session,
          inbox,
          scripts,
          logger: logger.child({ component: 'delivery' }),
        });
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

  /**
   * Stopping, in order: stop taking requests, let work in flight finish, flush, close the
   * database. The same steps for stop() and for a start that failed half-way (a part that was
   * not started is skipped); runStopSteps holds them to one deadline.
   */
  function stopSteps(p: Parts): StopStep[] {
    return [
      { name: 'the config watcher', run: () => p.unwatch?.() },
      { name: 'the memory trimmer', run: () => p.memory?.stop() },
      { name: 'the local API', run: () => p.api && closeGracefully(p.api) },
      // What shells appended until now is recorded; from here they report nothing (see shell-spool.ts).
      { name: 'the shell spool', run: () => p.spool?.stop() },
      { name: 'the schedules', run: () => p.scheduler?.stop() },
      { name: 'history pruning', run: () => p.agePruning?.stop() },
      { name: 'the search indexer', run: () => p.searchIndexer?.stop() },
      {
        name: 'webhook hooks and inbox deliveries',
        run: () => Promise.all([p.hooks?.stopAll(), ...p.workers.map((w) => w.stop())]),
      },
      // Webhook attempts in flight are answered and recorded (the rest stay pending in the outbox
      // for the next start); background lifecycle scripts finish within their timeouts.
      { name: 'lifecycle hooks', run: () => p.lifecycle?.stop() },
      { name: 'the NATS link', run: () => p.nats?.stop() },
      { name: 'scripts still running', run: () => scripts.killAll() },
      // Notifications still being delivered record themselves through the batcher; wait for them
      // (bounded), then commit whatever is queued before the file is closed.
      {
        name: 'notifications in flight',
        run: () =>
          Promise.race([ingest?.drain(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DRAIN_MS).unref())]),
      },
      { name: 'pending writes', run: () => p.writes?.drain() },
      { name: 'WAL checkpoints', run: () => p.checkpointer?.stop() },
      { name: 'the notification pause', run: () => pause.close() },
      { name: 'the database', run: () => p.db.close() },
      // Its scripts are gone; the next start (if any) starts a new spawner.
      { name: 'the script spawner', run: () => scripts.stopSpawner() },
    ];
  }

  const stopDeadline = { deadlineMs: options.stopDeadlineMs ?? STOP_DEADLINE_MS, logger };

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
    const parts: Parts = { db: openDatabase(dbFile), workers: [] };
    const { db } = parts;
    try {
      controlToken = loadOrCreateControlToken(options.dataDir);
      pause.load();
      // Never wait for SQLite's write lock on the event loop (another process may hold it, e.g.
      // the desktop app and `hookbox serve` on one data dir): the batcher retries instead.
      db.pragma('busy_timeout = 0');
      const writes = new WriteBatcher(db, { walFile: `${dbFile}-wal` });
      parts.writes = writes;
      const checkpointer = new WalCheckpoints(db, writes, { databaseFile: dbFile, logger });
      parts.checkpointer = checkpointer;
      checkpointer.start();
      const outboxStore = new OutboxStore(db);
      // What commits with each record (its NATS outbox row), registered before any record is written.
      const commitHooks: RecordCommitHooks = new CommitHooks();
      const nats = config.nats
        ? new NatsLink({
            config: config.nats,
            db,
            store: outboxStore,
            writes,
            clock,
            logger: logger.child({ component: 'nats' }),
            // Called once the link is started, when both are built.
            intoInbox: (input, alsoWrite) => inbox.inject(input, alsoWrite),
            intoEvents: (input, alsoWrite) => eventIngest.ingestEvent(input, alsoWrite),
          })
        : undefined;
      parts.nats = nats;
      if (nats) publishHubRecords(nats, commitHooks);
      const eventStore = new EventStore(db);
      const eventLog = new EventLog({
        store: eventStore,
        writes,
        clock,
        cacheSize: options.settings.history.cacheSize,
        retention: options.settings.history.retention,
        commitHooks,
      });
      const searchIndexer = new SearchIndexer({
        store: eventStore,
        writes,
        logger: logger.child({ component: 'search-index' }),
      });
      parts.searchIndexer = searchIndexer;
      let kickOutbox = () => undefined as void;
      const terminalFocus = createTerminalFocus({ env, logger: logger.child({ component: 'notify' }) });
      const notifications = new NotificationPipeline({
        settings: () => options.settings.notifications,
        notifier: options.notifier,
        db,
        writes,
        logger: logger.child({ component: 'notify' }),
        clock,
        paused: () => pause.isPaused(),
        focus: terminalFocus,
        outbox: { store: outboxStore, kick: () => kickOutbox() },
        host: config.nats?.host ?? hostToken(hostname()),
        commitHooks,
        ...(options.idleMs ? { idleMs: options.idleMs } : {}),
      });
      const eventIngest = createEventIngest({
        eventLog,
        notifications,
        logger,
        onRecorded: (event) => {
          events.emit('event-recorded', event);
          // Before start completes (the spool's backlog), the indexer's own start picks them up.
          running?.searchIndexer.nudge();
        },
        onNotification: (record) => events.emit('notification', record),
      });
      ingest = eventIngest;
      const inbox = new Inbox({ db, writes, clock, commitHooks });
      inbox.events.on('message', (message) => events.emit('message', message));
      const hookRuns = new HookRunStore(db, { keep: HOOK_RUNS_KEPT });
      const deliveries = new DeliveryLedger(db);
      deliveries.prune(clock.now().getTime());
      const scheduler = new Scheduler({ db, inbox, clock, logger: logger.child({ component: 'schedule' }) });
      parts.scheduler = scheduler;
      for (const hook of config.hooks) inbox.ensureSession(hook.session);
      const manager = new HookManager({
        inbox,
        runs: hookRuns,
        deliveries,
        writes,
        clock,
        logger: logger.child({ component: 'hooks' }),
        baseEnv: env,
        scripts,
        onRun: (run) => events.emit('hook-run', run),
        commitHooks,
      });
      parts.hooks = manager;
      await manager.startAll(config.hooks);
      parts.workers = startWorkers(config, inbox);
      scheduler.start();
      const lifecycle = new LifecycleService({
        db,
        writes,
        clock,
        logger: logger.child({ component: 'lifecycle' }),
        env,
        scripts,
        inbox,
        notifications,
        config: config.lifecycle,
        onEvent: (event) => events.emit('lifecycle-event', event),
        commitHooks,
        onNotification: (record) => events.emit('notification', record),
        onDelivery: (delivery) => events.emit('lifecycle-delivery', delivery),
        outboxStore,
        channelHook: (delivery) => {
          const ntfy = options.settings.notifications.ntfy;
          return delivery.channel === 'ntfy' && ntfy ? { secret: null, headers: ntfyHeaders(ntfy) } : undefined;
        },
      });
      parts.lifecycle = lifecycle;
      kickOutbox = () => lifecycle.outbox.kick();
      // Agents' tool calls go into the history without the command notifications (a denied call is no failed command).
      const agents = new AgentHookService({
        lifecycle,
        eventLog,
        inbox,
        clock,
        onRecorded: (event) => events.emit('event-recorded', event),
      });
      // The window's operations, a consumer of the services above: built before the server
      // listens, so every route it serves is there from the first request.
      let apiUrl = '';

      const app = createAppApi({
        eventLog,
        inbox,
        hooks: manager,
        hookRuns,
        lifecycle,
        lifecycleEvents: lifecycle.store,
        deliveries: lifecycle.outboxStore,
        settings: options.settings,
        notificationPause: pause,
        events,
        config: { file: currentConfigFile, path: configPath, error: () => configError, reload: reloadConfig },
        dataDir: options.dataDir,
        apiUrl: () => apiUrl,
        env,
        launcher: options.launcher ?? null,
        host: nats?.host ?? hostToken(hostname()),
        natsStatus: () => nats?.status() ?? null,
        notifications,
        focus: terminalFocus,
      });

      const api = buildApiServer({
        logger,
        version: HOOKBOX_VERSION,
        maxBodyBytes: options.settings.api.maxBodyBytes,
        eventLog,
        notifications: () => options.settings.notifications,
        ingestEvent: eventIngest.ingestEvent,
        armNextCommand: (pids) => notifications.armNextCommand(pids),
        shellScripts: options.shellScripts ?? shellIntegrationScript,
        shellOptions: () => scriptOptionsFrom(options.settings),
        inbox,
        scheduler,
        hooks: manager,
        hookRuns,
        controlToken,
        configError: () => configError,
        app,
        ...(options.ui ? { ui: options.ui } : {}),
        lifecycle,
        agents,
        nats: () => nats?.status() ?? null,
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
      parts.api = api;
      // Pending webhook deliveries (also those left by a previous run) go out from here on.
      lifecycle.start();
      nats?.start();
      // After a burst of requests or hook runs, once things are quiet, V8 hands back what it grew.
      const memory = new IdleMemoryTrimmer({ quietMs: IDLE_TRIM_QUIET_MS });
      parts.memory = memory;
      api.server.on('request', () => memory.activity());
      events.on('hook-run', () => memory.activity());
      memory.start();
      const address = api.server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      const bound: HubAddress = { host, port: boundPort, url: `http://${host}:${boundPort}` };
      apiUrl = bound.url;
      parts.spool = await startShellSpool(boundPort, port === 0, eventIngest);
      searchIndexer.start();
      parts.agePruning = startAgePruning(eventLog);
      running = {
        db,
        writes,
        api,
        eventLog,
        searchIndexer,
        agePruning: parts.agePruning,
        notifications,
        inbox,
        scheduler,
        hooks: manager,
        hookRuns,
        workers: parts.workers,
        lifecycle,
        app,
        agents,
        unwatch: () => undefined,
        memory,
        checkpointer,
        spool: parts.spool,
        nats,
      };
      if (configPath && options.watchConfig !== false) {
        running.unwatch = watchConfigFile(configPath, () => void reloadConfig());
      }
      return bound;
    } catch (error) {
      // Whatever was started is stopped again, by the same steps as stop().
      const built = running ?? parts;
      running = undefined;
      await runStopSteps(stopSteps(built), stopDeadline);
      throw error;
    }
  }

  async function stop(): Promise<void> {
    if (!running) return;
    const r = running;
    await runStopSteps(stopSteps(r), stopDeadline);
    running = undefined;
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
    scripts,
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
    get host() {
      return running?.nats?.host ?? hostToken(hostname());
    },
    natsStatus() {
      return running?.nats?.status() ?? null;
    },
    get app() {
      return requireRunning().app;
    },
    async focusAgentTerminal(eventId) {
      const terminal = running?.agents.terminalOf(eventId);
      return terminal ? focusTerminal(terminal, env) : false;
    },
  };
  return hub;
}
