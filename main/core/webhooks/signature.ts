import { createHmac, timingSafeEqual } from 'node:crypto';

/** GitHub's scheme: `sha256=` + hex HMAC-SHA256 of the raw body with the shared secret. */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of a `sha256=<hex>` signature header against the body. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header ?? '');
  // Compare equal lengths only (timingSafeEqual requires it); the length of a valid signature
  // is public, so this leaks nothing.
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}
