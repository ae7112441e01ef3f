import { accessSync, constants, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import { checkHttpUrl } from '../config/settings.ts';
import { interpolateEnv } from '../config/env-interpolation.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { SessionName } from '../inbox/session-name.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { SafetyGuard } from './guard/safety-guard.ts';
import { canonicalEventName, knownEventList, type LifecycleEventName } from './lifecycle-events.ts';
import { ShellSyntaxError, splitCommandLine } from './guard/shell-parser.ts';
import { schemaCheck } from '../util/schema-check.ts';

// The `[lifecycle]` table of the TOML config file:
//
//   [lifecycle]
//   notify = ["task.failed", "agent.stalled"]   # true (the default list), false, or a list
//   inbox_session = "default"                   # where follow-ups and Claude Code notes land
//
//   [lifecycle.outbox]
//   backoff_initial_s = 2                       # webhook retry delays: 2 s, 4 s, 8 s … capped
//   backoff_max_s = 600
//
//   [[lifecycle."task.completed"]]              # Bernstein's handler types
//   type = "webhook"
//   url = "https://example.com/hooks"
//   secret = "${BERNSTEIN_SECRET}"
//
//   [[lifecycle."task.created"]]
//   type = "blocking_script"
//   command = "python3 scripts/validate_task.py"
//   timeout_s = 5
//   on_failure = "block"                        # timeout / crash / bad output: block (default) or allow
//
//   [[lifecycle.pre_tool_call]]                 # Loom's: a name and a builtin or a script
//   name = "safety-check"
//   builtin = "safety-guard"
//   deny = ['terraform\s+destroy']
//
// Any handler may sit on any event. Errors are one line naming the file, event, handler, field.

export const BUILTINS = [
  'safety-guard',
  'context-injector',
  'output-truncator',
  'followup-creator',
  'error-logger',
] as const;
export type BuiltinName = (typeof BUILTINS)[number];
export type FailurePolicy = 'block' | 'allow';

/** Events that raise a desktop notification unless `notify` says otherwise. */
export const DEFAULT_NOTIFY_EVENTS: readonly LifecycleEventName[] = [
  'task.failed',
  'agent.stalled',
  'agent.killed',
  'merge.conflict',
  'quality_gate.failed',
  'budget.exceeded',
];

const HandlerEntrySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' })),
    type: Type.Optional(Type.Enum(['webhook', 'script', 'blocking_script'])),
    builtin: Type.Optional(Type.Enum([...BUILTINS])),
    script: Type.Optional(Type.String({ minLength: 1 })),
    enabled: Type.Optional(Type.Boolean()),
    timeout_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600 })),
    on_failure: Type.Optional(Type.Enum(['block', 'allow'])),
    // webhook
    url: Type.Optional(Type.String({ minLength: 1 })),
    secret: Type.Optional(Type.String({ minLength: 1 })),
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String())),
    retry: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    // script, blocking_script
    command: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
    ),
    // built-in options
    deny: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    allow: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    max_bytes: Type.Optional(Type.Integer({ minimum: 64, maximum: 64 * 1024 * 1024 })),
    standards_files: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    recent_files: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
  },
  { additionalProperties: false },
);
type HandlerEntry = Static<typeof HandlerEntrySchema>;
const checkHandlerEntry = schemaCheck(HandlerEntrySchema);

const SettingsSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    notify: Type.Optional(Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }))])),
    inbox_session: Type.Optional(SessionName),
    /** Claude Code's Notification and Stop raise a desktop notification and an inbox message. */
    claude_notify: Type.Optional(Type.Boolean()),
    outbox: Type.Optional(
      Type.Object(
        {
          backoff_initial_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600 })),
          backoff_max_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400 })),
          concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const checkSettings = schemaCheck(SettingsSchema);
const SETTING_KEYS = new Set(['enabled', 'notify', 'inbox_session', 'claude_notify', 'outbox']);

interface HandlerBase {
  event: LifecycleEventName;
  name: string;
  enabled: boolean;
  timeoutMs: number;
  onFailure: FailurePolicy;
}

export interface WebhookHandler extends HandlerBase {
  kind: 'webhook';
  url: string;
  /** null when unsigned, or when the config was read without resolving secrets (local runs never send). */
  secret: string | null;
  /** A secret is configured (the deliveries are signed). */
  signed: boolean;
  headers: Record<string, string>;
  retry: number;
}
export interface ScriptHandler extends HandlerBase {
  kind: 'script' | 'blocking_script';
  argv: string[];
  cwd: string;
}
export interface LoomScriptHandler extends HandlerBase {
  kind: 'loom_script';
  path: string;
  cwd: string;
}
export interface BuiltinOptions {
  deny: string[];
  allow: string[];
  maxBytes: number;
  standardsFiles: string[] | null;
  recentFiles: number;
}
export interface BuiltinHandler extends HandlerBase {
  kind: 'builtin';
  builtin: BuiltinName;
  options: BuiltinOptions;
  cwd: string;
}
export type LifecycleHandler = WebhookHandler | ScriptHandler | LoomScriptHandler | BuiltinHandler;
export type HandlerKind = LifecycleHandler['kind'];

