import { accessSync, constants, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { interpolateEnv } from '../config/env-interpolation.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { MAX_MESSAGE_BYTES } from '../inbox/inbox.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';

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
    /** GitHub-style HMAC-SHA256 secret; `${VAR}` reads it from the environment. */
    secret: Type.Optional(Type.String({ minLength: 1 })),
    signature_header: Type.Optional(Type.String({ minLength: 1 })),
    max_concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
    queue_size: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    /** At most the largest inbox message (4 MiB): more could never be delivered. */
    max_output_bytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: MAX_MESSAGE_BYTES })),
    max_body_bytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 })),
  },
  { additionalProperties: false },
);
export type HookEntry = Static<typeof HookEntrySchema>;
const checkHookEntry = Compile(HookEntrySchema);

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
  secret: string | undefined;
  signatureHeader: string;
  maxConcurrency: number;
  queueSize: number;
  maxOutputBytes: number;
  maxBodyBytes: number;
}

export const HOOK_DEFAULTS = {
  timeoutSeconds: 30,
  signatureHeader: 'x-hub-signature-256',
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
  if (match[2] && /^[\d.]+$/.test(host) && !/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host)) return undefined;
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

/**
 * Validates `[[hooks]]` as a whole: each entry's fields, then names and binds unique, scripts
 * present and executable. Relative script paths are resolved against the config file's folder.
 * Errors are one line naming the file, the hook and the field.
 */
export function validateHooks(entries: readonly unknown[], options: { file: string; env: NodeJS.ProcessEnv }): HookConfig[] {
  const { file, env } = options;
  const hooks: HookConfig[] = [];
  const names = new Set<string>();
  const binds = new Map<string, string>();
  entries.forEach((entry, index) => {
    const label = typeof (entry as { name?: unknown })?.name === 'string' ? String((entry as { name: string }).name) : `#${index + 1}`;
    if (!checkHookEntry.Check(entry)) {
      const problem = describeSchemaIssues([...checkHookEntry.Errors(entry)]);
      fail(file, label, problem?.message ?? 'invalid entry');
    }
    const e = entry as HookEntry;
    if (names.has(e.name)) fail(file, e.name, `duplicate name (each hook needs its own 'name')`);
    names.add(e.name);
    const address = parseBind(e.bind);
    if (!address) fail(file, e.name, `'bind' must be "address:port" (e.g. "127.0.0.1:9876"), got ${JSON.stringify(e.bind)}`);
    const bindKey = `${address.host}:${address.port}`;
    if (address.port !== 0) {
      const other = binds.get(bindKey);
      if (other) fail(file, e.name, `'bind' ${e.bind} is already used by hook '${other}'`);
      binds.set(bindKey, e.name);
    }
    const scriptPath = isAbsolute(e.script) ? e.script : resolve(dirname(file), e.script);
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
      secret: e.secret === undefined ? undefined : interpolateEnv(e.secret, env, `${file}: hook '${e.name}': 'secret'`),
      signatureHeader: (e.signature_header ?? HOOK_DEFAULTS.signatureHeader).toLowerCase(),
      maxConcurrency: e.max_concurrency ?? HOOK_DEFAULTS.maxConcurrency,
      queueSize: e.queue_size ?? HOOK_DEFAULTS.queueSize,
      maxOutputBytes: e.max_output_bytes ?? HOOK_DEFAULTS.maxOutputBytes,
      maxBodyBytes: e.max_body_bytes ?? HOOK_DEFAULTS.maxBodyBytes,
    });
  });
  return hooks;
}

/** True when two configs would behave identically (a reload leaves such a listener alone). */
export function sameHook(a: HookConfig, b: HookConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
