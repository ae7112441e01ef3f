import ms from 'ms';
import { ErrorCode, HookboxError } from '../errors.ts';
import { parseQuietHours } from '../notify/ntfy.ts';
import type { ConfigFile } from './config-file.ts';
import { interpolateEnv } from './env-interpolation.ts';
import { DEFAULT_SETTINGS, ROUTE_GROUPS, type NtfySettings, type Settings } from './settings-schema.ts';

export { DEFAULT_SETTINGS, type Settings } from './settings-schema.ts';

/** Flags given on the command line; they win over the environment and the config file. */
export interface SettingOverrides {
  port?: number;
}

function invalid(name: string, value: string, expected: string): HookboxError {
  return new HookboxError(ErrorCode.InvalidSetting, `invalid ${name}=${JSON.stringify(value)}: ${expected}`);
}

function envInteger(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\s*\d+\s*$/.test(raw)) throw invalid(name, raw, `must be a whole number between ${min} and ${max}`);
  const value = Number(raw);
  if (value < min || value > max) throw invalid(name, raw, `must be between ${min} and ${max}`);
  return value;
}

function envBoolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw invalid(name, raw, 'must be true or false');
}

export function checkHttpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(name, raw, 'must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(name, raw, 'must be an http:// or https:// URL');
  return url.toString();
}

/** history.max_age: a duration such as "90d" or "1y" (the `ms` package's units), at least a minute. */
export function parseMaxAge(name: string, raw: string): number {
  const value = ms(raw.trim() as ms.StringValue) as number | undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalid(name, raw, 'must be a duration such as "90d", "12w" or "1y"');
  if (value < 60_000) throw invalid(name, raw, 'must be at least a minute ("1m")');
  return Math.round(value);
}

type FileNtfy = NonNullable<NonNullable<ConfigFile['notifications']>['ntfy']>;

/** [notifications.ntfy]: url defaults to ntfy.sh; token, user and password may come from `${VAR}`. */
export function resolveNtfy(file: FileNtfy, env: NodeJS.ProcessEnv): NtfySettings {
  const where = (key: string) => `notifications.ntfy.${key}`;
  const url = new URL(checkHttpUrl(where('url'), file.url ?? 'https://ntfy.sh'));
  // The JSON publish goes to the server's root (a self-hosted ntfy may live under a path).
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  if (file.token !== undefined && (file.user !== undefined || file.password !== undefined))
    throw new HookboxError(ErrorCode.InvalidSetting, `${where('token')}: give a token or user and password, not both`);
  if ((file.user === undefined) !== (file.password === undefined))
    throw new HookboxError(ErrorCode.InvalidSetting, `${where('user')}: user and password go together`);
  const quiet = file.quiet_hours === undefined ? undefined : parseQuietHours(file.quiet_hours);
  if (quiet === null) throw invalid(where('quiet_hours'), file.quiet_hours ?? '', 'must be "HH:MM-HH:MM"');
  let awayAfterMs: number | undefined;
  if (file.only_when_away !== undefined) {
    const value = ms(file.only_when_away.trim() as ms.StringValue) as number | undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw invalid(where('only_when_away'), file.only_when_away, 'must be a duration such as "5m"');
    awayAfterMs = Math.round(value);
  }
  return {
    url: url.toString(),
    topic: file.topic,
    ...(file.token !== undefined ? { token: interpolateEnv(file.token, env, where('token')) } : {}),
    ...(file.user !== undefined ? { user: interpolateEnv(file.user, env, where('user')) } : {}),
    ...(file.password !== undefined ? { password: interpolateEnv(file.password, env, where('password')) } : {}),
    ...(file.click_url !== undefined ? { clickUrl: checkHttpUrl(where('click_url'), file.click_url) } : {}),
    ...(quiet ? { quietHours: quiet } : {}),
    ...(awayAfterMs !== undefined ? { awayAfterMs } : {}),
    maxAttempts: file.max_attempts ?? 10,
    timeoutMs: (file.timeout ?? 10) * 1000,
  };
}

function envUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return checkHttpUrl(name, raw.trim());
}