/** Handlers that run inside the chain (the caller waits for their decision). */
export function runsInChain(handler: LifecycleHandler): boolean {
  return handler.kind === 'blocking_script' || handler.kind === 'loom_script' || handler.kind === 'builtin';
}

export interface OutboxSettings {
  backoffInitialMs: number;
  backoffMaxMs: number;
  concurrency: number;
}

export interface LifecycleConfig {
  /** The config file the handlers came from (null: none). */
  file: string | null;
  enabled: boolean;
  notify: ReadonlySet<LifecycleEventName>;
  inboxSession: string;
  claudeNotify: boolean;
  /** `[claude] inbox`: the session whose waiting messages Claude Code's Stop and SessionStart take in; null: off. */
  claudeInbox: string | null;
  outbox: OutboxSettings;
  /** Per event, in registration order. */
  handlers: ReadonlyMap<LifecycleEventName, readonly LifecycleHandler[]>;
}

export const DEFAULT_TIMEOUT_S: Record<HandlerKind, number> = {
  webhook: 10,
  script: 30,
  blocking_script: 5,
  loom_script: 5,
  builtin: 10,
};
export const DEFAULT_RETRY = 8;
export const DEFAULT_TRUNCATE_BYTES = 16 * 1024;

export function defaultLifecycleConfig(file: string | null = null): LifecycleConfig {
  return {
    file,
    enabled: true,
    notify: new Set(DEFAULT_NOTIFY_EVENTS),
    inboxSession: 'default',
    claudeNotify: true,
    claudeInbox: null,
    outbox: { backoffInitialMs: 2_000, backoffMaxMs: 600_000, concurrency: 4 },
    handlers: new Map(),
  };
}

export interface ParseLifecycleOptions {
  file: string;
  env: NodeJS.ProcessEnv;
  /**
   * Resolve `${VAR}` in webhook secrets and headers (the hub). Local chain runs (`hooks test`,
   * `claude-hook`) never send webhooks and may run where the variables are not set.
   */
  resolveSecrets: boolean;
}

function fail(file: string, where: string, message: string): never {
  throw new HookboxError(ErrorCode.InvalidConfig, `${file}: ${where}: ${message}`);
}

function checkExecutable(file: string, where: string, field: string, path: string): void {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    fail(file, where, `'${field}' ${path} does not exist`);
  }
  if (!isFile) fail(file, where, `'${field}' ${path} is not a file`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    fail(file, where, `'${field}' ${path} is not executable (chmod +x it)`);
  }
}

/** Fields that only make sense for some handler kinds. */
const FIELD_KINDS: Record<string, { kinds: HandlerKind[]; builtins?: BuiltinName[]; label: string }> = {
  url: { kinds: ['webhook'], label: 'type = "webhook"' },
  secret: { kinds: ['webhook'], label: 'type = "webhook"' },
  headers: { kinds: ['webhook'], label: 'type = "webhook"' },
  retry: { kinds: ['webhook'], label: 'type = "webhook"' },
  command: { kinds: ['script', 'blocking_script'], label: 'type = "script" or "blocking_script"' },
  on_failure: {
    kinds: ['blocking_script', 'loom_script', 'builtin'],
    label: 'handlers that can block (blocking_script, script = "…", builtin)',
  },
  deny: { kinds: ['builtin'], builtins: ['safety-guard'], label: 'builtin = "safety-guard"' },
  allow: { kinds: ['builtin'], builtins: ['safety-guard'], label: 'builtin = "safety-guard"' },
  max_bytes: { kinds: ['builtin'], builtins: ['output-truncator'], label: 'builtin = "output-truncator"' },
  standards_files: { kinds: ['builtin'], builtins: ['context-injector'], label: 'builtin = "context-injector"' },
  recent_files: { kinds: ['builtin'], builtins: ['context-injector'], label: 'builtin = "context-injector"' },
};

