import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import ms from 'ms';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import { schemaCheck } from '../util/schema-check.ts';
import { interpolateEnv } from '../config/env-interpolation.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { MAX_MESSAGE_BYTES } from '../inbox/inbox.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { compileFilter, FilterConfigError, type HookFilter } from './hook-filters.ts';
import {
  buildVerifier,
  DEFAULT_TOLERANCE_MS,
  VERIFY_SCHEMES,
  type Verifier,
  type VerifierSettings,
  type VerifyScheme,
} from './verifiers/index.ts';
import { HMAC_ALGORITHMS, SIGNATURE_ENCODINGS, VerifierConfigError, type OptionalField } from './verifiers/verifier.ts';

// A `[[hooks]]` entry: Octomind's four fields (name, bind, script, timeout) exactly, plus
// optional Hookbox fields. An Octomind config file works unchanged.
export const HookEntrySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    bind: Type.String({ minLength: 1 }),
    script: Type.String({ minLength: 1 }),
    timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    /** Session whose inbox receives this hook's messages (default: "default", or `run --name`). */
    session: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' })),
    enabled: Type.Optional(Type.Boolean()),
    /** The signature scheme (verifiers/index.ts); a `secret` without it means "github". */
    verify: Type.Optional(Type.Enum(VERIFY_SCHEMES)),
    /** One shared secret; `${VAR}` reads it from the environment. */
    secret: Type.Optional(Type.String({ minLength: 1 })),
    /** Several (rotation): strings, or `{ file = "path" }` tables read at load. */
    secrets: Type.Optional(Type.Array(Type.Unknown(), { minItems: 1, maxItems: 16 })),
    /** How old (or new) a signed timestamp may be, and how long a delivery id is remembered: "5m". */
    tolerance: Type.Optional(Type.String({ minLength: 1 })),
    signature_header: Type.Optional(Type.String({ minLength: 1 })),
    signature_prefix: Type.Optional(Type.String()),
    algorithm: Type.Optional(Type.Enum([...HMAC_ALGORITHMS])),
    encoding: Type.Optional(Type.Enum([...SIGNATURE_ENCODINGS])),
    signed: Type.Optional(Type.String({ minLength: 1 })),
    timestamp_header: Type.Optional(Type.String({ minLength: 1 })),
    public_url: Type.Optional(Type.String({ minLength: 1 })),
    public_key: Type.Optional(Type.String({ minLength: 1 })),
    /** Filters: `[hooks.when]` (all must match) and `[[hooks.when_any]]` (one table must). */
    when: Type.Optional(Type.Unknown()),
    when_any: Type.Optional(Type.Unknown()),
    max_concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
    queue_size: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    /** At most the largest inbox message (4 MiB): more could never be delivered. */
    max_output_bytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: MAX_MESSAGE_BYTES })),
    max_body_bytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 })),
  },
  { additionalProperties: false },
);
export type HookEntry = Static<typeof HookEntrySchema>;
const checkHookEntry = schemaCheck(HookEntrySchema);

export const DEFAULT_SESSION = 'default';

/** A validated hook with every default applied. */
export interface HookConfig {
  name: string;
  host: string;
  port: number;
  /** As written, for display and change detection. */
  bind: string;
  scriptPath: string;
  timeoutMs: number;
  session: string;
  enabled: boolean;
  /** The signature scheme checked before the script runs; undefined: none. */
  verify: VerifyScheme | undefined;
  /** Its settings (secrets resolved): plain data, so a reload notices a changed secret. */
  verification: VerifierSettings | undefined;
  /** Built from the two above (serialises to nothing; compared through them). */
  verifier: Verifier | undefined;
  /** `when`/`when_any` as written (for change detection) and compiled. */
  filterSpec: { when?: unknown; when_any?: unknown } | undefined;
  filter: HookFilter | undefined;
  maxConcurrency: number;
  queueSize: number;
  maxOutputBytes: number;
  maxBodyBytes: number;
}

export const HOOK_DEFAULTS = {
  timeoutSeconds: 30,
  maxConcurrency: 8,
  queueSize: 256,
  maxOutputBytes: 1024 * 1024,
  maxBodyBytes: 32 * 1024 * 1024,
};

