import assert from 'node:assert/strict';
import { createHash, createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { parseConfigText } from '../../../main/core/config/config-file.ts';
import { validateHooks, type HookConfig } from '../../../main/core/webhooks/hook-config.ts';
import type { SignedRequest, Verdict } from '../../../main/core/webhooks/verifiers/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';

// Each scheme is checked against its vendor's published example or signed by the vendor's own
// library, then against what an attacker or a stale sender would send. Verifiers are built the
// way the hub builds them: from a [[hooks]] entry in a config file.

const dir = tempDir();
writeScript(dir, 'ok.sh', '#!/bin/sh\ncat\n');
const file = join(dir, 'config.toml');

function hook(fields: string, env: NodeJS.ProcessEnv = {}): HookConfig {
  const [built] = validateHooks(
    parseConfigText(`[[hooks]]\nname = "h"\nbind = "127.0.0.1:0"\nscript = "ok.sh"\n${fields}\n`, file).hooks ?? [],
    { file, env },
  );
  return built!;
}

function refusal(fields: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    hook(fields, env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`config accepted:\n${fields}`);
}

function request(
  body: string | Buffer,
  headers: Record<string, string>,
  extra: Partial<SignedRequest> = {},
): SignedRequest {
  return {
    path: '/',
    query: '',
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(body),
    ...extra,
  };
}

function check(h: HookConfig, req: SignedRequest, nowSeconds: number, checkFreshness = true): Verdict {
  return h.verifier!.verify(req, { now: nowSeconds * 1000, checkFreshness });
}

const NOW = 1_796_000_000;

describe('github', () => {
  // Source: GitHub docs, "Validating webhook deliveries" (test values), copied in REFERENCE.md.
  const vector = {
    secret: "It's a Secret to Everybody",
    body: 'Hello, World!',
    signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
  };

  test("GitHub's documented vector verifies, and `secret` alone still means github", () => {
    for (const fields of [`verify = "github"\nsecret = "${vector.secret}"`, `secret = "${vector.secret}"`]) {
      const h = hook(fields);
      assert.equal(h.verify, 'github');
      assert.deepEqual(
        check(h, request(vector.body, { 'X-Hub-Signature-256': vector.signature, 'X-GitHub-Delivery': 'd-1' }), NOW),
        { ok: true, deliveryId: 'd-1' },
      );
    }
  });

  test('tampered body, wrong secret, missing or malformed header are refused with why', () => {
    const h = hook(`verify = "github"\nsecret = "${vector.secret}"`);
    assert.deepEqual(check(h, request('Hello, World?', { 'x-hub-signature-256': vector.signature }), NOW), {
      ok: false,
      reason: 'signature does not match',
    });
    assert.deepEqual(
      check(hook('secret = "not it"'), request(vector.body, { 'x-hub-signature-256': vector.signature }), NOW),
      { ok: false, reason: 'signature does not match' },
    );
    assert.deepEqual(check(h, request(vector.body, {}), NOW), {
      ok: false,
      reason: 'x-hub-signature-256 header missing',
    });
    assert.deepEqual(check(h, request(vector.body, { 'x-hub-signature-256': vector.signature.slice(7) }), NOW), {
      ok: false,
      reason: 'x-hub-signature-256 is not "sha256=<hex>"',
    });
  });

  test('rotation: either of two secrets verifies; signature_header renames the header', () => {
    const h = hook(
      `verify = "github"\nsecrets = ["new one", "${vector.secret}"]\nsignature_header = "X-Forge-Signature"`,
    );
    assert.equal(check(h, request(vector.body, { 'x-forge-signature': vector.signature }), NOW).ok, true);
    assert.equal(check(h, request(vector.body, { 'x-hub-signature-256': vector.signature }), NOW).ok, false);
  });
});

describe('standard-webhooks', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = '{"type":"user.created","data":{"id":1}}';
  // Signed by the reference library (npm standardwebhooks).
  const signed = (key: string, id: string, at: number, payload = body) =>
    new Webhook(key).sign(id, new Date(at * 1000), payload);

  test('a delivery signed by the standardwebhooks library verifies; its webhook-id is the delivery id', () => {
    const h = hook(`verify = "standard-webhooks"\nsecrets = ["${secret}"]`);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(NOW),
      'webhook-signature': signed(secret, 'msg_1', NOW),
    };
    assert.deepEqual(check(h, request(body, headers), NOW), { ok: true, deliveryId: 'msg_1' });
    // And the library agrees with us about the request we accept (it reads the real clock).
    const now = Math.floor(Date.now() / 1000);
    const live = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(now),
      'webhook-signature': signed(secret, 'msg_2', now),
    };
    assert.doesNotThrow(() => new Webhook(secret).verify(body, live));
    assert.equal(check(h, request(body, live), now).ok, true);
  });

  test("Svix's svix-* header spelling is accepted", () => {
    const h = hook(`verify = "standard-webhooks"\nsecret = "${secret}"`);
    const headers = {
      'svix-id': 'msg_s',
      'svix-timestamp': String(NOW),
      'svix-signature': signed(secret, 'msg_s', NOW),
    };
    assert.deepEqual(check(h, request(body, headers), NOW), { ok: true, deliveryId: 'msg_s' });
  });

  test('stale and future timestamps are refused by the tolerance, which is configurable', () => {
    const h = hook(`verify = "standard-webhooks"\nsecret = "${secret}"`);
    const old = {
      'webhook-id': 'msg_3',
      'webhook-timestamp': String(NOW - 9 * 60),
      'webhook-signature': signed(secret, 'msg_3', NOW - 9 * 60),
    };
    assert.deepEqual(check(h, request(body, old), NOW), { ok: false, reason: 'timestamp 9 min old (tolerance 5 min)' });
    const future = {
      'webhook-id': 'msg_4',
      'webhook-timestamp': String(NOW + 600),
      'webhook-signature': signed(secret, 'msg_4', NOW + 600),
    };
    assert.match((check(h, request(body, future), NOW) as { reason: string }).reason, /in the future/);
    assert.equal(
      check(hook(`verify = "standard-webhooks"\nsecret = "${secret}"\ntolerance = "10m"`), request(body, old), NOW).ok,
      true,
    );
    // A user's replay of a recorded run is signed long ago: only the signature counts then.
    assert.equal(check(h, request(body, old), NOW, false).ok, true);
  });

  test('tampered body, wrong secret, wrong id are refused', () => {
    const h = hook(`verify = "standard-webhooks"\nsecret = "${secret}"`);
    const headers = {
      'webhook-id': 'msg_5',
      'webhook-timestamp': String(NOW),
      'webhook-signature': signed(secret, 'msg_5', NOW),
    };
    assert.deepEqual(check(h, request(`${body} `, headers), NOW), { ok: false, reason: 'signature does not match' });
    assert.equal(check(h, request(body, { ...headers, 'webhook-id': 'msg_6' }), NOW).ok, false);
    assert.equal(
      check(hook('verify = "standard-webhooks"\nsecret = "whsec_c2Vjb25kIHNlY3JldA=="'), request(body, headers), NOW)
        .ok,
      false,
    );
  });

  test('rotation both ways: several v1 signatures in the header, several secrets in the config', () => {
    const other = 'whsec_c2Vjb25kIHNlY3JldA==';
    const both = `${signed(other, 'msg_7', NOW)} ${signed(secret, 'msg_7', NOW)}`;
    const headers = { 'webhook-id': 'msg_7', 'webhook-timestamp': String(NOW), 'webhook-signature': both };
    assert.equal(
      check(hook(`verify = "standard-webhooks"\nsecret = "${secret}"`), request(body, headers), NOW).ok,
      true,
    );
    const single = { ...headers, 'webhook-signature': signed(secret, 'msg_7', NOW) };
    assert.equal(
      check(hook(`verify = "standard-webhooks"\nsecrets = ["${other}", "${secret}"]`), request(body, single), NOW).ok,
      true,
    );
  });

  test('v1a: Ed25519 signatures checked with a whpk_ public key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const h = hook(`verify = "standard-webhooks"\nsecrets = ["whpk_${raw.toString('base64')}"]`);
    const signature = sign(null, Buffer.from(`msg_8.${NOW}.${body}`), privateKey).toString('base64');
    const headers = {
      'webhook-id': 'msg_8',
      'webhook-timestamp': String(NOW),
      'webhook-signature': `v1a,${signature}`,
    };
    assert.deepEqual(check(h, request(body, headers), NOW), { ok: true, deliveryId: 'msg_8' });
    assert.equal(check(h, request(`${body}x`, headers), NOW).ok, false);
    // A v1a signature is never taken for a v1 one, and the reverse.
    assert.equal(check(h, request(body, { ...headers, 'webhook-signature': `v1,${signature}` }), NOW).ok, false);
  });

  test('a binary body verifies byte for byte', () => {
    const binary = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
    const key = Buffer.from(secret.slice(6), 'base64');
    const mac = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from(`msg_9.${NOW}.`), binary]))
      .digest('base64');
    const h = hook(`verify = "standard-webhooks"\nsecret = "${secret}"`);
    assert.equal(
      check(
        h,
        request(binary, { 'webhook-id': 'msg_9', 'webhook-timestamp': String(NOW), 'webhook-signature': `v1,${mac}` }),
        NOW,
      ).ok,
      true,
    );
  });
});

