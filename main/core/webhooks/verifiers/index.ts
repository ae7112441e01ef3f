import { ed25519Verifier } from './ed25519.ts';
import { githubVerifier } from './github.ts';
import { gitlabVerifier } from './gitlab.ts';
import { hmacVerifier } from './hmac.ts';
import { shopifyVerifier } from './shopify.ts';
import { slackVerifier } from './slack.ts';
import { standardWebhooksVerifier } from './standard-webhooks.ts';
import { stripeVerifier } from './stripe.ts';
import { twilioVerifier } from './twilio.ts';
import {
  VerifierConfigError,
  type OptionalField,
  type Verifier,
  type VerifierAdapter,
  type VerifierSettings,
} from './verifier.ts';

/** Every `verify = "…"` a hook may name, one adapter file each. */
export const VERIFIERS = {
  github: githubVerifier,
  'standard-webhooks': standardWebhooksVerifier,
  stripe: stripeVerifier,
  slack: slackVerifier,
  shopify: shopifyVerifier,
  gitlab: gitlabVerifier,
  twilio: twilioVerifier,
  ed25519: ed25519Verifier,
  hmac: hmacVerifier,
} as const satisfies Record<string, VerifierAdapter>;

export type VerifyScheme = keyof typeof VERIFIERS;
export const VERIFY_SCHEMES = Object.keys(VERIFIERS) as VerifyScheme[];

/** Timestamps older (or newer) than this are refused; delivery ids are remembered this long. */
export const DEFAULT_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * The verifier a hook's fields describe. `given` holds the optional keys the entry wrote: one the
 * scheme does not read is refused, as is a missing secret or a key that does not decode (a
 * VerifierConfigError naming the key).
 */
export function buildVerifier(
  scheme: VerifyScheme,
  settings: VerifierSettings,
  given: ReadonlySet<OptionalField>,
): Verifier {
  const adapter: VerifierAdapter = VERIFIERS[scheme];
  for (const field of given) {
    if (adapter.fields.includes(field)) continue;
    const reads = adapter.fields.length > 0 ? ` (it reads: ${adapter.fields.join(', ')})` : '';
    throw new VerifierConfigError(field, `'${field}' does not apply to verify = "${scheme}"${reads}`);
  }
  if (adapter.needsSecret && settings.secrets.length === 0) {
    throw new VerifierConfigError('secrets', `verify = "${scheme}" needs 'secret' or 'secrets'`);
  }
  if (!adapter.needsSecret && settings.secrets.length > 0) {
    throw new VerifierConfigError(
      'secrets',
      `verify = "${scheme}" takes no secret ('public_key' is what it checks with)`,
    );
  }
  return adapter.create(settings);
}

export type { Verifier, VerifierSettings, Verdict, SignedRequest } from './verifier.ts';
