import { readdirSync, statSync, accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { defaultPaths } from '../config/paths.ts';
import { DEFAULT_SETTINGS } from '../config/settings-schema.ts';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  checkConfigText,
  ownAddressProblems,
  setTableValues,
  writeConfigFile,
  type ConfigProblem,
} from '../config/config-editing.ts';
import { readText } from '../shell/integration-files.ts';
import { EventEmitter } from 'node:events';
import type { Hub, HubAddress, HubEvents } from '../hub.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import type { ApplyReport } from '../webhooks/hook-manager.ts';
import { runReason, type HookRun, type HookRunSummary } from '../webhooks/hook-run-store.ts';
import { findRun, replayRun, runCurl, runDetail } from '../webhooks/hook-run-actions.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { HOOKBOX_VERSION, SERVICE_NAME } from '../version.ts';
import type {
  ApiOperations,
  ApiSubscriptions,
  OperationName,
  SubscriptionName,
  Unsubscribe,
} from '../../shared/api-contract.ts';
import { AppRequests } from './app-api-schema.ts';
import type { ConfigSaveResult, NavigateTarget, NotificationSettingsView } from './app-api-types.ts';
import { installTarget, shellTargetsStatus, uninstallTarget } from './shell-targets.ts';
import { agentTargetsStatus, installAgentTarget, uninstallAgentTarget } from './agent-targets.ts';

// The window's operations, implemented once on the hub with no transport in sight: Electron's
// ipc-handlers.ts puts them behind ipcMain, the HTTP routes (http/routes/app-routes.ts) behind
// POST /app/rpc/{operation} and GET /app/events. Every request is checked against its schema
// whichever way it came. The mapped types make an operation without an implementation a type error.

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

/** A request that does not match the contract. */
export class InvalidRequestError extends HookboxError {
  constructor(operation: OperationName, message: string) {
    super(ErrorCode.InvalidInput, `${operation}: ${message}`);
    this.name = 'InvalidRequestError';
  }
}

export const EVENT_LIST_DEFAULT = 50;
export const EVENT_LIST_MAX = 500;
const EVENT_PAGE_DEFAULT = 50;

type Parsed<K extends OperationName> = Static<(typeof AppRequests)[K]>;

