import { decodeSignature, hmac, ACCEPTED, refuse, safeEqual, type Verdict, type VerifierAdapter } from './verifier.ts';

// Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, raw body)>`; no timestamp is signed.
export const shopifyVerifier: VerifierAdapter = {
  needsSecret: true,
  fields: [],
  create(settings) {
    const header = 'x-shopify-hmac-sha256';
    return {
      verify(request): Verdict {
        const value = request.headers[header];
        if (value === undefined) return refuse(`${header} header missing`);
        const given = decodeSignature(value, 'base64');
        if (!given) return refuse(`${header} is not base64`);
        return settings.secrets.some((secret) => safeEqual(given, hmac('sha256', secret, request.body)))
          ? ACCEPTED
          : refuse('signature does not match');
      },
    };
  },
};
