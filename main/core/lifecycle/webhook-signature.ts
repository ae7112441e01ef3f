import { createHmac } from 'node:crypto';
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
