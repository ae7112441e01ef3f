// What the window's operations answer (the requests are TypeBox schemas in app-api-schema.ts).
// Types only: main/shared/api-contract.ts re-exports them for the renderer.
import type { RecordedEvent } from '../events/event-schema.ts';
import type { SearchInfo } from '../events/event-store.ts';
import type { ApplyReport } from '../webhooks/hook-manager.ts';
import type { NotificationRecord } from '../notify/notification-store.ts';

export type { RecordedEvent } from '../events/event-schema.ts';
export type { SearchInfo as EventSearchInfo } from '../events/event-store.ts';
export type { InboxMessage, SessionSummary } from '../inbox/inbox-store.ts';
export type { ApplyReport, HookStatus } from '../webhooks/hook-manager.ts';
export type { HookRunSummary } from '../webhooks/hook-run-store.ts';
export type { HookRunDetail, ReplayResult } from '../webhooks/hook-run-actions.ts';
export type { PauseState } from '../notify/notification-pause.ts';
export type { NotificationRecord } from '../notify/notification-store.ts';
export type { ConfigProblem } from '../config/config-editing.ts';
export type { HandlerView as LifecycleHandler } from '../lifecycle/lifecycle-service.ts';
export type { LifecycleEventRecord } from '../lifecycle/lifecycle-store.ts';
export type { DeliverySummary as LifecycleDelivery } from '../lifecycle/outbox-store.ts';

import type { PauseState } from '../notify/notification-pause.ts';
import type { NotifyWhen } from '../config/settings-schema.ts';
import type { ConfigProblem } from '../config/config-editing.ts';
import type { HookStatus } from '../webhooks/hook-manager.ts';
import type { HandlerView } from '../lifecycle/lifecycle-service.ts';
import type { LifecycleEventRecord, StoredRun } from '../lifecycle/lifecycle-store.ts';
import type { DeliverySummary } from '../lifecycle/outbox-store.ts';

/** What the window shows about the running hub. */
export interface HubHealth {
  service: string;
  version: string;
  /** Events in the store. */
  event_count: number;
  /** Base URL of the local API that shells and scripts post to, e.g. http://127.0.0.1:17002 */
  api_url: string;
  /** Messages not yet handled, over every session. */
  unread_messages: number;
  /** Why the running config is not the file's (null when it is). */
  config_error: string | null;
  notifications: PauseState;
  /** This machine's name in published records and pushes. */
  host: string;
  /** The NATS link ([nats]); null when not configured. */
  nats: NatsStatus | null;
  /**
   * What a `hookbox` command in a terminal needs to reach this hub, for the commands the window
   * suggests: the global flags (`--config`, `--data-dir`) when they are not the defaults, and the
   * port for a subcommand's `--port` (null: the default, 17002).
   */
  cli: { globals: string[]; port: number | null };
}

/** One event as its detail shows it: with the notifications it raised (what `hookbox events show` prints). */
export interface EventDetail extends RecordedEvent {
  notifications: NotificationRecord[];
}

