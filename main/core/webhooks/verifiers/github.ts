import { ACCEPTED, decodeSignature, hmac, refuse, safeEqual, type Verdict, type VerifierAdapter } from './verifier.ts';

// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`; each delivery has a
// unique `X-GitHub-Delivery` id (GitHub signs no timestamp, so the id is the only replay guard).
// `signature_header` renames the header for senders that copy GitHub's scheme under another name.
/** The header value GitHub sends for `body` (tests and `hooks` docs sign with it). */
export function githubSignature(secret: string, body: Buffer | string): string {
  return `sha256=${hmac('sha256', secret, body).toString('hex')}`;
}

export const githubVerifier: VerifierAdapter = {
  needsSecret: true,
  fields: ['signature_header'],
  create(settings) {
    const header = settings.signatureHeader ?? 'x-hub-signature-256';
    return {
      verify(request): Verdict {
        const value = request.headers[header];
        if (value === undefined) return refuse(`${header} header missing`);
        const given = value.startsWith('sha256=') ? decodeSignature(value.slice('sha256='.length), 'hex') : undefined;
        if (!given) return refuse(`${header} is not "sha256=<hex>"`);
        if (!settings.secrets.some((secret) => safeEqual(given, hmac('sha256', secret, request.body))))
          return refuse('signature does not match');
        const delivery = request.headers['x-github-delivery'];
        return delivery ? { ok: true, deliveryId: delivery } : ACCEPTED;
      },
    };
  },
};