describe('stripe', () => {
  const secret = 'whsec_test_secret_for_hookbox';
  const payload = JSON.stringify({
    id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
    object: 'event',
    type: 'payment_intent.succeeded',
  });
  // Signed by Stripe's own library (npm stripe: webhooks.generateTestHeaderString).
  const stripe = new Stripe('sk_test_hookbox');
  const header = (at: number, key = secret, body = payload) =>
    stripe.webhooks.generateTestHeaderString({ payload: body, secret: key, timestamp: at });

  test("a header from Stripe's library verifies; the event id is the delivery id", () => {
    const h = hook(`verify = "stripe"\nsecrets = ["${secret}"]`);
    assert.deepEqual(check(h, request(payload, { 'Stripe-Signature': header(NOW) }), NOW), {
      ok: true,
      deliveryId: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
    });
    // Stripe's library accepts what we accept.
    const now = Math.floor(Date.now() / 1000);
    assert.equal(stripe.webhooks.constructEvent(payload, header(now), secret).id, 'evt_1NG8Du2eZvKYlo2CUI79vXWy');
    assert.equal(check(h, request(payload, { 'stripe-signature': header(now) }), now).ok, true);
  });

  test('tampered body, wrong secret, stale timestamp are refused', () => {
    const h = hook(`verify = "stripe"\nsecret = "${secret}"`);
    assert.deepEqual(
      check(h, request(payload.replace('succeeded', 'failed'), { 'stripe-signature': header(NOW) }), NOW),
      { ok: false, reason: 'signature does not match' },
    );
    assert.equal(check(h, request(payload, { 'stripe-signature': header(NOW, 'whsec_other') }), NOW).ok, false);
    assert.deepEqual(check(h, request(payload, { 'stripe-signature': header(NOW - 600) }), NOW), {
      ok: false,
      reason: 'timestamp 10 min old (tolerance 5 min)',
    });
    assert.deepEqual(check(h, request(payload, {}), NOW), { ok: false, reason: 'stripe-signature header missing' });
  });

  test('rotation: several v1= in the header (Stripe rolling a secret) and several secrets in the config', () => {
    const v1 = (key: string) =>
      header(NOW, key)
        .split(',')
        .find((p) => p.startsWith('v1='))!;
    const rolled = `t=${NOW},${v1('whsec_old')},${v1(secret)}`;
    assert.equal(
      check(hook(`verify = "stripe"\nsecret = "${secret}"`), request(payload, { 'stripe-signature': rolled }), NOW).ok,
      true,
    );
    assert.equal(
      check(
        hook(`verify = "stripe"\nsecrets = ["whsec_old", "whsec_new"]`),
        request(payload, { 'stripe-signature': header(NOW, 'whsec_new') }),
        NOW,
      ).ok,
      true,
    );
  });
});

