import {
  checkTimestamp,
  decodeSignature,
  hmac,
  refuse,
  safeEqual,
  type Verdict,
  type VerifierAdapter,
} from './verifier.ts';
import { parseJsonInput } from '../../util/json-input.ts';

// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` (one v1 per active endpoint secret
// while Stripe rolls one); each v1 is hex HMAC-SHA256(secret, "{t}.{raw body}"). Refused outside
// the tolerance (Stripe's libraries default to 300 s). The event's `id` in the JSON body is the
// delivery id: Stripe retries an event with the same id.
export const stripeVerifier: VerifierAdapter = {
  needsSecret: true,
  fields: [],
  create(settings) {
    return {
      verify(request, context): Verdict {
        const header = request.headers['stripe-signature'];
        if (header === undefined) return refuse('stripe-signature header missing');
        let timestamp: string | undefined;
        const signatures: Buffer[] = [];
        for (const part of header.split(',')) {
          const [key, value = ''] = part.trim().split(/=(.*)/s, 2);
          if (key === 't') timestamp = value;
          else if (key === 'v1') {
            const decoded = decodeSignature(value, 'hex');
            if (decoded) signatures.push(decoded);
          }
        }
        if (timestamp === undefined) return refuse('stripe-signature has no t= timestamp');
        const stale = checkTimestamp(timestamp, 'stripe-signature t=', settings.toleranceMs, context);
        if (stale) return refuse(stale);
        if (signatures.length === 0) return refuse('stripe-signature has no v1= signature');
        const prefix = `${timestamp!.trim()}.`;
        const matched = settings.secrets.some((secret) => {
          const expected = hmac('sha256', secret, prefix, request.body);
          return signatures.some((given) => safeEqual(given, expected));
        });
        if (!matched) return refuse('signature does not match');
        const id = eventId(request.body);
        return id ? { ok: true, deliveryId: id } : { ok: true };
      },
    };
  },
};

function eventId(body: Buffer): string | undefined {
  try {
    const id = (parseJsonInput(body.toString('utf8'), 'the request body') as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}
