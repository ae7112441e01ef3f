import { readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { Type, type Static } from 'typebox';
import { schemaCheck } from '../util/schema-check.ts';
import { interpolateEnv } from '../config/env-interpolation.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';

// [nats] and [[nats.subscribe]] as the user writes them, and as the hub uses them. Which of
// Hookbox's records are published, with which credentials, and which subjects are consumed into a
// local session inbox or into the event history. Secrets may come from `${VAR}`; a `.creds` file
// or an NKey seed file is read once, at start.

export const PUBLISHED_RECORDS = ['events', 'notifications', 'lifecycle', 'inbox', 'hook_runs'] as const;
export type PublishedRecord = (typeof PUBLISHED_RECORDS)[number];

/** A subject a consumer may filter on: tokens of letters, digits, _ and -, with * and > as wildcards. */
const SUBJECT = '^[A-Za-z0-9_-]+(\\.([A-Za-z0-9_-]+|\\*|>))*$';
const TOKEN = '^[A-Za-z0-9_-]{1,64}$';

const SubscribeSchema = Type.Object(
  {
    subject: Type.String({ pattern: SUBJECT }),
    durable: Type.String({ pattern: TOKEN }),
    /** "inbox:SESSION" or "events". */
    into: Type.String({ pattern: `^(events|inbox:[A-Za-z0-9][A-Za-z0-9._-]{0,127})$` }),
    /** Seconds before the server redelivers a message that was received but not acknowledged. */
    ack_wait: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  },
  { additionalProperties: false },
);

export const NatsFileSchema = Type.Object(
  {
    servers: Type.Array(Type.String({ pattern: '^(nats|tls)://' }), { minItems: 1 }),
    /** A `.creds` file (JWT + NKey seed), as `nsc` writes it. */
    credentials: Type.Optional(Type.String({ minLength: 1 })),
    /** A file holding an NKey seed (SU…). */
    nkey: Type.Optional(Type.String({ minLength: 1 })),
    token: Type.Optional(Type.String({ minLength: 1 })),
    user: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String({ minLength: 1 })),
    /** This machine's name in subjects and records; default: the hostname. */
    host: Type.Optional(Type.String({ pattern: TOKEN })),
    publish: Type.Optional(Type.Array(Type.Enum([...PUBLISHED_RECORDS]), { uniqueItems: true })),
    /** The JetStream stream holding hookbox.> (created when missing, if the account may). */
    stream: Type.Optional(Type.String({ pattern: TOKEN })),
    subscribe: Type.Optional(Type.Array(SubscribeSchema)),
  },
  { additionalProperties: false },
);
type NatsFile = Static<typeof NatsFileSchema>;
const checkNatsFile = schemaCheck(NatsFileSchema);

export type NatsAuth =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'user'; user: string; password: string }
  | { kind: 'nkey'; seed: Uint8Array }
  | { kind: 'creds'; creds: Uint8Array; file: string; expiresAt: Date | null };

export interface NatsSubscription {
  subject: string;
  durable: string;
  into: { kind: 'events' } | { kind: 'inbox'; session: string };
  ackWaitMs: number;
}

export interface NatsConfig {
  servers: string[];
  auth: NatsAuth;
  host: string;
  publish: PublishedRecord[];
  stream: string;
  subscribe: NatsSubscription[];
}

/** This machine's name as a subject token. */
export function hostToken(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'host';
}

function expand(path: string, env: NodeJS.ProcessEnv): string {
  return path.startsWith('~/') ? `${env.HOME || homedir()}${path.slice(1)}` : path;
}

