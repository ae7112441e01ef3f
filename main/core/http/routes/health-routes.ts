import { Type } from 'typebox';
import type { NotificationSettings } from '../../config/settings-schema.ts';
import type { EventLog } from '../../events/event-log.ts';
import { SERVICE_NAME } from '../../version.ts';
import type { ApiServer } from '../api-types.ts';
import type { NatsStatus } from '../../nats/nats-link.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** [nats] as the hub sees it (present only when configured). */
const NatsHealth = Type.Object({
  state: Type.Enum(['connecting', 'connected', 'disconnected', 'error', 'stopped']),
  servers: Type.Array(Type.String()),
  server: Nullable(Type.String()),
  host: Type.String(),
  stream: Type.String(),
  error: Nullable(Type.String()),
  pending: Type.Integer(),
  published: Type.Integer(),
  subscriptions: Type.Array(
    Type.Object({
      subject: Type.String(),
      durable: Type.String(),
      into: Type.String(),
      received: Type.Integer(),
      duplicates: Type.Integer(),
      terminated: Type.Integer(),
      last_error: Nullable(Type.String()),
    }),
  ),
});

const HealthBody = Type.Object({
  status: Type.Literal('ok'),
  service: Type.String(),
  version: Type.String(),
  event_count: Type.Integer(),
  notifications: Type.Object({
    on_failure: Type.Boolean(),
    on_long_running: Type.Boolean(),
    long_running_threshold_ms: Type.Integer(),
    long_running_ignore: Type.Array(Type.String()),
    notify_service: Type.Boolean(),
    analysis_server: Type.Boolean(),
    ntfy: Type.Optional(Type.Boolean()),
  }),
  nats: Type.Optional(NatsHealth),
});

export function registerHealthRoutes(
  app: ApiServer,
  deps: {
    eventLog: EventLog;
    notifications: () => NotificationSettings;
    version: string;
    nats: () => NatsStatus | null;
  },
): void {
  app.get('/health', { schema: { response: { 200: HealthBody } } }, async () => {
    const n = deps.notifications();
    const nats = deps.nats();
    return {
      status: 'ok' as const,
      service: SERVICE_NAME,
      version: deps.version,
      event_count: deps.eventLog.count(),
      notifications: {
        on_failure: n.onFailure,
        on_long_running: n.onLongRunning,
        long_running_threshold_ms: n.longRunningThresholdMs,
        long_running_ignore: n.longRunningIgnore,
        notify_service: n.notifyServiceUrl !== undefined,
        analysis_server: n.bamlUrl !== undefined,
        ...(n.ntfy ? { ntfy: true } : {}),
      },
      ...(nats ? { nats } : {}),
    };
  });
}
