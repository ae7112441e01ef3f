import type { Static } from 'typebox';
import type { AppRequests } from '../core/app-api/app-api-schema.ts';
import type {
  AgentChangeResult,
  AgentIntegrationOverview,
  ConfigChange,
  ConfigCheck,
  ConfigDocument,
  ConfigSaveResult,
  EventDetail,
  EventPage,
  HookRunDetail,
  HookRunSummary,
  HooksOverview,
  HubHealth,
  InboxMessage,
  LifecycleDelivery,
  LifecycleEventDetail,
  LifecycleEventRecord,
  NavigateTarget,
  NotificationSettingsView,
  PauseState,
  RecordedEvent,
  ReplayResult,
  ScriptList,
  SessionSummary,
  ShellChangeResult,
  ShellIntegrationOverview,
} from '../core/app-api/app-api-types.ts';

// The one contract for every call the renderer may make. The preload implements it over Electron
// IPC, the browser build (renderer/src/transport/http-transport.ts) over HTTP to `hookbox serve`;
// both end in the same core implementation (main/core/app-api/app-api.ts). The renderer imports
// `HookboxApi` and never a transport. This file holds types and channel names only: the sandboxed
// preload bundles it, and every import here is erased.

export type * from '../core/app-api/app-api-types.ts';

/** The request type of an operation, derived from its TypeBox schema (the one place it is written). */
type RequestOf<K extends keyof typeof AppRequests> = Static<(typeof AppRequests)[K]>;

/** Request/response operations: one entry per call. */
export interface ApiOperations {
  getHealth: { request: RequestOf<'getHealth'>; response: HubHealth };
  listEvents: { request: RequestOf<'listEvents'>; response: RecordedEvent[] };
  queryEvents: { request: RequestOf<'queryEvents'>; response: EventPage };
  /** null when no event has that id. */
  getEvent: { request: RequestOf<'getEvent'>; response: EventDetail | null };

  listSessions: { request: RequestOf<'listSessions'>; response: SessionSummary[] };
  /** Newest first. */
  listMessages: { request: RequestOf<'listMessages'>; response: InboxMessage[] };
  injectMessage: { request: RequestOf<'injectMessage'>; response: InboxMessage };
  markMessageHandled: { request: RequestOf<'markMessageHandled'>; response: InboxMessage };

  listHooks: { request: RequestOf<'listHooks'>; response: HooksOverview };
  listHookRuns: { request: RequestOf<'listHookRuns'>; response: HookRunSummary[] };
  /** null when no run has that id. */
  getHookRun: { request: RequestOf<'getHookRun'>; response: HookRunDetail | null };
  replayHookRun: { request: RequestOf<'replayHookRun'>; response: ReplayResult };
  copyRunAsCurl: { request: RequestOf<'copyRunAsCurl'>; response: { curl: string } };
  listLifecycleEvents: { request: RequestOf<'listLifecycleEvents'>; response: LifecycleEventRecord[] };
  /** null when no lifecycle event has that id. */
  getLifecycleEvent: { request: RequestOf<'getLifecycleEvent'>; response: LifecycleEventDetail | null };
  listLifecycleDeliveries: { request: RequestOf<'listLifecycleDeliveries'>; response: LifecycleDelivery[] };
  /** The delivery as revived (pending); it is attempted at once. */
  retryLifecycleDelivery: { request: RequestOf<'retryLifecycleDelivery'>; response: LifecycleDelivery };

  getConfig: { request: RequestOf<'getConfig'>; response: ConfigDocument };
  checkConfig: { request: RequestOf<'checkConfig'>; response: ConfigCheck };
  saveConfig: { request: RequestOf<'saveConfig'>; response: ConfigSaveResult };
  listScripts: { request: RequestOf<'listScripts'>; response: ScriptList };

  getNotificationSettings: { request: RequestOf<'getNotificationSettings'>; response: NotificationSettingsView };
  updateNotificationSettings: { request: RequestOf<'updateNotificationSettings'>; response: NotificationSettingsView };
  pauseNotifications: { request: RequestOf<'pauseNotifications'>; response: PauseState };
  resumeNotifications: { request: RequestOf<'resumeNotifications'>; response: PauseState };

  getShellIntegration: { request: RequestOf<'getShellIntegration'>; response: ShellIntegrationOverview };
  installShellIntegration: { request: RequestOf<'installShellIntegration'>; response: ShellChangeResult };
  uninstallShellIntegration: { request: RequestOf<'uninstallShellIntegration'>; response: ShellChangeResult };
  getAgentIntegration: { request: RequestOf<'getAgentIntegration'>; response: AgentIntegrationOverview };
  installAgentIntegration: { request: RequestOf<'installAgentIntegration'>; response: AgentChangeResult };
  uninstallAgentIntegration: { request: RequestOf<'uninstallAgentIntegration'>; response: AgentChangeResult };
}

