import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { Type, type Static } from 'typebox';
import { ErrorCode, HookboxError } from '../errors.ts';
import { SessionName } from '../inbox/session-name.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { JSON_MAX_DEPTH, valueTooDeep } from '../util/json-input.ts';
import { NTFY_TOPIC_PATTERN } from '../notify/ntfy.ts';
import { NOTIFICATION_ROUTES, NotifyWhen } from './settings-schema.ts';
import { schemaCheck } from '../util/schema-check.ts';

const Route = Type.Enum([...NOTIFICATION_ROUTES]);

// The TOML file as the user writes it (snake_case). Unknown keys are errors so a typo never
// silently falls back to a default. `[[hooks]]` keeps Octomind's shape; it is validated by the
// webhook-hook part of the core.
export const ConfigFileSchema = Type.Object(
  {
    log_format: Type.Optional(Type.Enum(['text', 'json'])),
    api: Type.Optional(
      Type.Object(
        {
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          max_body_bytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 })),
        },
        { additionalProperties: false },
      ),
    ),
    history: Type.Optional(
      Type.Object(
        {
          cache_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          retention: Type.Optional(Type.Integer({ minimum: 1 })),
          /** e.g. "90d", "12w", "1y" (the `ms` package's units); events older than this are pruned. */
          max_age: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    notifications: Type.Optional(
      Type.Object(
        {
          on_failure: Type.Optional(Type.Boolean()),
          on_long_running: Type.Optional(Type.Boolean()),
          /** "always" | "unfocused" | "never" (default "always"). */
          failure_when: Type.Optional(NotifyWhen),
          /** "always" | "unfocused" | "never" (default "unfocused"). */
          long_running_when: Type.Optional(NotifyWhen),
          long_running_threshold_ms: Type.Optional(Type.Integer({ minimum: 0 })),
          long_running_ignore: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
          notify_service_url: Type.Optional(Type.String()),
          baml_url: Type.Optional(Type.String()),
          remote_timeout_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000 })),
          /** Native ntfy pushes (notify/ntfy.ts); `${VAR}` in token/user/password. */
          ntfy: Type.Optional(
            Type.Object(
              {
                url: Type.Optional(Type.String()),
                topic: Type.String({ pattern: NTFY_TOPIC_PATTERN }),
                token: Type.Optional(Type.String({ minLength: 1 })),
                user: Type.Optional(Type.String({ minLength: 1 })),
                password: Type.Optional(Type.String({ minLength: 1 })),
                click_url: Type.Optional(Type.String()),
                quiet_hours: Type.Optional(
                  Type.String({ pattern: '^\\s*\\d{1,2}:\\d{2}\\s*-\\s*\\d{1,2}:\\d{2}\\s*$' }),
                ),
                only_when_away: Type.Optional(Type.String({ minLength: 1 })),
                max_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
                timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
              },
              { additionalProperties: false },
            ),
          ),
          /** Per rule group: "desktop", "ntfy", "both" or "none". */
          routes: Type.Optional(
            Type.Object(
              {
                failure: Type.Optional(Route),
                long_running: Type.Optional(Route),
                agent: Type.Optional(Route),
                lifecycle: Type.Optional(Route),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    shell: Type.Optional(
      Type.Object(
        {
          /** The shell integrations also write OSC 777 / OSC 9 / OSC 99 to their terminal (a TTY, TERM not dumb). */
          terminal_notifications: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    /** Octomind's webhook hooks; each entry is checked by validateHooks (webhooks/hook-config.ts). */
    hooks: Type.Optional(Type.Array(Type.Unknown())),
    /** Lifecycle hooks (Bernstein / Loom events); checked by parseLifecycleConfig (lifecycle/lifecycle-config.ts). */
    lifecycle: Type.Optional(Type.Unknown()),
    /** NATS JetStream publish and subscribe; checked by parseNatsConfig (nats/nats-config.ts). */
    nats: Type.Optional(Type.Unknown()),
    /** Claude Code: `inbox` names the session whose waiting messages Stop hands to Claude (off when absent). */
    claude: Type.Optional(Type.Object({ inbox: Type.Optional(SessionName) }, { additionalProperties: false })),
    /** Per-session options: a command each message is piped to (e.g. `octomind send --name X`). */
    sessions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: SessionName,
            deliver_command: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
            deliver_timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type ConfigFile = Static<typeof ConfigFileSchema>;

const checkConfigFile = schemaCheck(ConfigFileSchema);

export interface LoadedConfig {
  /** The file that was read, or null when none exists at the default location. */
  path: string | null;
  config: ConfigFile;
}

/** TOML with the same nesting limit as JSON input for inline tables and arrays. */
export function parseToml(text: string): Record<string, unknown> {
  return parse(text, { maxDepth: JSON_MAX_DEPTH });
}

/** Parses TOML text; errors name the file and the line, column or field that is wrong. */
export function parseConfigText(text: string, path: string): ConfigFile {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const firstLine = error.message.split('\n')[0] ?? error.message;
      throw new HookboxError(
        ErrorCode.InvalidConfig,
        `${path}:${error.line}:${error.column}: ${firstLine.replace(/^Invalid TOML document: /, '')}`,
      );
    }
    throw error;
  }
  // Dotted keys and table headers nest without brackets, past the parser's own inline limit.
  if (valueTooDeep(raw))
    throw new HookboxError(
      ErrorCode.InvalidConfig,
      `${path}: nests tables/arrays deeper than ${JSON_MAX_DEPTH} levels (the limit for structured input)`,
    );
  if (!checkConfigFile.Check(raw)) {
    const problem = describeSchemaIssues([...checkConfigFile.Errors(raw)]);
    throw new HookboxError(ErrorCode.InvalidConfig, `${path}: ${problem?.message ?? 'invalid configuration'}`);
  }
  return raw;
}

/**
 * Reads the config file. A missing file is fine at the default location (defaults apply) but an
 * error when the user named it explicitly.
 */
export function loadConfigFile(path: string, options: { explicit: boolean }): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !options.explicit) return { path: null, config: {} };
    const reason =
      code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new HookboxError(ErrorCode.InvalidConfig, `${path}: cannot read config file: ${reason}`);
  }
  return { path, config: parseConfigText(text, path) };
}