describe('slack', () => {
  // Source: Slack docs, "Verifying requests from Slack" (api.slack.com/authentication/verifying-requests-from-slack), the worked example.
  const example = {
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    timestamp: '1531420618',
    body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
  };
  const headers = { 'X-Slack-Request-Timestamp': example.timestamp, 'X-Slack-Signature': example.signature };

  test("Slack's documented example verifies within the tolerance, and is stale later", () => {
    const h = hook(`verify = "slack"\nsecret = "${example.secret}"`);
    assert.deepEqual(check(h, request(example.body, headers), 1531420618 + 60), { ok: true });
    assert.deepEqual(check(h, request(example.body, headers), 1531420618 + 9 * 60), {
      ok: false,
      reason: 'timestamp 9 min old (tolerance 5 min)',
    });
  });

  test('tampered body, wrong secret, a timestamp moved to another time are refused', () => {
    const h = hook(`verify = "slack"\nsecret = "${example.secret}"`);
    assert.equal(check(h, request(`${example.body}&x=1`, headers), 1531420618).ok, false);
    assert.equal(
      check(hook('verify = "slack"\nsecret = "another"'), request(example.body, headers), 1531420618).ok,
      false,
    );
    assert.equal(
      check(h, request(example.body, { ...headers, 'X-Slack-Request-Timestamp': '1531420619' }), 1531420618).ok,
      false,
    );
    assert.equal(
      check(
        hook(`verify = "slack"\nsecrets = ["another", "${example.secret}"]`),
        request(example.body, headers),
        1531420618,
      ).ok,
      true,
    );
  });
});