function kindOf(entry: HandlerEntry, fileName: string, where: string): HandlerKind {
  const given = [
    entry.type !== undefined && 'type',
    entry.builtin !== undefined && 'builtin',
    entry.script !== undefined && 'script',
  ].filter(Boolean);
  if (given.length === 0)
    fail(
      fileName,
      where,
      `needs one of 'type' (webhook, script, blocking_script), 'builtin' (${BUILTINS.join(', ')}) or 'script' (a Loom script hook)`,
    );
  if (given.length > 1)
    fail(
      fileName,
      where,
      `give only one of ${given.map((g) => `'${g}'`).join(' and ')} ('script' is a Loom JSON hook; a Bernstein script hook is type = "script" with 'command')`,
    );
  if (entry.type) return entry.type;
  return entry.builtin ? 'builtin' : 'loom_script';
}

function parseHandler(
  event: LifecycleEventName,
  written: string,
  entry: unknown,
  index: number,
  options: ParseLifecycleOptions,
): LifecycleHandler {
  const { file } = options;
  const baseDir = dirname(file);
  const label =
    typeof (entry as { name?: unknown })?.name === 'string' ? `'${(entry as { name: string }).name}'` : `#${index + 1}`;
  const where = `lifecycle event '${written}' handler ${label}`;
  if (!checkHandlerEntry.Check(entry)) {
    const problem = describeSchemaIssues([...checkHandlerEntry.Errors(entry)]);
    fail(file, where, problem?.message ?? 'invalid handler');
  }
  const e = entry as HandlerEntry;
  const kind = kindOf(e, file, where);
  for (const [field, rule] of Object.entries(FIELD_KINDS)) {
    if ((e as Record<string, unknown>)[field] === undefined) continue;
    const fits =
      rule.kinds.includes(kind) && (!rule.builtins || (e.builtin !== undefined && rule.builtins.includes(e.builtin)));
    if (!fits) fail(file, where, `'${field}' only applies to ${rule.label}`);
  }
  const name = e.name ?? `${e.builtin ?? (kind === 'loom_script' ? 'script' : kind)}-${index + 1}`;
  const base: HandlerBase = {
    event,
    name,
    enabled: e.enabled ?? true,
    timeoutMs: Math.round((e.timeout_s ?? DEFAULT_TIMEOUT_S[kind]) * 1000),
    onFailure: e.on_failure ?? 'block',
  };
  const at = `lifecycle event '${written}' handler '${name}'`;

  switch (kind) {
    case 'webhook': {
      if (!e.url) fail(file, at, `a webhook needs 'url'`);
      let url: string;
      try {
        url = checkHttpUrl('url', e.url);
      } catch {
        fail(file, at, `'url' must be an http:// or https:// URL, got ${JSON.stringify(e.url)}`);
      }
      const resolveValue = (value: string, field: string) =>
        options.resolveSecrets ? interpolateEnv(value, options.env, `${file}: ${at}: '${field}'`) : value;
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(e.headers ?? {})) headers[key] = resolveValue(value, `headers.${key}`);
      return {
        ...base,
        kind,
        url,
        secret: e.secret === undefined ? null : options.resolveSecrets ? resolveValue(e.secret, 'secret') : null,
        signed: e.secret !== undefined,
        headers,
        retry: e.retry ?? DEFAULT_RETRY,
      };
    }
    case 'script':
    case 'blocking_script': {
      if (!e.command) fail(file, at, `type = "${kind}" needs 'command'`);
      let argv: string[];
      if (Array.isArray(e.command)) argv = [...e.command];
      else {
        try {
          argv = splitCommandLine(e.command);
        } catch (error) {
          if (error instanceof ShellSyntaxError)
            fail(file, at, `'command' cannot be split into arguments: ${error.message}`);
          throw error;
        }
      }
      const program = argv[0]!;
      // A relative path with a folder in it is relative to the config file; a bare name is on PATH.
      if (program.includes('/') && !isAbsolute(program)) argv[0] = resolve(baseDir, program);
      if (base.enabled && argv[0]!.includes('/')) checkExecutable(file, at, 'command', argv[0]!);
      return { ...base, kind, argv, cwd: baseDir };
    }
    case 'loom_script': {
      const path = isAbsolute(e.script!) ? e.script! : resolve(baseDir, e.script!);
      if (base.enabled) checkExecutable(file, at, 'script', path);
      return { ...base, kind, path, cwd: baseDir };
    }
    case 'builtin': {
      const builtinOptions: BuiltinOptions = {
        deny: e.deny ?? [],
        allow: e.allow ?? [],
        maxBytes: e.max_bytes ?? DEFAULT_TRUNCATE_BYTES,
        standardsFiles: e.standards_files ?? null,
        recentFiles: e.recent_files ?? 20,
      };
      // Compiles the patterns now so a bad one is a config error, not a failure at run time.
      if (e.builtin === 'safety-guard') new SafetyGuard(builtinOptions, `${file}: ${at}`);
      return { ...base, kind, builtin: e.builtin!, options: builtinOptions, cwd: baseDir };
    }
  }
}

