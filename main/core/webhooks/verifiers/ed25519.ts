import { verify as verifySignature } from 'node:crypto';
import {
  ACCEPTED,
  checkTimestamp,
  decodeKeyBytes,
  decodeSignature,
  ed25519Key,
  refuse,
  VerifierConfigError,
  type Verdict,
  type VerifierAdapter,
} from './verifier.ts';

// Ed25519 as Discord signs interactions: `X-Signature-Ed25519: <hex signature>` over
// `X-Signature-Timestamp` + raw body, checked with the application's public key (`public_key`,
// 64 hex digits as Discord shows it, or base64). No secret: the public key is all it needs.
export const ed25519Verifier: VerifierAdapter = {
  needsSecret: false,
  fields: ['public_key'],
  create(settings) {
    if (settings.publicKey === undefined) {
      throw new VerifierConfigError(
        'public_key',
        "verify = \"ed25519\" needs 'public_key' (the sender's Ed25519 public key, 64 hex digits)",
      );
    }
    const raw = decodeKeyBytes(settings.publicKey);
    if (!raw) throw new VerifierConfigError('public_key', "'public_key' must be 32 bytes as 64 hex digits or base64");
    const key = ed25519Key(raw);
    return {
      verify(request, context): Verdict {
        const timestamp = request.headers['x-signature-timestamp'];
        const stale = checkTimestamp(timestamp, 'x-signature-timestamp', settings.toleranceMs, context);
        if (stale) return refuse(stale);
        const value = request.headers['x-signature-ed25519'];
        if (value === undefined) return refuse('x-signature-ed25519 header missing');
        const given = decodeSignature(value, 'hex');
        if (given?.length !== 64) return refuse('x-signature-ed25519 is not a 64-byte hex signature');
        const content = Buffer.concat([Buffer.from(timestamp!), request.body]);
        return verifySignature(null, content, key, given) ? ACCEPTED : refuse('signature does not match');
      },
    };
  },
};
