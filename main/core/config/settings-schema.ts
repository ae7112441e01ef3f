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

export const NotificationSettings = Type.Object({
  onFailure: Type.Boolean(),
  onLongRunning: Type.Boolean(),
  longRunningThresholdMs: Type.Integer({ minimum: 0 }),
  /** Programs (first word of the command) never reported as long-running. */
  longRunningIgnore: Type.Array(Type.String({ minLength: 1 })),
  /** When set, each notification is also POSTed here as JSON. */
  notifyServiceUrl: Type.Optional(Type.String()),
  /** When set, events are sent to this BAML analysis server, whose answer decides. */
  bamlUrl: Type.Optional(Type.String()),
  /** How long a remote call (notify service, BAML) may take before the rules decide alone. */
  remoteTimeoutMs: Type.Integer({ minimum: 1 }),
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
  logFormat: Type.Enum(['text', 'json']),
});
export type Settings = Static<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = {
  api: { host: DEFAULT_API_HOST, port: DEFAULT_API_PORT, maxBodyBytes: 1024 * 1024 },
  history: { cacheSize: 500, retention: 1_000_000, maxAgeMs: null },
  notifications: {
    onFailure: true,
    onLongRunning: true,
    longRunningThresholdMs: 30_000,
    longRunningIgnore: DEFAULT_LONG_RUNNING_IGNORE,
    remoteTimeoutMs: 3_000,
  },
  logFormat: 'text',
};