/** Validates the `[lifecycle]` table (undefined: no table, defaults apply). */
export function parseLifecycleConfig(raw: unknown, options: ParseLifecycleOptions): LifecycleConfig {
  const { file } = options;
  const config = defaultLifecycleConfig(file);
  if (raw === undefined) return config;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(file, 'lifecycle', 'must be a table ([lifecycle])');
  const settings: Record<string, unknown> = {};
  const handlers = new Map<LifecycleEventName, LifecycleHandler[]>();
  const spelled = new Map<LifecycleEventName, string>();
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (SETTING_KEYS.has(key)) {
      settings[key] = value;
      continue;
    }
    const event = canonicalEventName(key);
    if (!event)
      fail(
        file,
        `lifecycle.${JSON.stringify(key)}`,
        `unknown lifecycle event '${key}'; known events: ${knownEventList()} (settings: ${[...SETTING_KEYS].join(', ')})`,
      );
    const other = spelled.get(event);
    if (other)
      fail(file, `lifecycle event '${key}'`, `'${other}' already names this event; write its handlers in one place`);
    spelled.set(event, key);
    if (!Array.isArray(value))
      fail(file, `lifecycle event '${key}'`, `must be a list of handlers: write [[lifecycle."${key}"]]`);
    const list = value.map((entry, index) => parseHandler(event, key, entry, index, options));
    const names = new Set<string>();
    for (const handler of list) {
      if (names.has(handler.name))
        fail(
          file,
          `lifecycle event '${key}' handler '${handler.name}'`,
          `duplicate name (each handler of an event needs its own 'name')`,
        );
      names.add(handler.name);
    }
    handlers.set(event, list);
  }
  if (!checkSettings.Check(settings)) {
    const problem = describeSchemaIssues([...checkSettings.Errors(settings)]);
    fail(file, 'lifecycle', problem?.message ?? 'invalid settings');
  }
  const s = settings as Static<typeof SettingsSchema>;
  let notify: Set<LifecycleEventName> = new Set(DEFAULT_NOTIFY_EVENTS);
  if (s.notify === false) notify = new Set();
  else if (Array.isArray(s.notify)) {
    notify = new Set(
      s.notify.map((name) => {
        const event = canonicalEventName(name);
        if (!event)
          fail(file, 'lifecycle', `'notify' names unknown event '${name}'; known events: ${knownEventList()}`);
        return event;
      }),
    );
  }
  const outbox = {
    backoffInitialMs: Math.round((s.outbox?.backoff_initial_s ?? config.outbox.backoffInitialMs / 1000) * 1000),
    backoffMaxMs: Math.round((s.outbox?.backoff_max_s ?? config.outbox.backoffMaxMs / 1000) * 1000),
    concurrency: s.outbox?.concurrency ?? config.outbox.concurrency,
  };
  if (outbox.backoffMaxMs < outbox.backoffInitialMs)
    fail(file, 'lifecycle.outbox', `'backoff_max_s' must not be less than 'backoff_initial_s'`);
  return {
    file,
    enabled: s.enabled ?? true,
    notify,
    inboxSession: s.inbox_session ?? config.inboxSession,
    claudeNotify: s.claude_notify ?? true,
    claudeInbox: null,
    outbox,
    handlers,
  };
}

/** The handlers that fire for an event ([] when lifecycle hooks are switched off). */
export function handlersFor(config: LifecycleConfig, event: LifecycleEventName): readonly LifecycleHandler[] {
  if (!config.enabled) return [];
  return (config.handlers.get(event) ?? []).filter((h) => h.enabled);
}

/** A one-line description of a handler for listings: what it runs and its failure policy. */
export function describeHandler(handler: LifecycleHandler): string {
  const timeout = `timeout ${handler.timeoutMs / 1000} s`;
  switch (handler.kind) {
    case 'webhook':
      return `webhook → ${handler.url} (${timeout}, retry ${handler.retry}, ${handler.signed ? 'signed' : 'unsigned'}; async, not part of the decision)`;
    case 'script':
      return `script ${handler.argv.join(' ')} (${timeout}; async, not part of the decision)`;
    case 'blocking_script':
      return `blocking_script ${handler.argv.join(' ')} (${timeout}, on failure: ${handler.onFailure})`;
    case 'loom_script':
      return `script ${handler.path} (${timeout}, on failure: ${handler.onFailure})`;
    case 'builtin':
      return `builtin ${handler.builtin} (${timeout}, on failure: ${handler.onFailure})`;
  }
}