describe('shopify, gitlab', () => {
  test('shopify: base64 HMAC-SHA256 of the body in X-Shopify-Hmac-Sha256', () => {
    const body = '{"id":820982911946154500}';
    const hmac = createHmac('sha256', 'shpss_secret').update(body).digest('base64');
    const h = hook('verify = "shopify"\nsecret = "shpss_secret"');
    assert.deepEqual(check(h, request(body, { 'X-Shopify-Hmac-Sha256': hmac }), NOW), { ok: true });
    assert.deepEqual(check(h, request(`${body} `, { 'X-Shopify-Hmac-Sha256': hmac }), NOW), {
      ok: false,
      reason: 'signature does not match',
    });
    assert.equal(
      check(hook('verify = "shopify"\nsecret = "other"'), request(body, { 'X-Shopify-Hmac-Sha256': hmac }), NOW).ok,
      false,
    );
  });

  test('gitlab: X-Gitlab-Token is the secret itself; either of two secrets during rotation', () => {
    const h = hook('verify = "gitlab"\nsecrets = ["old-token", "new-token"]');
    assert.deepEqual(check(h, request('{}', { 'X-Gitlab-Token': 'new-token' }), NOW), { ok: true });
    assert.deepEqual(check(h, request('{}', { 'X-Gitlab-Token': 'new-tokenx' }), NOW), {
      ok: false,
      reason: 'token does not match',
    });
    assert.deepEqual(check(h, request('{}', {}), NOW), { ok: false, reason: 'x-gitlab-token header missing' });
  });
});

describe('twilio', () => {
  // Source: Twilio's signature validation snippet (TwilioDevEd/api-snippets, security/signature_validation).
  const vector = {
    token: '12345',
    params: {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    },
    signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
  };
  const form = new URLSearchParams(vector.params).toString();
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': vector.signature };

  test("Twilio's documented vector verifies: public URL + path + query, form parameters sorted", () => {
    const h = hook(`verify = "twilio"\nsecret = "${vector.token}"\npublic_url = "https://mycompany.com/"`);
    assert.deepEqual(check(h, request(form, formHeaders, { path: '/myapp.php', query: 'foo=1&bar=2' }), NOW), {
      ok: true,
    });
    assert.equal(
      check(h, request(form.replace('1234&', '1235&'), formHeaders, { path: '/myapp.php', query: 'foo=1&bar=2' }), NOW)
        .ok,
      false,
    );
    assert.equal(check(h, request(form, formHeaders, { path: '/other.php', query: 'foo=1&bar=2' }), NOW).ok, false);
    assert.equal(
      check(
        hook(`verify = "twilio"\nsecrets = ["primary", "${vector.token}"]\npublic_url = "https://mycompany.com"`),
        request(form, formHeaders, { path: '/myapp.php', query: 'foo=1&bar=2' }),
        NOW,
      ).ok,
      true,
    );
  });

  test('JSON bodies: bodySHA256 in the URL must match the body, and the URL alone is signed', () => {
    const body = '{"property":"value","boolean":true}';
    const query = `bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    const url = `https://example.com/status?${query}`;
    const signature = createHmac('sha1', vector.token).update(url).digest('base64');
    const h = hook(`verify = "twilio"\nsecret = "${vector.token}"\npublic_url = "https://example.com"`);
    const headers = { 'content-type': 'application/json', 'x-twilio-signature': signature };
    assert.deepEqual(check(h, request(body, headers, { path: '/status', query }), NOW), { ok: true });
    assert.deepEqual(check(h, request(`${body} `, headers, { path: '/status', query }), NOW), {
      ok: false,
      reason: 'bodySHA256 does not match the body',
    });
  });
});