export interface EventPage {
  events: RecordedEvent[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
  /** Events matching the filters in the whole history; exact unless `total_is_lower_bound`. */
  total: number;
  /**
   * Counting stopped early (at 10,000 matches, or at the bound of a walk through events no index
   * answers): at least `total` events match.
   */
  total_is_lower_bound: boolean;
  /**
   * The page ended at the bound of such a walk before it was full: older events were not looked
   * at yet; `next_cursor` continues from there.
   */
  partial: boolean;
  /** How the text was searched; null without a text. */
  search: SearchInfo | null;
  /** What "long-running" means right now (the notification rules' threshold). */
  long_running_threshold_ms: number;
}

export interface HooksOverview {
  hooks: HookStatus[];
  /** Lifecycle hook handlers (Bernstein, Loom, Claude Code events) from the config's lifecycle tables. */
  lifecycle: HandlerView[];
  /** The last config error (a reload that was refused, a hook that could not listen). */
  config_error: string | null;
}

export interface ConfigDocument {
  /** The file the editor reads and writes (created on first save when it does not exist). */
  path: string;
  exists: boolean;
  text: string;
  config_error: string | null;
}

export interface ConfigCheck {
  ok: boolean;
  problems: ConfigProblem[];
}

export interface ConfigSaveResult {
  saved: boolean;
  /** Why it was not saved (the file was left as it was). */
  problems: ConfigProblem[];
  /** What the hot reload changed; null when nothing was saved. */
  report: ApplyReport | null;
  /** Set when the saved config did not fully apply (e.g. a hook's port is taken). */
  config_error: string | null;
  /**
   * The file changed on disk since the editor loaded it (it is no longer the request's `base`):
   * nothing was written, so an edit made elsewhere is never overwritten unseen.
   */
  conflict: boolean;
}

export interface ScriptList {
  /** The config file's folder. */
  dir: string;
  /** The user's home (its scripts are listed as `~/…`). */
  home: string;
  /** Executable files in `dir` and one folder down (relative to `dir`), then the same in the home (`~/…`). */
  scripts: string[];
}

export interface NotificationSettingsView {
  on_failure: boolean;
  on_long_running: boolean;
  long_running_threshold_ms: number;
  long_running_ignore: string[];
  /** When each rule notifies: always, only when the command's terminal is not in front, never. */
  failure_when: NotifyWhen;
  long_running_when: NotifyWhen;
  /** Where focus could not be told so far (since the hub started): "unfocused" notifies there. */
  focus_unknown: Array<{ where: string; why: string }>;
  pause: PauseState;
  /** Settings an AGENTD_* environment variable fixes: the file's value does not apply. */
  env_overrides: Array<{ field: 'on_failure' | 'on_long_running' | 'long_running_threshold_ms'; variable: string }>;
  /** Where the rules are written. */
  config_path: string;
}

export type ShellTarget = 'bash' | 'zsh' | 'fish' | 'git';

export interface IntegrationFile {
  path: string;
  /** What the file is to Hookbox: "rc file", "integration script", "backup", "hooks directory", "git config". */
  role: string;
  exists: boolean;
}

export interface ShellTargetStatus {
  target: ShellTarget;
  installed: boolean;
  /** Installed by an older Hookbox or for another address: install again to update. */
  outdated: boolean;
  /** The address the installed integration reports to. */
  reports_to: string | null;
  files: IntegrationFile[];
  /** Something worth knowing (e.g. the program is not installed here). */
  note: string | null;
}

export interface ShellIntegrationOverview {
  /** Where an install would report to: this hub. */
  base_url: string;
  home: string;
  targets: ShellTargetStatus[];
}

export interface ShellChangeResult {
  status: ShellTargetStatus;
  /** Each file touched and what happened to it. */
  changes: Array<{ path: string; change: string }>;
  warnings: string[];
}

export type { AgentId as AgentTarget } from '../agents/agent-adapter.ts';
import type { AgentId as AgentTarget } from '../agents/agent-adapter.ts';
import type { NatsStatus } from '../nats/nats-link.ts';
/** What of Hookbox an agent's config can hold: its lifecycle hooks, or `hookbox mcp` as an MCP server. */
export type AgentPart = 'hooks' | 'mcp';

export interface AgentPartStatus {
  part: AgentPart;
  installed: boolean;
  /** Hooks: some events missing; MCP: an entry with other arguments than an install would write now. */
  outdated: boolean;
  /** The file this part is written to, and whether it exists. */
  file: IntegrationFile;
  /** E.g. "missing Stop, SessionEnd", a file that cannot be parsed, Codex's feature flag. */
  note: string | null;
  /** Why Install is not offered for this row, in one line (null when it is). */
  install_unavailable: string | null;
}

export interface AgentStatus {
  agent: AgentTarget;
  label: string;
  /** The agent's config folder exists (it has been run on this machine). */
  detected: boolean;
  hooks: AgentPartStatus;
  /** null: the agent takes no MCP server config from Hookbox (Copilot). */
  mcp: AgentPartStatus | null;
}

export interface AgentIntegrationOverview {
  home: string;
  /** The command written into the agents' configs; null when this hub cannot know its launcher. */
  launcher: string | null;
  /** Why installing is not offered here (null when it is). */
  install_unavailable: string | null;
  agents: AgentStatus[];
}

export interface AgentChangeResult {
  status: AgentStatus;
  changes: Array<{ path: string; change: string }>;
  warnings: string[];
}

export interface ConfigChange {
  config_error: string | null;
  report: ApplyReport | null;
}

export interface LifecycleEventDetail {
  event: LifecycleEventRecord;
  /** Every handler run of its chain (and background scripts), in order. */
  runs: StoredRun[];
  /** Its webhook deliveries. */
  deliveries: DeliverySummary[];
}

/**
 * What the desktop shell asks the window to show (a notification was clicked): the view and the
 * item in it. Sent by the main process; the renderer selects the view, then the item.
 */
export type NavigateTarget =
  | { view: 'events'; event_id: string }
  | { view: 'hooks'; lifecycle_event_id: string }
  | { view: 'inbox'; session: string; message_id: string };
