import { createHash, createHmac, createPublicKey, timingSafeEqual, type KeyObject } from 'node:crypto';

// The one small interface every signature scheme implements (one adapter file per scheme in this
// folder, listed in index.ts). A verifier is built once per hook at config load, where anything
// that cannot work (a missing secret, a key that does not decode) is refused naming the field;
// at request time it only answers "accepted" or "refused, because …" (never with the secret).

/** The parts of a request a signature can cover. */
export interface SignedRequest {
  path: string;
  /** Without the '?'. */
  query: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface VerifyContext {
  /** Epoch milliseconds (the hub's clock). */
  now: number;
  /**
   * False for a user's own replay of a recorded run: the signature must still match, but an old
   * timestamp is expected there (the delivery-id check is skipped by the dispatcher too).
   */
  checkFreshness: boolean;
}

export type Verdict = { ok: true; deliveryId?: string } | { ok: false; reason: string };

export interface Verifier {
  verify(request: SignedRequest, context: VerifyContext): Verdict;
}

export const HMAC_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export const SIGNATURE_ENCODINGS = ['hex', 'base64'] as const;
export type SignatureEncoding = (typeof SIGNATURE_ENCODINGS)[number];

/** A hook's verification fields as the config file gives them, secrets already resolved. */
export interface VerifierSettings {
  secrets: string[];
  toleranceMs: number;
  signatureHeader: string | undefined;
  signaturePrefix: string | undefined;
  algorithm: HmacAlgorithm | undefined;
  encoding: SignatureEncoding | undefined;
  signed: string | undefined;
  timestampHeader: string | undefined;
  publicUrl: string | undefined;
  publicKey: string | undefined;
}

/** The config keys a scheme may use besides `verify`, `secret(s)` and `tolerance`. */
export type OptionalField =
  | 'signature_header'
  | 'signature_prefix'
  | 'algorithm'
  | 'encoding'
  | 'signed'
  | 'timestamp_header'
  | 'public_url'
  | 'public_key';

/** Raised while building a verifier: names the config key that cannot work. */
export class VerifierConfigError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export interface VerifierAdapter {
  /** Whether `secret`/`secrets` must be given. */
  needsSecret: boolean;
  /** Keys this scheme reads; any other of OptionalField is refused for it (a typo would silently do nothing). */
  fields: readonly OptionalField[];
  create(settings: VerifierSettings): Verifier;
}

export const refuse = (reason: string): Verdict => ({ ok: false, reason });
export const ACCEPTED: Verdict = { ok: true };

/** Constant-time equality; the lengths compared are those of public digests. */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length || a.length === 0) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** Constant-time equality for values whose length is itself secret (a plain token): compares digests. */
export function safeEqualSecret(given: string, secret: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(secret).digest());
}

export function hmac(algorithm: HmacAlgorithm, key: string | Uint8Array, ...parts: Array<string | Uint8Array>): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Decodes a signature as sent; undefined when it is not valid hex/base64 (so it cannot match). */
export function decodeSignature(value: string, encoding: SignatureEncoding): Buffer | undefined {
  const text = value.trim();
  if (encoding === 'hex') return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
}

function describeAge(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * Checks a Unix-seconds timestamp header against the tolerance. Returns the refusal, or
 * undefined when it is fresh enough (or freshness is not checked).
 */
export function checkTimestamp(
  value: string | undefined,
  header: string,
  toleranceMs: number,
  context: VerifyContext,
): string | undefined {
  if (value === undefined || value === '') return `${header} header missing`;
  if (!/^\d{1,12}$/.test(value.trim())) return `${header} is not a Unix time in seconds`;
  if (!context.checkFreshness) return undefined;
  const age = context.now - Number(value.trim()) * 1000;
  if (age > toleranceMs) return `timestamp ${describeAge(age)} old (tolerance ${describeAge(toleranceMs)})`;
  if (-age > toleranceMs) return `timestamp ${describeAge(age)} in the future (tolerance ${describeAge(toleranceMs)})`;
  return undefined;
}

/** An Ed25519 public key from 32 raw bytes. */
export function ed25519Key(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** 32 bytes as 64 hex digits or base64 (Discord shows hex); undefined when neither. */
export function decodeKeyBytes(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  return bytes?.length === 32 ? bytes : undefined;
}