describe('ed25519 (Discord)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const hex = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
  const body = '{"type":1}';
  const signed = (timestamp: string, payload = body) =>
    sign(null, Buffer.from(timestamp + payload), privateKey).toString('hex');

  test('X-Signature-Ed25519 over timestamp + body, with the public key in hex', () => {
    const h = hook(`verify = "ed25519"\npublic_key = "${hex}"`);
    const headers = { 'X-Signature-Ed25519': signed(String(NOW)), 'X-Signature-Timestamp': String(NOW) };
    assert.deepEqual(check(h, request(body, headers), NOW), { ok: true });
    assert.equal(check(h, request('{"type":2}', headers), NOW).ok, false);
    assert.deepEqual(check(h, request(body, headers), NOW + 3600), {
      ok: false,
      reason: 'timestamp 60 min old (tolerance 5 min)',
    });
    const otherKey = Buffer.from(
      generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!,
      'base64url',
    ).toString('hex');
    assert.equal(check(hook(`verify = "ed25519"\npublic_key = "${otherKey}"`), request(body, headers), NOW).ok, false);
  });
});

describe('hmac (generic)', () => {
  const body = '{"event":"build"}';

  test('adnanh/webhook style: sha1=<hex> in a named header', () => {
    const h = hook(
      'verify = "hmac"\nsecret = "s"\nsignature_header = "X-Signature"\nsignature_prefix = "sha1="\nalgorithm = "sha1"',
    );
    const mac = createHmac('sha1', 's').update(body).digest('hex');
    assert.deepEqual(check(h, request(body, { 'x-signature': `sha1=${mac}` }), NOW), { ok: true });
    assert.deepEqual(check(h, request(body, { 'x-signature': mac }), NOW), {
      ok: false,
      reason: 'x-signature is not "sha1=<hex>"',
    });
  });

  test('sha512 in base64 over "{timestamp}.{body}", the timestamp held to the tolerance', () => {
    const h = hook(
      'verify = "hmac"\nsecret = "s"\nsignature_header = "x-sig"\nalgorithm = "sha512"\nencoding = "base64"\nsigned = "{timestamp}.{body}"\ntimestamp_header = "x-ts"\ntolerance = "1m"',
    );
    const mac = (at: number) => createHmac('sha512', 's').update(`${at}.${body}`).digest('base64');
    assert.deepEqual(check(h, request(body, { 'x-sig': mac(NOW), 'x-ts': String(NOW) }), NOW + 30), { ok: true });
    assert.deepEqual(check(h, request(body, { 'x-sig': mac(NOW), 'x-ts': String(NOW) }), NOW + 90), {
      ok: false,
      reason: 'timestamp 90 s old (tolerance 60 s)',
    });
    assert.equal(check(h, request(body, { 'x-sig': mac(NOW), 'x-ts': String(NOW + 1) }), NOW).ok, false);
  });
});