/** "addr:port", "[v6]:port" → host and port; undefined when malformed. */
export function parseBind(bind: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(bind.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2] ?? '';
  if (match[2] && /^[\d.]+$/.test(host) && !/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host))
    return undefined;
  return { host, port };
}

function fail(file: string, hook: string, message: string): never {
  throw new HookboxError(ErrorCode.InvalidConfig, `${file}: hook '${hook}': ${message}`);
}

function checkScript(file: string, name: string, scriptPath: string): void {
  let isFile = false;
  try {
    isFile = statSync(scriptPath).isFile();
  } catch {
    fail(file, name, `'script' ${scriptPath} does not exist`);
  }
  if (!isFile) fail(file, name, `'script' ${scriptPath} is not a file`);
  try {
    accessSync(scriptPath, constants.X_OK);
  } catch {
    fail(file, name, `'script' ${scriptPath} is not executable (chmod +x it)`);
  }
}

/** A hook's script as a full path: `~/x` in the user's home (as a shell reads it), relative to the config's folder. */
function scriptPathOf(script: string, file: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || homedir();
  if (script === '~' || script.startsWith('~/')) return join(home, script.slice(1));
  return isAbsolute(script) ? script : resolve(dirname(file), script);
}

/**
 * Validates `[[hooks]]` as a whole: each entry's fields, then names and binds unique, scripts
 * present and executable. Relative script paths are resolved against the config file's folder; `~/` is the home.
 * Errors are one line naming the file, the hook and the field.
 */
export function validateHooks(
  entries: readonly unknown[],
  options: { file: string; env: NodeJS.ProcessEnv },
): HookConfig[] {
  const { file, env } = options;
  const hooks: HookConfig[] = [];
  const names = new Set<string>();
  const binds = new Map<string, string>();
  entries.forEach((entry, index) => {
    const label =
      typeof (entry as { name?: unknown })?.name === 'string'
        ? String((entry as { name: string }).name)
        : `#${index + 1}`;
    if (!checkHookEntry.Check(entry)) {
      const problem = describeSchemaIssues([...checkHookEntry.Errors(entry)]);
      fail(file, label, problem?.message ?? 'invalid entry');
    }
    const e = entry as HookEntry;
    if (names.has(e.name)) fail(file, e.name, `duplicate name (each hook needs its own 'name')`);
    names.add(e.name);
    const address = parseBind(e.bind);
    if (!address)
      fail(file, e.name, `'bind' must be "address:port" (e.g. "127.0.0.1:9876"), got ${JSON.stringify(e.bind)}`);
    const bindKey = `${address.host}:${address.port}`;
    if (address.port !== 0) {
      const other = binds.get(bindKey);
      if (other) fail(file, e.name, `'bind' ${e.bind} is already used by hook '${other}'`);
      binds.set(bindKey, e.name);
    }
    const scriptPath = scriptPathOf(e.script, file, env);
    const enabled = e.enabled ?? true;
    if (enabled) checkScript(file, e.name, scriptPath);
    hooks.push({
      name: e.name,
      host: address.host,
      port: address.port,
      bind: e.bind,
      scriptPath,
      timeoutMs: (e.timeout ?? HOOK_DEFAULTS.timeoutSeconds) * 1000,
      session: e.session ?? DEFAULT_SESSION,
      enabled,
      ...verificationOf(e, { file, env }),
      ...filterOf(e, file),
      maxConcurrency: e.max_concurrency ?? HOOK_DEFAULTS.maxConcurrency,
      queueSize: e.queue_size ?? HOOK_DEFAULTS.queueSize,
      maxOutputBytes: e.max_output_bytes ?? HOOK_DEFAULTS.maxOutputBytes,
      maxBodyBytes: e.max_body_bytes ?? HOOK_DEFAULTS.maxBodyBytes,
    });
  });
  return hooks;
}

const OPTIONAL_FIELDS: readonly OptionalField[] = [
  'signature_header',
  'signature_prefix',
  'algorithm',
  'encoding',
  'signed',
  'timestamp_header',
  'public_url',
  'public_key',
];