/** Pushed from the hub to the renderer. */
export interface ApiSubscriptions {
  onEventRecorded: { payload: RecordedEvent };
  /** A message arrived in a session or was handled. */
  onInboxChanged: { payload: InboxMessage };
  /** A webhook hook finished a request (or a replay). */
  onHookRun: { payload: HookRunSummary };
  /** The config file was reloaded, or an edit was refused. */
  onConfigChanged: { payload: ConfigChange };
  /** Notifications were paused or resumed (here, from the tray, or a pause ran out). */
  onPauseChanged: { payload: PauseState };
  /** A lifecycle event was decided and stored. */
  onLifecycleEvent: { payload: LifecycleEventRecord };
  /** A webhook delivery was attempted (delivered, retrying, dead) or revived. */
  onLifecycleDelivery: { payload: LifecycleDelivery };
  /**
   * The desktop shell asks the window to show an item (a notification was clicked). Only the
   * Electron main process sends it; `hookbox serve` never does (a notify-send notification has
   * no way back to a browser tab), so over HTTP this stream stays silent.
   */
  onNavigate: { payload: NavigateTarget };
}

// Fails the type check if an operation lacks a request or a response type, a subscription lacks
// its payload type, or the schemas and the operations name different calls.
type EveryOperationHasRequestAndResponse<T extends { [K in keyof T]: { request: unknown; response: unknown } }> = T;
type EverySubscriptionHasPayload<T extends { [K in keyof T]: { payload: unknown } }> = T;
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
/** @public a compile-time check, never imported */
export type CheckedOperations = EveryOperationHasRequestAndResponse<ApiOperations>;
/** @public a compile-time check, never imported */
export type CheckedSubscriptions = EverySubscriptionHasPayload<ApiSubscriptions>;
const schemasNameEveryOperation: SameKeys<typeof AppRequests, ApiOperations> = true;
void schemasNameEveryOperation;

/** IPC channel per operation (`satisfies` fails the build when one is missing or extra). */
export const INVOKE_CHANNELS = {
  getHealth: 'hookbox:get-health',
  listEvents: 'hookbox:list-events',
  queryEvents: 'hookbox:query-events',
  getEvent: 'hookbox:get-event',
  listSessions: 'hookbox:list-sessions',
  listMessages: 'hookbox:list-messages',
  injectMessage: 'hookbox:inject-message',
  markMessageHandled: 'hookbox:mark-message-handled',
  listHooks: 'hookbox:list-hooks',
  listHookRuns: 'hookbox:list-hook-runs',
  getHookRun: 'hookbox:get-hook-run',
  replayHookRun: 'hookbox:replay-hook-run',
  copyRunAsCurl: 'hookbox:copy-run-as-curl',
  listLifecycleEvents: 'hookbox:list-lifecycle-events',
  getLifecycleEvent: 'hookbox:get-lifecycle-event',
  listLifecycleDeliveries: 'hookbox:list-lifecycle-deliveries',
  retryLifecycleDelivery: 'hookbox:retry-lifecycle-delivery',
  getConfig: 'hookbox:get-config',
  checkConfig: 'hookbox:check-config',
  saveConfig: 'hookbox:save-config',
  listScripts: 'hookbox:list-scripts',
  getNotificationSettings: 'hookbox:get-notification-settings',
  updateNotificationSettings: 'hookbox:update-notification-settings',
  pauseNotifications: 'hookbox:pause-notifications',
  resumeNotifications: 'hookbox:resume-notifications',
  getShellIntegration: 'hookbox:get-shell-integration',
  installShellIntegration: 'hookbox:install-shell-integration',
  uninstallShellIntegration: 'hookbox:uninstall-shell-integration',
  getAgentIntegration: 'hookbox:get-agent-integration',
  installAgentIntegration: 'hookbox:install-agent-integration',
  uninstallAgentIntegration: 'hookbox:uninstall-agent-integration',
} as const satisfies { [K in keyof ApiOperations]: string };

/** IPC channel per subscription. */
export const SUBSCRIPTION_CHANNELS = {
  onEventRecorded: 'hookbox:event-recorded',
  onInboxChanged: 'hookbox:inbox-changed',
  onHookRun: 'hookbox:hook-run',
  onConfigChanged: 'hookbox:config-changed',
  onPauseChanged: 'hookbox:pause-changed',
  onLifecycleEvent: 'hookbox:lifecycle-event',
  onLifecycleDelivery: 'hookbox:lifecycle-delivery',
  onNavigate: 'hookbox:navigate',
} as const satisfies { [K in keyof ApiSubscriptions]: string };

export type OperationName = keyof ApiOperations;
export type SubscriptionName = keyof ApiSubscriptions;
export type Unsubscribe = () => void;

/** The interface the renderer sees as `window.hookbox` (IPC) or builds over HTTP. */
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