function parsers(): { [K in OperationName]: (request: unknown) => Parsed<K> } {
  const entries = Object.entries(AppRequests).map(([name, schema]) => {
    const check = Compile(schema as TSchema);
    const isVoid = (schema as { type?: string }).type === 'void' || !('properties' in (schema as object));
    return [
      name,
      (request: unknown) => {
        // A missing request means "the defaults" for operations that take an object.
        const value = request === undefined && !isVoid ? {} : request;
        if (isVoid && (value === undefined || value === null)) return undefined;
        if (check.Check(value)) return value;
        const issue = describeSchemaIssues([...check.Errors(value)]);
        throw new InvalidRequestError(name as OperationName, issue?.message ?? 'invalid request');
      },
    ];
  });
  return Object.fromEntries(entries) as { [K in OperationName]: (request: unknown) => Parsed<K> };
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

export interface AppApiOptions {
  hub: Hub;
  address: HubAddress;
  /** For `${VAR}` in the config (as the hub reads it) and whose home the shell integration edits. */
  env: NodeJS.ProcessEnv;
  /** How agents' configs start this installation's hookbox; null: unknown (install is then refused). */
  launcher?: readonly string[] | null;
}

export function createAppApi({ hub, address, env, launcher = null }: AppApiOptions): AppApi {
  const parse = parsers();
  const home = env.HOME || homedir();
  const agentsCtx = () => ({ home, env, dataDir: hub.dataDir, launcher });
  const configPath = (): string => {
    const path = hub.configFile ?? hub.configPath;
    if (!path) throw new HookboxError(ErrorCode.InvalidConfig, 'this hub runs without a config file');
    return path;
  };

  /** The flags a terminal's `hookbox` needs to reach this hub (those that are not its defaults). */
  function cliFlags(): { globals: string[]; port: number | null } {
    const defaults = defaultPaths(env);
    const config = hub.configPath;
    return {
      globals: [
        ...(config && resolve(config) !== resolve(defaults.configFile) ? ['--config', config] : []),
        ...(resolve(hub.dataDir) !== resolve(defaults.dataDir) ? ['--data-dir', hub.dataDir] : []),
      ],
      port: address.port === DEFAULT_SETTINGS.api.port ? null : address.port,
    };
  }

  function notificationView(): NotificationSettingsView {
    const n = hub.settings.notifications;
    return {
      on_failure: n.onFailure,
      on_long_running: n.onLongRunning,
      long_running_threshold_ms: n.longRunningThresholdMs,
      long_running_ignore: [...n.longRunningIgnore],
      pause: hub.notificationPause.state(),
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
    return problems.length > 0 ? problems : ownAddressProblems(text, path, env, address);
  }

  /**
   * The one way the config file changes from the window: check, write atomically, reload. With
   * `base` (the text the edit started from), a file changed on disk meanwhile is not overwritten.
   */
  async function saveText(text: string, base?: string): Promise<ConfigSaveResult> {
    const path = configPath();
    const unsaved = { saved: false, report: null, config_error: hub.configError };
    if (base !== undefined && (readText(path) ?? '') !== base) return { ...unsaved, problems: [], conflict: true };
    const problems = problemsOf(text, path);
    if (problems.length > 0) return { ...unsaved, problems, conflict: false };
    writeConfigFile(path, text);
    const report = (await hub.reloadConfig()) ?? null;
    return { saved: true, problems: [], report, config_error: hub.configError, conflict: false };
  }

  const handlers: OperationHandlers = {
    async getHealth(request) {
      parse.getHealth(request);
      const unread = hub.inbox.sessions().reduce((sum, s) => sum + s.queued + s.claimed, 0);
      return {
        service: SERVICE_NAME,
        version: HOOKBOX_VERSION,
        event_count: hub.eventLog.count(),
        api_url: address.url,
        unread_messages: unread,
        config_error: hub.configError,
        notifications: hub.notificationPause.state(),
        cli: cliFlags(),
      };
    },
    async listEvents(request) {
      const { limit } = parse.listEvents(request);
      return hub.eventLog.list(Math.min(limit ?? EVENT_LIST_DEFAULT, EVENT_LIST_MAX));
    },
    async queryEvents(request) {
      const q = parse.queryEvents(request);
      const { longRunningThresholdMs: threshold, longRunningIgnore } = hub.settings.notifications;
      const page = hub.eventLog.query({
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
    async getEvent(request) {
      const { id } = parse.getEvent(request);
      const event = hub.eventLog.get(id);
      return event ? { ...event, notifications: hub.notifications.forEvent(id) } : null;
    },

    async listSessions(request) {
      parse.listSessions(request);
      return hub.inbox.sessions();
    },
    async listMessages(request) {
      const { session, state, limit } = parse.listMessages(request);
      return hub.inbox.list(session, { limit: limit ?? 100, ...(state ? { state } : {}) });
    },
    async injectMessage(request) {
      const { session, content, label } = parse.injectMessage(request);
      return hub.inbox.inject({ session, source: 'inject', label: label ?? 'hookbox window', content });
    },
    async markMessageHandled(request) {
      const { session, id } = parse.markMessageHandled(request);
      return hub.inbox.markHandled(session, id);
    },

    async listHooks(request) {
      parse.listHooks(request);
      return { hooks: hub.hooks.status(), lifecycle: hub.lifecycle.handlers(), config_error: hub.configError };
    },
    async listHookRuns(request) {
      const { hook, limit } = parse.listHookRuns(request);
      return hub.hookRuns.recent({ limit: limit ?? 50, ...(hook ? { hook } : {}) });
    },
    async getHookRun(request) {
      const { id } = parse.getHookRun(request);
      const run = hub.hookRuns.find(id);
      return run ? runDetail(run) : null;
    },
    async replayHookRun(request) {
      const { id } = parse.replayHookRun(request);
      return replayRun(hub.hooks, findRun(hub.hookRuns, id));
    },
    async copyRunAsCurl(request) {
      const { id, reveal } = parse.copyRunAsCurl(request);
      return { curl: runCurl(hub.hooks, findRun(hub.hookRuns, id), reveal ?? false) };
    },

    async listLifecycleEvents(request) {
      const { event, limit } = parse.listLifecycleEvents(request);
      return hub.lifecycle.store.recent({ limit: limit ?? 50, ...(event ? { event } : {}) });
    },
    async getLifecycleEvent(request) {
      const { id } = parse.getLifecycleEvent(request);
      const lifecycle = hub.lifecycle;
      const event = lifecycle.store.find(id);
      if (!event) return null;
      return {
        event,
        runs: lifecycle.store.runsFor(event.id),
        deliveries: lifecycle.outboxStore.list({ eventId: event.id, limit: 1000 }),
      };
    },
    async listLifecycleDeliveries(request) {
      const { state, limit } = parse.listLifecycleDeliveries(request);
      return hub.lifecycle.outboxStore.list({ limit: limit ?? 50, ...(state ? { state } : {}) });
    },
    async retryLifecycleDelivery(request) {
      const { id } = parse.retryLifecycleDelivery(request);
      return hub.lifecycle.retryDelivery(id);
    },

    async getConfig(request) {
      parse.getConfig(request);
      const path = configPath();
      const text = readText(path);
      return { path, exists: text !== undefined, text: text ?? '', config_error: hub.configError };
    },
    async checkConfig(request) {
      const { text } = parse.checkConfig(request);
      const problems = problemsOf(text, configPath());
      return { ok: problems.length === 0, problems };
    },
    async saveConfig(request) {
      const { text, base } = parse.saveConfig(request);
      return saveText(text, base);
    },
    async listScripts(request) {
      parse.listScripts(request);
      const dir = dirname(configPath());
      const nearHome = dir === home ? [] : executablesNear(home).map((path) => `~/${path}`);
      return { dir, home, scripts: [...executablesNear(dir), ...nearHome] };
    },

    async getNotificationSettings(request) {
      parse.getNotificationSettings(request);
      return notificationView();
    },
    async updateNotificationSettings(request) {
      const changes = parse.updateNotificationSettings(request);
      const path = configPath();
      const before = readText(path) ?? '';
      const values = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Record<
        string,
        boolean | number | string[]
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
    async pauseNotifications(request) {
      const { minutes } = parse.pauseNotifications(request);
      return hub.notificationPause.pause(minutes === undefined ? null : minutes * 60_000);
    },
    async resumeNotifications(request) {
      parse.resumeNotifications(request);
      return hub.notificationPause.resume();
    },

    async getShellIntegration(request) {
      parse.getShellIntegration(request);
      return { base_url: address.url, home, targets: shellTargetsStatus({ home, env }) };
    },
    async installShellIntegration(request) {
      const { target } = parse.installShellIntegration(request);
      return installTarget(target, { home, env }, address.url);
    },
    async uninstallShellIntegration(request) {
      const { target } = parse.uninstallShellIntegration(request);
      return uninstallTarget(target, { home, env });
    },

    async getAgentIntegration(request) {
      parse.getAgentIntegration(request);
      return agentTargetsStatus(agentsCtx());
    },
    async installAgentIntegration(request) {
      const { agent, part } = parse.installAgentIntegration(request);
      return installAgentTarget(agent, part, agentsCtx());
    },
    async uninstallAgentIntegration(request) {
      const { agent, part } = parse.uninstallAgentIntegration(request);
      return uninstallAgentTarget(agent, part, agentsCtx());
    },
  };

  function on<E extends keyof HubEvents>(name: E, listener: (...args: HubEvents[E]) => void): Unsubscribe {
    // Node's typed EventEmitter cannot relate a generic key to its listener; the signature above does.
    const events = hub.events as unknown as EventEmitter;
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
    if (hub.eventLog.get(id)) target = { view: 'events', event_id: id };
    else if (hub.lifecycle.store.find(id)?.id === id) target = { view: 'hooks', lifecycle_event_id: id };
    if (target) navigation.emit('navigate', target);
    return target;
  }

  const subscriptions: SubscriptionSources = {
    onEventRecorded: (emit) => on('event-recorded', emit),
    onInboxChanged(emit) {
      // Held here: unsubscribing may come after the hub stopped.
      const inbox = hub.inbox;
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
        emit({ config_error: hub.configError, report }),
      );
      const offError = on('config-error', () => emit({ config_error: hub.configError, report: null }));
      return () => {
        offReloaded();
        offError();
      };
    },
    onPauseChanged(emit) {
      hub.notificationPause.events.on('changed', emit);
      return () => {
        hub.notificationPause.events.off('changed', emit);
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
