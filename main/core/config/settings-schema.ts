import { Type, type Static } from 'typebox';
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from './hub-address.ts';

// The long-running notification is pointless for programs that stay open until the user
// leaves them; this list follows ntfy's `done` defaults.
export const DEFAULT_LONG_RUNNING_IGNORE = [
  'ntfy',
  'emacs',
  'htop',
  'btop',
  'info',
  'less',
  'mail',
  'man',
  'meld',
  'more',
  'most',
  'mutt',
  'nano',
  'nvim',
  'screen',
  'ssh',
  'mosh',
  'tail',
  'tmux',
  'top',
  'vi',
  'vim',
  'watch',
  'journalctl',
];

/**
 * When a rule's notification is raised: always, only when the command's terminal is not in front
 * (notify/focus/), or never. Where focus cannot be known, "unfocused" notifies.
 */
export const NOTIFY_WHEN = ['always', 'unfocused', 'never'] as const;
export const NotifyWhen = Type.Enum([...NOTIFY_WHEN]);
export type NotifyWhen = (typeof NOTIFY_WHEN)[number];

/** Where a notification goes, per rule group (notifications.routes). */
export const NOTIFICATION_ROUTES = ['desktop', 'ntfy', 'both', 'none'] as const;
export const ROUTE_GROUPS = ['failure', 'long_running', 'agent', 'lifecycle'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

/** [notifications.ntfy] resolved: secrets already taken from the environment (see notify/ntfy.ts). */
export const NtfySettings = Type.Object({
  /** The server's root URL, ending in '/'. */
  url: Type.String(),
  topic: Type.String(),
  token: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
  /** A base address of the window that the phone can reach; a push opens the item there. */
  clickUrl: Type.Optional(Type.String()),
  /** Minutes of the day [start, end): pushes in that span are sent silently (ntfy priority 1). */
  quietHours: Type.Optional(Type.Object({ start: Type.Integer(), end: Type.Integer() })),
  /** Push only when the desktop has been idle this long (where the platform tells idle time). */
  awayAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
  maxAttempts: Type.Integer({ minimum: 1 }),
  timeoutMs: Type.Integer({ minimum: 1 }),
});
export type NtfySettings = Static<typeof NtfySettings>;

export const NotificationSettings = Type.Object({
  onFailure: Type.Boolean(),
  onLongRunning: Type.Boolean(),
  /** A failure is news wherever you look: always, by default. */
  failureWhen: NotifyWhen,
  /** A long run you are watching is not: unfocused, by default. */
  longRunningWhen: NotifyWhen,
  longRunningThresholdMs: Type.Integer({ minimum: 0 }),
  /** Programs (first word of the command) never reported as long-running. */
  longRunningIgnore: Type.Array(Type.String({ minLength: 1 })),
  /** When set, each notification is also POSTed here as JSON. */
  notifyServiceUrl: Type.Optional(Type.String()),
  /** When set, events are sent to this BAML analysis server, whose answer decides. */
  bamlUrl: Type.Optional(Type.String()),
  /** How long a remote call (notify service, BAML) may take before the rules decide alone. */
  remoteTimeoutMs: Type.Integer({ minimum: 1 }),
  /** Native ntfy pushes; absent: none. */
  ntfy: Type.Optional(NtfySettings),
  /** Per rule group: desktop, ntfy, both or none (default: both when ntfy is set, desktop otherwise). */
  routes: Type.Optional(Type.Partial(Type.Record(Type.Enum([...ROUTE_GROUPS]), Type.Enum([...NOTIFICATION_ROUTES])))),
});
export type NotificationSettings = Static<typeof NotificationSettings>;

export const Settings = Type.Object({
  api: Type.Object({
    host: Type.String(),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    maxBodyBytes: Type.Integer({ minimum: 1024 }),
  }),
  history: Type.Object({
    /** AGENTD_HISTORY_SIZE: recent events kept in memory. */
    cacheSize: Type.Integer({ minimum: 1 }),
    /** Events kept in the database before the oldest are pruned. */
    retention: Type.Integer({ minimum: 1 }),
    /** history.max_age in milliseconds: events received longer ago are pruned; null: no age limit. */
    maxAgeMs: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  }),
  notifications: NotificationSettings,
  shell: Type.Object({
    /** [shell] terminal_notifications: the integrations also write OSC 777/9/99 to their terminal. */
    terminalNotifications: Type.Boolean(),
  }),
  logFormat: Type.Enum(['text', 'json']),
});
export type Settings = Static<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = {
  api: { host: DEFAULT_API_HOST, port: DEFAULT_API_PORT, maxBodyBytes: 1024 * 1024 },
  history: { cacheSize: 500, retention: 1_000_000, maxAgeMs: null },
  notifications: {
    onFailure: true,
    onLongRunning: true,
    failureWhen: 'always',
    longRunningWhen: 'unfocused',
    longRunningThresholdMs: 30_000,
    longRunningIgnore: DEFAULT_LONG_RUNNING_IGNORE,
    remoteTimeoutMs: 3_000,
  },
  shell: { terminalNotifications: false },
  logFormat: 'text',
};
