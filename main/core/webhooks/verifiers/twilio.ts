import { createHash } from 'node:crypto';
import {
  ACCEPTED,
  decodeSignature,
  hmac,
  refuse,
  safeEqual,
  VerifierConfigError,
  type Verdict,
  type VerifierAdapter,
} from './verifier.ts';

// Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1(auth token, URL + form parameters)>`, where URL is
// the full public URL Twilio called (Twilio never sees the hub's own address, so `public_url` —
// the address that reaches this hook's root — is required) and the POST parameters are appended
// sorted by name, each name followed by its value. JSON bodies (the SHA-256 variant) are not
// parameters: Twilio adds `bodySHA256=<hex SHA-256 of the body>` to the URL and signs the URL
// alone. Two auth tokens (primary and secondary) may be given while rotating.
export const twilioVerifier: VerifierAdapter = {
  needsSecret: true,
  fields: ['public_url'],
  create(settings) {
    if (settings.publicUrl === undefined) {
      throw new VerifierConfigError(
        'public_url',
        'verify = "twilio" needs \'public_url\' (the URL Twilio calls, e.g. "https://example.com")',
      );
    }
    let base: URL;
    try {
      base = new URL(settings.publicUrl);
    } catch {
      throw new VerifierConfigError('public_url', `'public_url' is not a URL: ${JSON.stringify(settings.publicUrl)}`);
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:')
      throw new VerifierConfigError('public_url', "'public_url' must be an http(s) URL");
    const root = settings.publicUrl.replace(/\/+$/, '');
    return {
      verify(request): Verdict {
        const value = request.headers['x-twilio-signature'];
        if (value === undefined) return refuse('x-twilio-signature header missing');
        const given = decodeSignature(value, 'base64');
        if (!given) return refuse('x-twilio-signature is not base64');
        const url = `${root}${request.path}${request.query ? `?${request.query}` : ''}`;
        let data = url;
        const bodyHash = new URLSearchParams(request.query).get('bodySHA256');
        if ((request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
          const params = [...new URLSearchParams(request.body.toString('utf8'))];
          params.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
          data += params.map(([name, v]) => name + v).join('');
        } else if (bodyHash !== null) {
          const actual = createHash('sha256').update(request.body).digest();
          const expected = decodeSignature(bodyHash, 'hex');
          if (!expected || !safeEqual(actual, expected)) return refuse('bodySHA256 does not match the body');
        }
        return settings.secrets.some((token) => safeEqual(given, hmac('sha1', token, data)))
          ? ACCEPTED
          : refuse('signature does not match');
      },
    };
  },
};
