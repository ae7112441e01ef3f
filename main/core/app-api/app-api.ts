import { scriptOptionsFrom } from '../shell/script-text.ts';
import { readdirSync, statSync, accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { defaultPaths } from '../config/paths.ts';
import { DEFAULT_SETTINGS } from '../config/settings-schema.ts';
import type { Static, TSchema } from 'typebox';
import { schemaCheck } from '../util/schema-check.ts';
import {
  checkConfigText,
  ownAddressProblems,
  setTableValues,
  writeConfigFile,
  type ConfigProblem,
} from '../config/config-editing.ts';
import { readText } from '../shell/integration-files.ts';
import { EventEmitter } from 'node:events';
import type { Settings } from '../config/settings-schema.ts';
import type { NatsStatus } from '../nats/nats-link.ts';
import type { HubEvents } from '../hub-types.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import type { EventLog } from '../events/event-log.ts';
import type { Inbox } from '../inbox/inbox.ts';
import type { LifecycleService } from '../lifecycle/lifecycle-service.ts';
import type { LifecycleStore } from '../lifecycle/lifecycle-store.ts';
import type { OutboxStore } from '../lifecycle/outbox-store.ts';
import type { NotificationPause } from '../notify/notification-pause.ts';
import type { NotificationPipeline } from '../notify/notification-pipeline.ts';
import type { TerminalFocus } from '../notify/focus/terminal-focus.ts';
import type { ApplyReport, HookManager } from '../webhooks/hook-manager.ts';
import { runReason, type HookRun, type HookRunStore, type HookRunSummary } from '../webhooks/hook-run-store.ts';
import { findRun, replayRun, runCurl, runDetail } from '../webhooks/hook-run-actions.ts';
import { eventListLimit } from '../events/event-log.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { HOOKBOX_VERSION, SERVICE_NAME } from '../version.ts';
import type { ApiOperations, OperationName, Unsubscribe } from '../../shared/api-contract.ts';
import type { AppApi, OperationHandlers, SubscriptionSources } from './app-api-interface.ts';
import { AppRequests } from './app-api-schema.ts';
import type { ConfigSaveResult, NavigateTarget, NotificationSettingsView } from './app-api-types.ts';
import { installTarget, shellTargetsStatus, uninstallTarget } from './shell-targets.ts';
import { agentTargetsStatus, installAgentTarget, uninstallAgentTarget } from './agent-targets.ts';

// The window's operations, implemented once over the hub's services with no transport in sight:
// Electron's ipc-handlers.ts puts them behind ipcMain, the HTTP routes (http/routes/app-routes.ts)
// behind POST /app/rpc/{operation} and GET /app/events. The hub builds it before its server
// listens. Every request is checked against its schema by one wrapper (validated(), below) before
// an implementation sees it, whichever way it came; an implementation receives the parsed request,
// so none can skip the check. The mapped types make an operation without an implementation a type
// error.

/** A request that does not match the contract. */
export class InvalidRequestError extends HookboxError {
  constructor(operation: OperationName, message: string) {
    super(ErrorCode.InvalidInput, `${operation}: ${message}`);
    this.name = 'InvalidRequestError';
  }
}

const EVENT_PAGE_DEFAULT = 50;

type Parsed<K extends OperationName> = Static<(typeof AppRequests)[K]>;

/** The operations as written below: each receives its request already checked. */
type Implementations = {
  [K in OperationName]: (request: Parsed<K>) => Promise<ApiOperations[K]['response']>;
};

/** The one place requests are checked: every implementation behind its schema's parser. */
function validated(implementations: Implementations): OperationHandlers {
  const entries = Object.entries(AppRequests).map(([name, schema]) => {
    const check = schemaCheck(schema as TSchema);
    const isVoid = (schema as { type?: string }).type === 'void' || !('properties' in (schema as object));
    const implementation = implementations[name as OperationName] as (request: unknown) => Promise<unknown>;
    const parse = (request: unknown): unknown => {
      // A missing request means "the defaults" for operations that take an object.
      const value = request === undefined && !isVoid ? {} : request;
      if (isVoid && (value === undefined || value === null)) return undefined;
      if (check.Check(value)) return value;
      const issue = describeSchemaIssues([...check.Errors(value)]);
      throw new InvalidRequestError(name as OperationName, issue?.message ?? 'invalid request');
    };
    return [name, async (request: unknown) => implementation(parse(request))];
  });
  return Object.fromEntries(entries) as OperationHandlers;
}

function summary(run: Omit<HookRun, 'body'> | HookRunSummary): HookRunSummary {
  if ('reason' in run) return run;
  const { headers: _h, stdout: _o, stderr: _e, ...rest } = run;
  return { ...rest, reason: runReason(run) };
}

const ENV_OVERRIDES = [
  { field: 'on_failure', variable: 'AGENTD_NOTIFY_ON_FAILURE' },
  { field: 'on_long_running', variable: 'AGENTD_NOTIFY_ON_LONG_RUNNING' },
  { field: 'long_running_threshold_ms', variable: 'AGENTD_LONG_RUNNING_THRESHOLD_MS' },
] as const;

/** Executables in `dir` and one folder down (hooks/, scripts/…), relative to `dir`. */
function executablesNear(dir: string): string[] {
  const found: string[] = [];
  const visit = (folder: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const path = join(folder, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if (depth === 0) visit(path, 1);
      } else if (stat.isFile()) {
        try {
          accessSync(path, constants.X_OK);
          found.push(relative(dir, path));
        } catch {
          // not executable
        }
      }
      if (found.length >= 200) return;
    }
  };
  visit(dir, 0);
  return found;
}

