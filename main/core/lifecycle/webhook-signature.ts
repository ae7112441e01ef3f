import { createHmac, timingSafeEqual } from 'node:crypto';
import { HOOKBOX_VERSION } from '../version.ts';

// How lifecycle webhooks are signed, and what a receiver must check.
//
// Every delivery is `POST <url>` with the JSON body `{"event", "timestamp", "data"}` (timestamp:
// when the event happened, Unix seconds) and these headers:
//
//   X-Bernstein-Event:            the event name, e.g. task.completed
//   X-Bernstein-Timestamp:        when this attempt was sent, Unix seconds (an integer)
//   X-Bernstein-Delivery:         the delivery id, the same on every retry of one delivery
//   X-Bernstein-Attempt:          1, 2, 3 …
//   X-Bernstein-Signature:        sha256=<hex HMAC-SHA256(secret, body)>              (as the seed says)
//   X-Bernstein-Signature-V2:     sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// The two signatures are sent only when the handler has a `secret`. The body is the raw bytes as
// received — verify before parsing or re-serialising it.
//
// A receiver must:
//   1. compute HMAC-SHA256(secret, X-Bernstein-Timestamp + "." + raw body) and compare it with
//      X-Bernstein-Signature-V2 in constant time; reject on mismatch;
//   2. reject when X-Bernstein-Timestamp is more than 5 minutes from its own clock (a captured
//      request replayed later carries an old timestamp, and changing it breaks the signature);
//   3. to be safe against a replay inside those 5 minutes, and against the at-least-once
//      delivery of the outbox (a retry after a lost answer), treat X-Bernstein-Delivery as an
//      idempotency key: remember the ids seen in the last 5 minutes and ignore repeats.
// Receivers that only know the seed's header can check X-Bernstein-Signature alone, which proves
// the body came from the secret's holder but does not stop replays.

export const REPLAY_TOLERANCE_S = 300;

function hmac(secret: string, payload: string): string {
  return `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
}

export interface SignedHeadersInput {
  event: string;
  body: string;
  secret: string | null;
  /** Unix seconds of this attempt. */
  timestamp: number;
  deliveryId: string;
  attempt: number;
}

export function webhookHeaders(input: SignedHeadersInput): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': `Hookbox/${HOOKBOX_VERSION}`,
    'x-bernstein-event': input.event,
    'x-bernstein-timestamp': String(input.timestamp),
    'x-bernstein-delivery': input.deliveryId,
    'x-bernstein-attempt': String(input.attempt),
  };
  if (input.secret !== null) {
    headers['x-bernstein-signature'] = hmac(input.secret, input.body);
    headers['x-bernstein-signature-v2'] = hmac(input.secret, `${input.timestamp}.${input.body}`);
  }
  return headers;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The receiver's side of steps 1 and 2 above (step 3 needs the receiver's own memory). */
export function verifyWebhook(input: { secret: string; body: string; headers: Record<string, string | string[] | undefined>; nowS: number; toleranceS?: number }): { ok: true } | { ok: false; reason: string } {
  const header = (name: string) => {
    const value = input.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const timestamp = header('x-bernstein-timestamp');
  const signature = header('x-bernstein-signature-v2');
  if (!timestamp || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing or malformed X-Bernstein-Timestamp' };
  if (!signature) return { ok: false, reason: 'missing X-Bernstein-Signature-V2' };
  if (!sameText(signature, hmac(input.secret, `${timestamp}.${input.body}`))) return { ok: false, reason: 'signature mismatch' };
  if (Math.abs(input.nowS - Number(timestamp)) > (input.toleranceS ?? REPLAY_TOLERANCE_S)) return { ok: false, reason: 'timestamp outside the tolerance (replayed or clock skew)' };
  return { ok: true };
}