describe('config refusals name the field', () => {
  const cases: Array<[string, string, RegExp, NodeJS.ProcessEnv?]> = [
    [
      'an unknown scheme',
      'verify = "paypal"\nsecret = "x"',
      /hook 'h': 'verify' must be one of: github, standard-webhooks, stripe/,
    ],
    ['a scheme without its secret', 'verify = "stripe"', /hook 'h': verify = "stripe" needs 'secret' or 'secrets'/],
    [
      'a whsec_ secret that is not base64',
      'verify = "standard-webhooks"\nsecret = "whsec_not base64!"',
      /hook 'h': 'secrets': a Standard Webhooks secret is "whsec_" followed by base64/,
    ],
    [
      'a whpk_ key of the wrong size',
      'verify = "standard-webhooks"\nsecret = "whpk_AAAA"',
      /'secrets': a whpk_ key must be 32 bytes/,
    ],
    [
      'an ed25519 key that does not decode',
      'verify = "ed25519"\npublic_key = "abc"',
      /'public_key' must be 32 bytes as 64 hex digits or base64/,
    ],
    ['ed25519 without its key', 'verify = "ed25519"', /verify = "ed25519" needs 'public_key'/],
    [
      'ed25519 with a secret',
      `verify = "ed25519"\npublic_key = "${'ab'.repeat(32)}"\nsecret = "x"`,
      /verify = "ed25519" takes no secret/,
    ],
    ['twilio without its URL', 'verify = "twilio"\nsecret = "x"', /verify = "twilio" needs 'public_url'/],
    [
      'twilio with a URL that is not one',
      'verify = "twilio"\nsecret = "x"\npublic_url = "example.com"',
      /'public_url' is not a URL/,
    ],
    ['hmac without its header', 'verify = "hmac"\nsecret = "x"', /verify = "hmac" needs 'signature_header'/],
    [
      'hmac signing something other than the body',
      'verify = "hmac"\nsecret = "x"\nsignature_header = "x-s"\nsigned = "{timestamp}"\ntimestamp_header = "x-t"',
      /'signed' must include \{body\}/,
    ],
    [
      'hmac with an unknown placeholder',
      'verify = "hmac"\nsecret = "x"\nsignature_header = "x-s"\nsigned = "{id}.{body}"',
      /'signed' has an unknown placeholder \{id\}/,
    ],
    [
      'hmac {timestamp} without its header',
      'verify = "hmac"\nsecret = "x"\nsignature_header = "x-s"\nsigned = "{timestamp}.{body}"',
      /'signed' uses \{timestamp\}: set 'timestamp_header'/,
    ],
    [
      'an unknown algorithm',
      'verify = "hmac"\nsecret = "x"\nsignature_header = "x-s"\nalgorithm = "md5"',
      /'algorithm' must be one of: sha1, sha256, sha512/,
    ],
    [
      'a field the scheme does not read',
      'verify = "stripe"\nsecret = "x"\npublic_url = "https://e.com"',
      /'public_url' does not apply to verify = "stripe"/,
    ],
    [
      'a scheme field without verify',
      'secret = "x"\npublic_url = "https://e.com"',
      /'public_url' does not apply to verify = "github".*set 'verify'/,
    ],
    ['secret and secrets together', 'secret = "x"\nsecrets = ["y"]', /'secret' and 'secrets' both given/],
    ['a tolerance that is not a duration', 'secret = "x"\ntolerance = "soon"', /'tolerance' must be a duration/],
    [
      'an unset variable in secrets',
      'verify = "slack"\nsecrets = ["${NOT_SET_ANYWHERE}"]',
      /'secrets' #1: environment variable NOT_SET_ANYWHERE is not set/,
    ],
    [
      'a secret file that is missing',
      'verify = "slack"\nsecrets = [{ file = "missing-secret.txt" }]',
      /'secrets' #1: cannot read .*missing-secret.txt: ENOENT/,
    ],
    ['an empty secrets list', 'verify = "slack"\nsecrets = []', /'secrets'/],
  ];
  for (const [what, fields, expected, env] of cases) {
    test(what, () => assert.match(refusal(fields, env), expected));
  }

  test('secrets from the environment and from a file (its trailing newline dropped)', () => {
    writeFileSync(join(dir, 'slack-secret.txt'), 'from-a-file\n');
    const h = hook('verify = "slack"\nsecrets = ["${SLACK_SIGNING}", { file = "slack-secret.txt" }]', {
      SLACK_SIGNING: 'from-env',
    });
    assert.deepEqual(h.verification?.secrets, ['from-env', 'from-a-file']);
  });

  test('a hook with no verification fields verifies nothing', () => {
    assert.equal(hook('').verifier, undefined);
  });
});