function envEnum<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[]): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) throw invalid(name, raw, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function pick<T>(...values: (T | undefined)[]): T {
  for (const value of values) if (value !== undefined) return value;
  throw new Error('pick() needs a default as its last argument');
}

/**
 * Settings in force: command-line flags over AGENTD_* environment variables over the config file
 * over the defaults. Throws a HookboxError naming the variable or key on any invalid value.
 */
export function resolveSettings(input: {
  env?: NodeJS.ProcessEnv;
  config?: ConfigFile;
  overrides?: SettingOverrides;
}): Settings {
  const env = input.env ?? process.env;
  const file = input.config ?? {};
  const flags = input.overrides ?? {};
  const d = DEFAULT_SETTINGS;
  const fileNotify = file.notifications ?? {};

  const notifyServiceUrl =
    envUrl(env, 'AGENTD_NOTIFY_SERVICE_URL') ??
    (fileNotify.notify_service_url
      ? checkHttpUrl('notifications.notify_service_url', fileNotify.notify_service_url)
      : undefined);
  const bamlUrl =
    envUrl(env, 'AGENTD_BAML_URL') ??
    (fileNotify.baml_url ? checkHttpUrl('notifications.baml_url', fileNotify.baml_url) : undefined);

  const ntfy = fileNotify.ntfy ? resolveNtfy(fileNotify.ntfy, env) : undefined;
  const routes = fileNotify.routes ?? {};
  for (const group of ROUTE_GROUPS) {
    const route = routes[group];
    if (!ntfy && (route === 'ntfy' || route === 'both'))
      throw new HookboxError(
        ErrorCode.InvalidSetting,
        `notifications.routes.${group} = "${route}" needs [notifications.ntfy] (topic at least)`,
      );
  }

  return {
    api: {
      host: d.api.host,
      port: pick(flags.port, envInteger(env, 'AGENTD_PORT', 0, 65535), file.api?.port, d.api.port),
      maxBodyBytes: pick(file.api?.max_body_bytes, d.api.maxBodyBytes),
    },
    history: {
      cacheSize: pick(
        envInteger(env, 'AGENTD_HISTORY_SIZE', 1, 100_000),
        file.history?.cache_size,
        d.history.cacheSize,
      ),
      retention: pick(file.history?.retention, d.history.retention),
      maxAgeMs:
        file.history?.max_age === undefined ? d.history.maxAgeMs : parseMaxAge('history.max_age', file.history.max_age),
    },
    notifications: {
      onFailure: pick(envBoolean(env, 'AGENTD_NOTIFY_ON_FAILURE'), fileNotify.on_failure, d.notifications.onFailure),
      onLongRunning: pick(
        envBoolean(env, 'AGENTD_NOTIFY_ON_LONG_RUNNING'),
        fileNotify.on_long_running,
        d.notifications.onLongRunning,
      ),
      failureWhen: pick(fileNotify.failure_when, d.notifications.failureWhen),
      longRunningWhen: pick(fileNotify.long_running_when, d.notifications.longRunningWhen),
      longRunningThresholdMs: pick(
        envInteger(env, 'AGENTD_LONG_RUNNING_THRESHOLD_MS', 0, Number.MAX_SAFE_INTEGER),
        fileNotify.long_running_threshold_ms,
        d.notifications.longRunningThresholdMs,
      ),
      longRunningIgnore: pick(fileNotify.long_running_ignore, d.notifications.longRunningIgnore),
      remoteTimeoutMs: pick(fileNotify.remote_timeout_ms, d.notifications.remoteTimeoutMs),
      ...(notifyServiceUrl ? { notifyServiceUrl } : {}),
      ...(bamlUrl ? { bamlUrl } : {}),
      ...(ntfy ? { ntfy } : {}),
      ...(fileNotify.routes ? { routes: { ...fileNotify.routes } } : {}),
    },
    shell: { terminalNotifications: pick(file.shell?.terminal_notifications, d.shell.terminalNotifications) },
    logFormat: pick(envEnum(env, 'AGENTD_LOG_FORMAT', ['text', 'json'] as const), file.log_format, d.logFormat),
  };
}