/** The config file as the hub holds it: the window reads, checks and rewrites it through these. */
export interface ConfigAccess {
  /** The file in use (it may have been created at `path` since start); null: none. */
  file(): string | null;
  /** Where the file belongs when there is none yet. */
  path: string | null;
  /** Why the running config is not the file's (null when it is). */
  error(): string | null;
  /** Re-reads the file now; undefined when the hub is not running or has no file. */
  reload(): Promise<ApplyReport | undefined>;
}

/** The hub's services the window's operations use, handed over by the composition root (hub.ts). */
export interface AppApiServices {
  eventLog: EventLog;
  inbox: Inbox;
  hooks: HookManager;
  hookRuns: HookRunStore;
  lifecycle: Pick<LifecycleService, 'handlers' | 'retryDelivery'>;
  lifecycleEvents: LifecycleStore;
  deliveries: OutboxStore;
  settings: Settings;
  notificationPause: NotificationPause;
  events: EventEmitter<HubEvents>;
  config: ConfigAccess;
  dataDir: string;
  /** Base URL of the local API; the port is known once the server listens, before any request. */
  apiUrl: () => string;
  /** For `${VAR}` in the config (as the hub reads it) and whose home the shell integration edits. */
  env: NodeJS.ProcessEnv;
  /** How agents' configs start this installation's hookbox; null: unknown (install is then refused). */
  launcher?: readonly string[] | null;
  /** This machine's name in every record it shares (NATS), shown in the window. */
  host: string;
  /** The NATS link's state; null: no [nats] in the config. */
  natsStatus: () => NatsStatus | null;
  /** The notifications an event raised (its detail shows them). */
  notifications: Pick<NotificationPipeline, 'forEvent'>;
  /** Where the focus probes could not tell whether a terminal is in front (the Notifications view says). */
  focus?: Pick<TerminalFocus, 'unknownPlaces'>;
}