function readSecretFile(path: string, key: string, file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new HookboxError(
      ErrorCode.InvalidConfig,
      `${file}: nats.${key}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

// The blocks of a .creds file as nsc and the NATS clients write and read them: a user JWT, then
// the user's NKey seed, each between dashed BEGIN/END lines (the client's own parser's pattern).
const CREDS_BLOCK = /\s*(?:(?:[-]{3,}[^\n]*[-]{3,}\n)(.+)(?:\n\s*[-]{3,}[^\n]*[-]{3,}\n))/g;
const USER_SEED = /^SU[A-Z2-7]{56}$/;

/**
 * Checks a .creds file's shape and reads when its user JWT expires; a problem names the key and
 * the file, never the content (it is a secret).
 */
function readCreds(bytes: Uint8Array, path: string, file: string): { expiresAt: Date | null } {
  const text = new TextDecoder().decode(bytes);
  const blocks = [...text.matchAll(CREDS_BLOCK)].map((m) => m[1]!.trim());
  const [jwt, seed] = blocks;
  const refuse = (why: string) =>
    new HookboxError(ErrorCode.InvalidConfig, `${file}: nats.credentials: ${path} ${why} (as nsc writes it)`);
  const claims = jwt?.split('.')[1];
  if (!jwt || !claims) throw refuse('holds no user JWT block');
  if (!seed || !USER_SEED.test(seed)) throw refuse('holds no user NKey seed block (SU…) after the JWT');
  let exp: unknown;
  try {
    exp = (JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
  } catch {
    throw refuse('holds a user JWT that is not one');
  }
  return { expiresAt: typeof exp === 'number' && exp > 0 ? new Date(exp * 1000) : null };
}

function authOf(raw: NatsFile, env: NodeJS.ProcessEnv, file: string): NatsAuth {
  const given = (['credentials', 'nkey', 'token', 'user'] as const).filter((k) => raw[k] !== undefined);
  if (given.length > 1)
    throw new HookboxError(
      ErrorCode.InvalidConfig,
      `${file}: nats: give one of credentials, nkey, token or user + password (got ${given.join(', ')})`,
    );
  if ((raw.user === undefined) !== (raw.password === undefined))
    throw new HookboxError(ErrorCode.InvalidConfig, `${file}: nats.user and nats.password go together`);
  const at = (key: string) => `${file}: nats.${key}`;
  if (raw.credentials !== undefined) {
    const path = expand(interpolateEnv(raw.credentials, env, at('credentials')), env);
    const creds = readSecretFile(path, 'credentials', file);
    return { kind: 'creds', creds, file: path, ...readCreds(creds, path, file) };
  }
  if (raw.nkey !== undefined) {
    const path = expand(interpolateEnv(raw.nkey, env, at('nkey')), env);
    const seed = new TextDecoder().decode(readSecretFile(path, 'nkey', file)).trim();
    if (!USER_SEED.test(seed))
      throw new HookboxError(ErrorCode.InvalidConfig, `${file}: nats.nkey: ${path} holds no user NKey seed (SU…)`);
    return { kind: 'nkey', seed: new TextEncoder().encode(seed) };
  }
  if (raw.token !== undefined) return { kind: 'token', token: interpolateEnv(raw.token, env, at('token')) };
  if (raw.user !== undefined && raw.password !== undefined)
    return {
      kind: 'user',
      user: interpolateEnv(raw.user, env, at('user')),
      password: interpolateEnv(raw.password, env, at('password')),
    };
  return { kind: 'none' };
}

/** Validates [nats]; null when absent. Errors name the file and the key. */
export function parseNatsConfig(raw: unknown, options: { file: string; env: NodeJS.ProcessEnv }): NatsConfig | null {
  if (raw === undefined) return null;
  if (!checkNatsFile.Check(raw)) {
    const problem = describeSchemaIssues([...checkNatsFile.Errors(raw)]);
    throw new HookboxError(ErrorCode.InvalidConfig, `${options.file}: nats${problem ? `: ${problem.message}` : ''}`);
  }
  const durables = new Set<string>();
  for (const s of raw.subscribe ?? []) {
    if (durables.has(s.durable))
      throw new HookboxError(ErrorCode.InvalidConfig, `${options.file}: nats.subscribe: durable '${s.durable}' twice`);
    durables.add(s.durable);
  }
  return {
    servers: raw.servers,
    auth: authOf(raw, options.env, options.file),
    host: raw.host ?? hostToken(hostname()),
    publish: raw.publish ?? [],
    stream: raw.stream ?? 'HOOKBOX',
    subscribe: (raw.subscribe ?? []).map((s) => ({
      subject: s.subject,
      durable: s.durable,
      into: s.into === 'events' ? { kind: 'events' } : { kind: 'inbox', session: s.into.slice('inbox:'.length) },
      ackWaitMs: (s.ack_wait ?? 30) * 1000,
    })),
  };
}