/** `secret`/`secrets` as values: `${VAR}` from the environment, `{ file = "path" }` read (relative to the config file). */
function resolveSecrets(e: HookEntry, file: string, env: NodeJS.ProcessEnv): string[] {
  if (e.secret !== undefined && e.secrets !== undefined)
    fail(file, e.name, "'secret' and 'secrets' both given: list every secret in 'secrets'");
  if (e.secret !== undefined) return [interpolateEnv(e.secret, env, `${file}: hook '${e.name}': 'secret'`)];
  return (e.secrets ?? []).map((item, index) => {
    const where = `'secrets' #${index + 1}`;
    if (typeof item === 'string') {
      if (item === '') fail(file, e.name, `${where} is empty`);
      return interpolateEnv(item, env, `${file}: hook '${e.name}': ${where}`);
    }
    const path = (item as { file?: unknown } | null)?.file;
    if (typeof path !== 'string' || path === '' || Object.keys(item as object).length !== 1)
      fail(file, e.name, `${where} must be a string or { file = "path" }`);
    const full = isAbsolute(path) ? path : resolve(dirname(file), path);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (error) {
      fail(
        file,
        e.name,
        `${where}: cannot read ${full}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    // Files written by `echo` end in a newline that is not part of the secret.
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') fail(file, e.name, `${where}: ${full} is empty`);
    return secret;
  });
}

function verificationOf(
  e: HookEntry,
  options: { file: string; env: NodeJS.ProcessEnv },
): Pick<HookConfig, 'verify' | 'verification' | 'verifier'> {
  const { file, env } = options;
  const given = new Set(OPTIONAL_FIELDS.filter((field) => e[field] !== undefined));
  const wantsVerification =
    e.verify !== undefined ||
    e.secret !== undefined ||
    e.secrets !== undefined ||
    e.tolerance !== undefined ||
    given.size > 0;
  if (!wantsVerification) return { verify: undefined, verification: undefined, verifier: undefined };
  // Today's meaning kept: a secret alone (with or without signature_header) checks GitHub's signature.
  const scheme = e.verify ?? 'github';
  let toleranceMs = DEFAULT_TOLERANCE_MS;
  if (e.tolerance !== undefined) {
    const parsed = ms(e.tolerance as ms.StringValue) as number | undefined;
    if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 1000 || parsed > 7 * 24 * 3600 * 1000) {
      fail(
        file,
        e.name,
        `'tolerance' must be a duration from 1s to 7d like "5m" or "90s", got ${JSON.stringify(e.tolerance)}`,
      );
    }
    toleranceMs = parsed;
  }
  const verification: VerifierSettings = {
    secrets: resolveSecrets(e, file, env),
    toleranceMs,
    signatureHeader: e.signature_header?.toLowerCase(),
    signaturePrefix: e.signature_prefix,
    algorithm: e.algorithm,
    encoding: e.encoding,
    signed: e.signed,
    timestampHeader: e.timestamp_header?.toLowerCase(),
    publicUrl: e.public_url,
    publicKey:
      e.public_key === undefined
        ? undefined
        : interpolateEnv(e.public_key, env, `${file}: hook '${e.name}': 'public_key'`),
  };
  try {
    return { verify: scheme, verification, verifier: buildVerifier(scheme, verification, given) };
  } catch (error) {
    if (!(error instanceof VerifierConfigError)) throw error;
    const hint =
      e.verify === undefined && given.has(error.field as OptionalField)
        ? ` (set 'verify'; without it the hook checks GitHub's signature)`
        : '';
    const message = error.message.includes(`'${error.field}'`) ? error.message : `'${error.field}': ${error.message}`;
    fail(file, e.name, `${message}${hint}`);
  }
}

function filterOf(e: HookEntry, file: string): Pick<HookConfig, 'filterSpec' | 'filter'> {
  if (e.when === undefined && e.when_any === undefined) return { filterSpec: undefined, filter: undefined };
  try {
    return { filterSpec: { when: e.when, when_any: e.when_any }, filter: compileFilter(e.when, e.when_any) };
  } catch (error) {
    if (error instanceof FilterConfigError) fail(file, e.name, error.message);
    throw error;
  }
}

/** True when two configs would behave identically (a reload leaves such a listener alone). */
export function sameHook(a: HookConfig, b: HookConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
