import {
  ACCEPTED,
  checkTimestamp,
  decodeSignature,
  hmac,
  refuse,
  safeEqual,
  type Verdict,
  type VerifierAdapter,
} from './verifier.ts';

// Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:{X-Slack-Request-Timestamp}:{raw body}")>`,
// refused outside the tolerance (Slack's own advice: 5 minutes).
export const slackVerifier: VerifierAdapter = {
  needsSecret: true,
  fields: [],
  create(settings) {
    return {
      verify(request, context): Verdict {
        const timestamp = request.headers['x-slack-request-timestamp'];
        const stale = checkTimestamp(timestamp, 'x-slack-request-timestamp', settings.toleranceMs, context);
        if (stale) return refuse(stale);
        const value = request.headers['x-slack-signature'];
        if (value === undefined) return refuse('x-slack-signature header missing');
        const given = value.startsWith('v0=') ? decodeSignature(value.slice(3), 'hex') : undefined;
        if (!given) return refuse('x-slack-signature is not "v0=<hex>"');
        const prefix = `v0:${timestamp!.trim()}:`;
        return settings.secrets.some((secret) => safeEqual(given, hmac('sha256', secret, prefix, request.body)))
          ? ACCEPTED
          : refuse('signature does not match');
      },
    };
  },
};
