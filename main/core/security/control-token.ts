import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Control operations (injecting into an inbox, replaying a hook, reading messages) need a token
// that only the user can read: a 0600 file in the data dir, created on first start. Local
// clients (`hookbox send`, the browser UI URL) read it from there.

export const CONTROL_TOKEN_FILE = 'control-token';

export function controlTokenPath(dataDir: string): string {
  return join(dataDir, CONTROL_TOKEN_FILE);
}

export function readControlToken(dataDir: string): string | undefined {
  try {
    const token = readFileSync(controlTokenPath(dataDir), 'utf8').trim();
    return token.length >= 32 ? token : undefined;
  } catch {
    return undefined;
  }
}

export function loadOrCreateControlToken(dataDir: string): string {
  const existing = readControlToken(dataDir);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  const path = controlTokenPath(dataDir);
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}

export function tokensMatch(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer …` or `X-Hookbox-Token`. */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = headers['x-hookbox-token'];
  if (typeof header === 'string') return header.trim();
  return undefined;
}

/** Whether the query string carries `token` at all (a string, or several). */
export function hasQueryToken(query: unknown): boolean {
  return typeof query === 'object' && query !== null && (query as { token?: unknown }).token !== undefined;
}

/** `?token=`, only for the event streams: EventSource cannot send headers. */
export function tokenFromQuery(query: unknown): string | undefined {
  const value = (query as { token?: unknown } | undefined)?.token;
  return typeof value === 'string' ? value : undefined;
}
