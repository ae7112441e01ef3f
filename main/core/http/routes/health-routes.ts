import { Type } from 'typebox';
import type { NotificationSettings } from '../../config/settings-schema.ts';
import type { EventLog } from '../../events/event-log.ts';
import { SERVICE_NAME } from '../../version.ts';
import type { ApiServer } from '../api-types.ts';

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
  }),
});

export function registerHealthRoutes(
  app: ApiServer,
  deps: { eventLog: EventLog; notifications: () => NotificationSettings; version: string },
): void {
  app.get('/health', { schema: { response: { 200: HealthBody } } }, async () => {
    const n = deps.notifications();
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
      },
    };
  });
}
