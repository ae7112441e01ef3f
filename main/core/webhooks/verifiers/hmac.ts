import {
  ACCEPTED,
  checkTimestamp,
  decodeSignature,
  hmac,
  refuse,
  safeEqual,
  VerifierConfigError,
  type Verdict,
  type VerifierAdapter,
} from './verifier.ts';

// Any other HMAC sender: the signature sits in `signature_header` after an optional
// `signature_prefix` ("sha256=", "v1="…), as hex or base64 of HMAC-`algorithm`(secret, signed),
// where `signed` is a template of what the sender signs: "{body}" (the default) or, for senders
// that sign a timestamp too, e.g. "{timestamp}.{body}" with `timestamp_header` naming where the
// Unix-seconds timestamp is (it is then held to the tolerance). "{header.NAME}" puts in a header.

type Part = { literal: string } | { body: true } | { timestamp: true } | { header: string };

function compileTemplate(template: string, hasTimestamp: boolean): Part[] {
  const parts: Part[] = [];
  let sawBody = false;
  for (const piece of template.split(/(\{[^{}]*\})/)) {
    if (piece === '') continue;
    if (!piece.startsWith('{')) parts.push({ literal: piece });
    else if (piece === '{body}') {
      parts.push({ body: true });
      sawBody = true;
    } else if (piece === '{timestamp}') {
      if (!hasTimestamp)
        throw new VerifierConfigError(
          'signed',
          "'signed' uses {timestamp}: set 'timestamp_header' to the header that carries it",
        );
      parts.push({ timestamp: true });
    } else if (/^\{header\.[A-Za-z0-9_-]+\}$/.test(piece)) parts.push({ header: piece.slice(8, -1).toLowerCase() });
    else
      throw new VerifierConfigError(
        'signed',
        `'signed' has an unknown placeholder ${piece} (known: {body}, {timestamp}, {header.NAME})`,
      );
  }
  if (!sawBody)
    throw new VerifierConfigError(
      'signed',
      "'signed' must include {body} (a signature that does not cover the body proves nothing about it)",
    );
  return parts;
}

export const hmacVerifier: VerifierAdapter = {
  needsSecret: true,
  fields: ['signature_header', 'signature_prefix', 'algorithm', 'encoding', 'signed', 'timestamp_header'],
  create(settings) {
    const header = settings.signatureHeader;
    if (header === undefined)
      throw new VerifierConfigError(
        'signature_header',
        'verify = "hmac" needs \'signature_header\' (the header that carries the signature)',
      );
    const prefix = settings.signaturePrefix ?? '';
    const algorithm = settings.algorithm ?? 'sha256';
    const encoding = settings.encoding ?? 'hex';
    const timestampHeader = settings.timestampHeader;
    const parts = compileTemplate(settings.signed ?? '{body}', timestampHeader !== undefined);
    return {
      verify(request, context): Verdict {
        let timestamp = '';
        if (timestampHeader !== undefined) {
          const stale = checkTimestamp(
            request.headers[timestampHeader],
            timestampHeader,
            settings.toleranceMs,
            context,
          );
          if (stale) return refuse(stale);
          timestamp = request.headers[timestampHeader]!.trim();
        }
        const value = request.headers[header];
        if (value === undefined) return refuse(`${header} header missing`);
        const given = value.startsWith(prefix) ? decodeSignature(value.slice(prefix.length), encoding) : undefined;
        if (!given) return refuse(`${header} is not "${prefix}<${encoding}>"`);
        const content = parts.map((part) => {
          if ('literal' in part) return part.literal;
          if ('body' in part) return request.body;
          return 'timestamp' in part ? timestamp : (request.headers[part.header] ?? '');
        });
        const matched = settings.secrets.some((secret) => safeEqual(given, hmac(algorithm, secret, ...content)));
        return matched ? ACCEPTED : refuse('signature does not match');
      },
    };
  },
};