export function createAppApi(services: AppApiServices): AppApi {
  const { env, config, settings, notificationPause: pause, launcher = null } = services;
  const { eventLog, inbox, hooks, hookRuns, lifecycle, lifecycleEvents, deliveries, apiUrl } = services;
  const home = env.HOME || homedir();
  const agentsCtx = () => ({ home, env, dataDir: services.dataDir, launcher });
  const configPath = (): string => {
    const path = config.file() ?? config.path;
    if (!path) throw new HookboxError(ErrorCode.InvalidConfig, 'this hub runs without a config file');
    return path;
  };

  /** Where the local API listens (known before any request). */
  function apiAddress(): { host: string; port: number } {
    const url = new URL(apiUrl());
    return { host: url.hostname, port: Number(url.port) };
  }

  /** The flags a terminal's `hookbox` needs to reach this hub (those that are not its defaults). */
  function cliFlags(): { globals: string[]; port: number | null } {
    const defaults = defaultPaths(env);
    const file = config.file() ?? config.path;
    const { port } = apiAddress();
    return {
      globals: [
        ...(file && resolve(file) !== resolve(defaults.configFile) ? ['--config', file] : []),
        ...(resolve(services.dataDir) !== resolve(defaults.dataDir) ? ['--data-dir', services.dataDir] : []),
      ],
      port: port === DEFAULT_SETTINGS.api.port ? null : port,
    };
  }

  function notificationView(): NotificationSettingsView {
    const n = settings.notifications;
    return {
      on_failure: n.onFailure,
      on_long_running: n.onLongRunning,
      long_running_threshold_ms: n.longRunningThresholdMs,
      long_running_ignore: [...n.longRunningIgnore],
      failure_when: n.failureWhen,
      long_running_when: n.longRunningWhen,
      focus_unknown: services.focus?.unknownPlaces() ?? [],
      pause: pause.state(),
      env_overrides: ENV_OVERRIDES.filter((o) => (env[o.variable] ?? '').trim() !== '').map((o) => ({
        field: o.field,
        variable: o.variable,
      })),
      config_path: configPath(),
    };
  }

  /** The checks a reload makes, and a hook may not take the hub's own address (it would never listen). */
  function problemsOf(text: string, path: string): ConfigProblem[] {
    const problems = checkConfigText(text, path, env);
    return problems.length > 0 ? problems : ownAddressProblems(text, path, env, apiAddress());
  }

  /**
   * The one way the config file changes from the window: check, write atomically, reload. With
   * `base` (the text the edit started from), a file changed on disk meanwhile is not overwritten.
   */
  async function saveText(text: string, base?: string): Promise<ConfigSaveResult> {
    const path = configPath();
    const unsaved = { saved: false, report: null, config_error: config.error() };
    if (base !== undefined && (readText(path) ?? '') !== base) return { ...unsaved, problems: [], conflict: true };
    const problems = problemsOf(text, path);
    if (problems.length > 0) return { ...unsaved, problems, conflict: false };
    writeConfigFile(path, text);
    const report = (await config.reload()) ?? null;
    return { saved: true, problems: [], report, config_error: config.error(), conflict: false };
  }

  const handlers = validated({
    async getHealth() {
      const unread = inbox.sessions().reduce((sum, s) => sum + s.queued + s.claimed, 0);
      return {
        service: SERVICE_NAME,
        version: HOOKBOX_VERSION,
        event_count: eventLog.count(),
        api_url: apiUrl(),
        unread_messages: unread,
        config_error: config.error(),
        notifications: pause.state(),
        host: services.host,
        nats: services.natsStatus(),
        cli: cliFlags(),
      };
    },
    async listEvents({ limit }) {
      return eventLog.list(eventListLimit(limit));
    },
    async queryEvents(q) {
      const { longRunningThresholdMs: threshold, longRunningIgnore } = settings.notifications;
      const page = eventLog.query({
        limit: q.limit ?? EVENT_PAGE_DEFAULT,
        ...(q.failed_only ? { failedOnly: true } : {}),
        ...(q.long_running ? { longerThanMs: threshold, ignorePrograms: longRunningIgnore } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.agent ? { agent: q.agent } : {}),
        ...(q.session ? { session: q.session } : {}),
        ...(q.text?.trim() ? { text: q.text.trim() } : {}),
        ...(q.cursor ? { beforeSeq: Number(q.cursor) } : {}),
      });
      return {
        events: page.events,
        next_cursor: page.nextSeq === null ? null : String(page.nextSeq),
        total: page.total,
        total_is_lower_bound: page.totalIsLowerBound,
        partial: page.partial,
        search: page.search,
        long_running_threshold_ms: threshold,
      };
    },
    async getEvent({ id }) {
      const event = eventLog.get(id);
      return event ? { ...event, notifications: services.notifications.forEvent(id) } : null;
    },

    async listSessions() {
      return inbox.sessions();
    },
    async listMessages({ session, state, limit }) {
      return inbox.list(session, { limit: limit ?? 100, ...(state ? { state } : {}) });
    },
    async injectMessage({ session, content, label }) {
      return inbox.inject({ session, source: 'inject', label: label ?? 'hookbox window', content });
    },
    async markMessageHandled({ session, id }) {
      return inbox.markHandled(session, id);
    },

    async listHooks() {
      return { hooks: hooks.status(), lifecycle: lifecycle.handlers(), config_error: config.error() };
    },
    async listHookRuns({ hook, limit }) {
      return hookRuns.recent({ limit: limit ?? 50, ...(hook ? { hook } : {}) });
    },
    async getHookRun({ id }) {
      const run = hookRuns.find(id);
      return run ? runDetail(run) : null;
    },
    async replayHookRun({ id }) {
      return replayRun(hooks, findRun(hookRuns, id));
    },
    async copyRunAsCurl({ id, reveal }) {
      return { curl: runCurl(hooks, findRun(hookRuns, id), reveal ?? false) };
    },

    async listLifecycleEvents({ event, limit }) {
      return lifecycleEvents.recent({ limit: limit ?? 50, ...(event ? { event } : {}) });
    },
    async getLifecycleEvent({ id }) {
      const event = lifecycleEvents.find(id);
      if (!event) return null;
      return {
        event,
        runs: lifecycleEvents.runsFor(event.id),
        deliveries: deliveries.list({ eventId: event.id, limit: 1000 }),
      };
    },
    async listLifecycleDeliveries({ state, limit }) {
      return deliveries.list({ limit: limit ?? 50, ...(state ? { state } : {}) });
    },
    async retryLifecycleDelivery({ id }) {
      return lifecycle.retryDelivery(id);
    },

    async getConfig() {
      const path = configPath();
      const text = readText(path);
      return { path, exists: text !== undefined, text: text ?? '', config_error: config.error() };
    },
    async checkConfig({ text }) {
      const problems = problemsOf(text, configPath());
      return { ok: problems.length === 0, problems };
    },
    async saveConfig({ text, base }) {
      return saveText(text, base);
    },
    async listScripts() {
      const dir = dirname(configPath());
      const nearHome = dir === home ? [] : executablesNear(home).map((path) => `~/${path}`);
      return { dir, home, scripts: [...executablesNear(dir), ...nearHome] };
    },

    async getNotificationSettings() {
      return notificationView();
    },
    async updateNotificationSettings(changes) {
      const path = configPath();
      const before = readText(path) ?? '';
      const values = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Record<
        string,
        boolean | number | string | string[]
      >;
      if (Object.keys(values).length === 0) return notificationView();
      const result = await saveText(setTableValues(before, 'notifications', values, path));
      if (!result.saved)
        throw new HookboxError(
          ErrorCode.InvalidConfig,
          result.problems.map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message)).join('; '),
        );
      return notificationView();
    },
    async pauseNotifications({ minutes }) {
      return pause.pause(minutes === undefined ? null : minutes * 60_000);
    },
    async resumeNotifications() {
      return pause.resume();
    },

    async getShellIntegration() {
      return { base_url: apiUrl(), home, targets: shellTargetsStatus({ home, env }) };
    },
    async installShellIntegration({ target }) {
      return installTarget(target, { home, env }, apiUrl(), scriptOptionsFrom(settings));
    },
    async uninstallShellIntegration({ target }) {
      return uninstallTarget(target, { home, env });
    },

    async getAgentIntegration() {
      return agentTargetsStatus(agentsCtx());
    },
    async installAgentIntegration({ agent, part }) {
      return installAgentTarget(agent, part, agentsCtx());
    },
    async uninstallAgentIntegration({ agent, part }) {
      return uninstallAgentTarget(agent, part, agentsCtx());
    },
  });

  function on<E extends keyof HubEvents>(name: E, listener: (...args: HubEvents[E]) => void): Unsubscribe {
    // Node's typed EventEmitter cannot relate a generic key to its listener; the signature above does.
    const events = services.events as unknown as EventEmitter;
    events.on(name, listener as (...args: unknown[]) => void);
    return () => {
      events.off(name, listener as (...args: unknown[]) => void);
    };
  }

  // Navigation comes from the shell (a notification click), not from the hub's own events.
  const navigation = new EventEmitter<{ navigate: [target: NavigateTarget] }>();
  navigation.setMaxListeners(0);

  function navigate(id: string): NavigateTarget | null {
    let target: NavigateTarget | null = null;
    if (eventLog.get(id)) target = { view: 'events', event_id: id };
    else if (lifecycleEvents.find(id)?.id === id) target = { view: 'hooks', lifecycle_event_id: id };
    if (target) navigation.emit('navigate', target);
    return target;
  }

  const subscriptions: SubscriptionSources = {
    onEventRecorded: (emit) => on('event-recorded', emit),
    onInboxChanged(emit) {
      const acked = (message: Parameters<typeof emit>[0]) => emit(message);
      inbox.events.on('acked', acked);
      const off = on('message', emit);
      return () => {
        off();
        inbox.events.off('acked', acked);
      };
    },
    onHookRun: (emit) => on('hook-run', (run: Omit<HookRun, 'body'>) => emit(summary(run))),
    onConfigChanged(emit) {
      const offReloaded = on('config-reloaded', (report: ApplyReport) =>
        emit({ config_error: config.error(), report }),
      );
      const offError = on('config-error', () => emit({ config_error: config.error(), report: null }));
      return () => {
        offReloaded();
        offError();
      };
    },
    onPauseChanged(emit) {
      pause.events.on('changed', emit);
      return () => {
        pause.events.off('changed', emit);
      };
    },
    onLifecycleEvent: (emit) => on('lifecycle-event', emit),
    onLifecycleDelivery: (emit) => on('lifecycle-delivery', emit),
    onNavigate(emit) {
      navigation.on('navigate', emit);
      return () => {
        navigation.off('navigate', emit);
      };
    },
  };

  return { handlers, subscriptions, navigate };
}
