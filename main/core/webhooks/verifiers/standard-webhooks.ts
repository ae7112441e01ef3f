import { verify as verifySignature, type KeyObject } from 'node:crypto';
import {
  checkTimestamp,
  decodeSignature,
  ed25519Key,
  hmac,
  refuse,
  safeEqual,
  VerifierConfigError,
  type Verdict,
  type VerifierAdapter,
} from './verifier.ts';

// Standard Webhooks (Svix, Resend, GitLab's signing token, …): `webhook-id`, `webhook-timestamp`
// and `webhook-signature` (Svix spells them `svix-*`). The signed content is
// "{id}.{timestamp}.{raw body}"; the signature header is a space-separated list so a sender can
// sign with old and new keys while rotating: `v1,<base64 HMAC-SHA256>` with a `whsec_<base64>`
// secret, `v1a,<base64 Ed25519>` checked with a `whpk_<base64>` public key.
//
// The npm `standardwebhooks` package is the reference (the tests sign with it), but it is not used
// here: its tolerance is fixed at 5 minutes, it reads Date.now() rather than the hub's clock, it
// decodes the body as UTF-8 (a binary body no longer verifies), and it has no v1a.

type Key = { kind: 'hmac'; key: Buffer } | { kind: 'ed25519'; key: KeyObject };

function decodeBase64Key(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}

function parseKey(secret: string): Key {
  if (secret.startsWith('whpk_')) {
    const raw = decodeBase64Key(secret.slice(5));
    if (raw?.length !== 32)
      throw new VerifierConfigError('secrets', 'a whpk_ key must be 32 bytes of base64 (an Ed25519 public key)');
    return { kind: 'ed25519', key: ed25519Key(raw) };
  }
  if (secret.startsWith('whsk_'))
    throw new VerifierConfigError('secrets', "a whsk_ key is the sender's private key; give its whpk_ public key");
  const key = decodeBase64Key(secret.startsWith('whsec_') ? secret.slice(6) : secret);
  if (!key) throw new VerifierConfigError('secrets', 'a Standard Webhooks secret is "whsec_" followed by base64');
  return { kind: 'hmac', key };
}

export const standardWebhooksVerifier: VerifierAdapter = {
  needsSecret: true,
  fields: [],
  create(settings) {
    const keys = settings.secrets.map(parseKey);
    return {
      verify(request, context): Verdict {
        const prefix =
          request.headers['webhook-signature'] !== undefined || request.headers['svix-signature'] === undefined
            ? 'webhook'
            : 'svix';
        const id = request.headers[`${prefix}-id`];
        const timestamp = request.headers[`${prefix}-timestamp`];
        const header = request.headers[`${prefix}-signature`];
        if (!id) return refuse(`${prefix}-id header missing`);
        const stale = checkTimestamp(timestamp, `${prefix}-timestamp`, settings.toleranceMs, context);
        if (stale) return refuse(stale);
        if (header === undefined) return refuse(`${prefix}-signature header missing`);
        const content = Buffer.concat([Buffer.from(`${id}.${timestamp!.trim()}.`), request.body]);
        const given = header.split(' ').map((entry) => {
          const comma = entry.indexOf(',');
          return { version: entry.slice(0, comma), signature: decodeSignature(entry.slice(comma + 1), 'base64') };
        });
        let matched = false;
        for (const key of keys) {
          if (key.kind === 'hmac') {
            const expected = hmac('sha256', key.key, content);
            matched =
              given.some((g) => g.version === 'v1' && g.signature !== undefined && safeEqual(g.signature, expected)) ||
              matched;
          } else {
            matched =
              given.some(
                (g) =>
                  g.version === 'v1a' &&
                  g.signature?.length === 64 &&
                  verifySignature(null, content, key.key, g.signature),
              ) || matched;
          }
        }
        return matched ? { ok: true, deliveryId: id } : refuse('signature does not match');
      },
    };
  },
};
