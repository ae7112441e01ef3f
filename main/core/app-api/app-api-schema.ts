import { Type, type TSchema } from 'typebox';
import { AGENT_IDS } from '../agents/agent-adapter.ts';
import { EventKind } from '../events/event-schema.ts';
import { SessionName } from '../inbox/session-name.ts';
import { MESSAGE_STATES } from '../inbox/inbox-store.ts';
import { DELIVERY_STATES } from '../lifecycle/outbox-store.ts';
import { NotifyWhen } from '../config/settings-schema.ts';

// The request of every operation the window may call, as TypeBox schemas: the one place they are
// written. main/shared/api-contract.ts derives the request types from these (type-only, so the
// sandboxed preload bundles none of it), and app-api.ts checks every request against them,
// whichever transport (Electron IPC or HTTP) carried it. Responses are the core's own types.

const Strict = { additionalProperties: false } as const;
const Id = Type.String({ minLength: 1, maxLength: 200 });

/** Config text is at most 1 MiB: a config file is a few kilobytes. */
export const MAX_CONFIG_TEXT = 1024 * 1024;

export const SHELL_TARGETS = ['bash', 'zsh', 'fish', 'git'] as const;
const AgentChange = Type.Object({ agent: Type.Enum([...AGENT_IDS]), part: Type.Enum(['hooks', 'mcp']) }, Strict);

export const AppRequests = {
  getHealth: Type.Void(),
  /** At least 1; default 50, capped at 500 (as GET /events). Newest first. */
  listEvents: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }, Strict),
  /** A filtered page of the history, newest first; `cursor` is the previous page's `next_cursor`. */
  queryEvents: Type.Object(
    {
      /** Failed as the notification rules say (isFailure: not 0, not Ctrl-C 130/143/148). */
      failed_only: Type.Optional(Type.Boolean()),
      /** Long-running as the notification rules say (isLongRunning: over the threshold, not on the ignore list). */
      long_running: Type.Optional(Type.Boolean()),
      kind: Type.Optional(EventKind),
      /** Agents' tool calls of one agent (claude, codex …) or one agent session. */
      agent: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
      session: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      text: Type.Optional(Type.String({ maxLength: 500 })),
      cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    },
    Strict,
  ),
  getEvent: Type.Object({ id: Id }, Strict),

  listSessions: Type.Void(),
  listMessages: Type.Object(
    {
      session: SessionName,
      state: Type.Optional(Type.Enum([...MESSAGE_STATES])),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    Strict,
  ),
  injectMessage: Type.Object(
    {
      session: SessionName,
      content: Type.String({ minLength: 1 }),
      label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    Strict,
  ),
  markMessageHandled: Type.Object({ session: SessionName, id: Id }, Strict),

  listHooks: Type.Void(),
  listHookRuns: Type.Object(
    {
      hook: Type.Optional(Type.String({ minLength: 1 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    Strict,
  ),
  getHookRun: Type.Object({ id: Id }, Strict),
  replayHookRun: Type.Object({ id: Id }, Strict),
  /** Secret headers are masked unless `reveal`. */
  copyRunAsCurl: Type.Object({ id: Id, reveal: Type.Optional(Type.Boolean()) }, Strict),
  /** Lifecycle events, newest first (as GET /lifecycle/events). */
  listLifecycleEvents: Type.Object(
    {
      event: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    Strict,
  ),
  /** By full id or a unique prefix; null when none matches. */
  getLifecycleEvent: Type.Object({ id: Id }, Strict),
  /** Webhook outbox deliveries, newest first (as GET /lifecycle/deliveries). */
  listLifecycleDeliveries: Type.Object(
    {
      state: Type.Optional(Type.Enum([...DELIVERY_STATES])),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    Strict,
  ),
  /** A dead delivery gets one more attempt now (as POST /lifecycle/deliveries/{id}/retry). */
  retryLifecycleDelivery: Type.Object({ id: Id }, Strict),

  getConfig: Type.Void(),
  /** Validates without saving: the editor's inline errors. */
  checkConfig: Type.Object({ text: Type.String({ maxLength: MAX_CONFIG_TEXT }) }, Strict),
  /** Validate, write atomically, hot reload; an invalid text is never written. */
  saveConfig: Type.Object(
    {
      text: Type.String({ maxLength: MAX_CONFIG_TEXT }),
      /** The file's text the edit started from: when the file no longer holds it, nothing is written. */
      base: Type.Optional(Type.String({ maxLength: MAX_CONFIG_TEXT })),
    },
    Strict,
  ),
  /** Executable files beside the config file, for the add-hook form's script picker. */
  listScripts: Type.Void(),

  getNotificationSettings: Type.Void(),
  /** Written to the config file's [notifications] table (then hot reloaded). */
  updateNotificationSettings: Type.Object(
    {
      on_failure: Type.Optional(Type.Boolean()),
      on_long_running: Type.Optional(Type.Boolean()),
      long_running_threshold_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 24 * 3_600_000 })),
      long_running_ignore: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 })),
      failure_when: Type.Optional(NotifyWhen),
      long_running_when: Type.Optional(NotifyWhen),
    },
    Strict,
  ),
  /** Without `minutes`: until resumed. */
  pauseNotifications: Type.Object(
    { minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 })) },
    Strict,
  ),
  resumeNotifications: Type.Void(),

  getShellIntegration: Type.Void(),
  installShellIntegration: Type.Object({ target: Type.Enum([...SHELL_TARGETS]) }, Strict),
  uninstallShellIntegration: Type.Object({ target: Type.Enum([...SHELL_TARGETS]) }, Strict),
  /** The Agents section: each coding agent's Hookbox hooks and `hookbox mcp` entry. */
  getAgentIntegration: Type.Void(),
  /** Refused when the hub does not know its launcher (the Electron app): install from a terminal. */
  installAgentIntegration: AgentChange,
  uninstallAgentIntegration: AgentChange,
} as const satisfies Record<string, TSchema>;

export type AppOperationName = keyof typeof AppRequests;
