import { ErrorCode, HookboxError } from '../errors.ts';
import { HOOKBOX_VERSION } from '../version.ts';
import { DEFAULT_SETTINGS, type Settings } from '../config/settings-schema.ts';

// Helpers shared by the generated shell integrations and git hooks.
//
// The scripts are kept as String.raw templates so their backslashes read as they run. A template
// cannot hold a literal "${", so the sources write "$\{" and scriptBody() turns it back.

/**
 * How old the spool's `accepting` may be before a shell stops trusting it (unless the hub's pid is
 * still alive); the hub rewrites it every HEARTBEAT_MS (shell-spool.ts).
 */
export const SPOOL_STALE_AFTER_S = 60;

export function scriptBody(raw: string): string {
  return raw.replaceAll('$\\{', '${');
}

/** The API base URL to bake into a script: http(s) only, no trailing slash. */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HookboxError(ErrorCode.IntegrationFailed, `not a usable Hookbox URL: ${JSON.stringify(raw)}`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new HookboxError(
      ErrorCode.IntegrationFailed,
      `not a usable Hookbox URL (expected http://host:port): ${JSON.stringify(raw)}`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

export { shellQuote } from '../util/shell-words.ts';

/** A fish single-quoted word (fish understands \\ and \' inside single quotes). */
export function fishQuote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A double-quoted word for sh/bash/zsh and fish alike: only $, `, " and \ need escaping. */
export function doubleQuote(text: string): string {
  return `"${text.replace(/[$`"\\]/g, '\\$&')}"`;
}

/**
 * What a shell integration decides by itself, baked in when it is generated: [shell]
 * terminal_notifications, and for those the long-running threshold and ignore list of
 * [notifications] (the terminal's own notification is decided in the shell: it may be a remote
 * one, far from any hub).
 */
export interface ScriptOptions {
  terminalNotifications: boolean;
  longRunningMs: number;
  ignore: readonly string[];
}

export const DEFAULT_SCRIPT_OPTIONS: ScriptOptions = {
  terminalNotifications: DEFAULT_SETTINGS.shell.terminalNotifications,
  longRunningMs: DEFAULT_SETTINGS.notifications.longRunningThresholdMs,
  ignore: DEFAULT_SETTINGS.notifications.longRunningIgnore,
};

/** The options of the settings in force. */
export function scriptOptionsFrom(settings: Settings): ScriptOptions {
  return {
    terminalNotifications: settings.shell.terminalNotifications,
    longRunningMs: settings.notifications.longRunningThresholdMs,
    ignore: settings.notifications.longRunningIgnore,
  };
}

/** Program names that are safe to bake into a shell word list (anything else is left out). */
const PROGRAM_NAME = /^[A-Za-z0-9._+-]{1,64}$/;

/** The options line every script carries, read back by scriptOptions() (for `status`). */
function optionsLine(options: ScriptOptions): string {
  const ignore = options.ignore.filter((name) => PROGRAM_NAME.test(name));
  return `# Options: terminal_notifications=${options.terminalNotifications ? 'on' : 'off'} long_running_ms=${options.longRunningMs} ignore=${ignore.join(',')}`;
}

/** The options a generated script was made with, read back from it. */
export function scriptOptions(script: string): ScriptOptions {
  const match = /^# Options: terminal_notifications=(on|off) long_running_ms=(\d+) ignore=(\S*)$/m.exec(script);
  if (!match) return DEFAULT_SCRIPT_OPTIONS;
  return {
    terminalNotifications: match[1] === 'on',
    longRunningMs: Number(match[2]),
    ignore: match[3] ? match[3].split(',') : [],
  };
}

/**
 * Fills @VERSION@, @URL@ (comments), @URL_LITERAL@ (the quoted default address), @PORT@, and the
 * options: @OPTIONS@ (the comment line), @TERMINAL@ (1 or empty), @LONG_MS@, @IGNORE@ (a quoted
 * word list with a space at each end).
 */
export function fillScript(
  body: string,
  baseUrl: string,
  quote: (text: string) => string,
  options: ScriptOptions = DEFAULT_SCRIPT_OPTIONS,
): string {
  const url = normalizeBaseUrl(baseUrl);
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  const ignore = options.ignore.filter((name) => PROGRAM_NAME.test(name));
  return body
    .replaceAll('@OPTIONS@', optionsLine(options))
    .replaceAll('@TERMINAL@', options.terminalNotifications ? '1' : "''")
    .replaceAll('@LONG_MS@', String(Math.max(0, Math.floor(options.longRunningMs))))
    .replaceAll('@IGNORE@', quote(` ${ignore.join(' ')} `))
    .replaceAll('@VERSION@', HOOKBOX_VERSION)
    .replaceAll('@URL_LITERAL@', quote(url))
    .replaceAll('@URL@', url)
    .replaceAll('@PORT@', port);
}

/** The base URL a generated script was made for, read back from its header (for `status`). */
export function scriptBaseUrl(script: string): string | undefined {
  return /^# Generated by Hookbox \S+ for (\S+?)\.? /m.exec(script)?.[1];
}
