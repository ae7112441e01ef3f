import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { githubSignature } from '../../../main/core/webhooks/verifiers/github.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { hookToml, hookUrl, startWebhookHub, writeScript } from '../../helpers/webhook-fixture.ts';

// Verification and filters end to end: a real hub, real listeners, scripts that leave a line in a
// marker file each time they run — so "the script never ran" is something the test can see.

const STRIPE_SECRET = 'whsec_hookbox_e2e';
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const GH_SECRET = 'gh-e2e-secret';
const stripe = new Stripe('sk_test_hookbox');
const unixNow = () => Math.floor(Date.now() / 1000);

function runs(dir: string, name: string): number {
  const file = join(dir, `${name}.ran`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

function config(dir: string): string {
  const marker = (name: string) =>
    writeScript(
      dir,
      `${name}.sh`,
      `#!/bin/sh\ncat >/dev/null\necho run >> "${join(dir, `${name}.ran`)}"\necho "${name} ran"\n`,
    );
  marker('stripe');
  marker('push');
  // Fails the first time it runs, succeeds after: a sender's retry of a failed delivery must run.
  writeScript(
    dir,
    'flaky.sh',
    `#!/bin/sh\ncat >/dev/null\necho run >> "${join(dir, 'flaky.ran')}"\nif [ -f "${join(dir, 'flaky.ok')}" ]; then echo fine; else touch "${join(dir, 'flaky.ok')}"; exit 1; fi\n`,
  );
  return [
    hookToml('stripe', 'stripe.sh', 'verify = "stripe"\nsecrets = ["${STRIPE_WHSEC}"]'),
    hookToml('flaky', 'flaky.sh', `verify = "standard-webhooks"\nsecret = "${SW_SECRET}"`),
    hookToml(
      'push',
      'push.sh',
      `secret = "${GH_SECRET}"\n\n[hooks.when]\n"header.x-github-event" = "push"\n"json.ref" = { regex = "^refs/heads/main$" }`,
    ),
  ].join('\n');
}

const env = { STRIPE_WHSEC: STRIPE_SECRET };

async function postStripe(url: string, event: { id: string }, at = unixNow()): Promise<Response> {
  const payload = JSON.stringify({ ...event, object: 'event', type: 'invoice.paid' });
  return fetch(url, {
    method: 'POST',
    body: payload,
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET, timestamp: at }),
    },
  });
}

describe('verified hooks: refused, duplicate and filtered requests never start the script', async () => {
  const dir = tempDir();
  const { hub, api, dataDir, configFile } = await startWebhookHub(config(dir), { dir, env });
  const runDetail = async (res: Response) => (await api(`/hooks/runs/${res.headers.get('x-hookbox-run')}`)).json();

  test('a wrong signature and a stale timestamp are 401, recorded with why (without the secret)', async () => {
    const payload = '{"id":"evt_bad"}';
    const forged = await fetch(hookUrl(hub, 'stripe'), {
      method: 'POST',
      body: payload,
      headers: { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_attacker' }) },
    });
    assert.equal(forged.status, 401);
    assert.equal((await forged.json()).error, 'signature does not match');
    const stale = await postStripe(hookUrl(hub, 'stripe'), { id: 'evt_stale' }, unixNow() - 9 * 60);
    assert.equal(stale.status, 401);
    assert.equal(runs(dir, 'stripe'), 0, 'the script must not run');

    const list = (await (await api('/hooks/runs?hook=stripe')).json()).runs as Array<{
      outcome: string;
      reason: string | null;
    }>;
    assert.deepEqual(
      list.slice(0, 2).map((r) => [r.outcome, r.reason]),
      [
        ['bad_signature', 'timestamp 9 min old (tolerance 5 min)'],
        ['bad_signature', 'signature does not match'],
      ],
    );
    const detail = await runDetail(forged);
    assert.ok(!JSON.stringify(detail).includes(STRIPE_SECRET));
    assert.match(detail.headers['stripe-signature'], /masked/);
    assert.ok(!JSON.stringify(hub.hooks.status()).includes(STRIPE_SECRET), 'hook status shows no secret');
    assert.equal(hub.hooks.status().find((h) => h.name === 'stripe')?.verify, 'stripe');
  });

  test('a genuine event runs once; the same event again (a new signature, same id) is a duplicate, not run', async () => {
    const first = await postStripe(hookUrl(hub, 'stripe'), { id: 'evt_once' });
    assert.equal(first.status, 200);
    assert.equal(runs(dir, 'stripe'), 1);
    const again = await postStripe(hookUrl(hub, 'stripe'), { id: 'evt_once' });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { ok: true, run_id: again.headers.get('x-hookbox-run'), duplicate: true });
    assert.equal(runs(dir, 'stripe'), 1, 'a duplicate must not run the script');
    const detail = await runDetail(again);
    assert.equal(detail.outcome, 'duplicate');
    assert.match(detail.reason, /delivery id evt_once already accepted/);
  });

  test("the user's own replay of a recorded run still runs it (the signature is re-checked, not the id)", async () => {
    const first = await postStripe(hookUrl(hub, 'stripe'), { id: 'evt_replayed' });
    const before = runs(dir, 'stripe');
    const replay = await (
      await api(`/hooks/runs/${first.headers.get('x-hookbox-run')}/replay`, { method: 'POST' })
    ).json();
    assert.equal(replay.status, 200);
    assert.equal(runs(dir, 'stripe'), before + 1);
  });

  test("a delivery whose run failed is given back: the sender's retry with the same id runs", async () => {
    const body = '{"type":"order.created"}';
    const send = () => {
      const at = unixNow();
      const headers = {
        'webhook-id': 'msg_retry',
        'webhook-timestamp': String(at),
        'webhook-signature': new Webhook(SW_SECRET).sign('msg_retry', new Date(at * 1000), body),
      };
      return fetch(hookUrl(hub, 'flaky'), { method: 'POST', body, headers });
    };
    assert.equal((await send()).status, 500);
    assert.equal((await send()).status, 200);
    assert.equal(runs(dir, 'flaky'), 2);
    assert.equal((await send()).status, 200);
    assert.equal(runs(dir, 'flaky'), 2, 'the third copy is a duplicate of the accepted second');
  });

  test('filters: only a push to main runs; anything else is 202 filtered with the rule that missed', async () => {
    const post = (event: string, body: string, secret = GH_SECRET) =>
      fetch(hookUrl(hub, 'push'), {
        method: 'POST',
        body,
        headers: { 'x-github-event': event, 'x-hub-signature-256': githubSignature(secret, body) },
      });
    const main = await post('push', '{"ref":"refs/heads/main"}');
    assert.equal(main.status, 200);
    assert.equal(runs(dir, 'push'), 1);
    const dev = await post('push', '{"ref":"refs/heads/dev"}');
    assert.equal(dev.status, 202);
    assert.equal((await runDetail(dev)).reason, 'when: "json.ref" does not match { regex = "^refs/heads/main$" }');
    const ping = await post('ping', '{"zen":"Keep it logically awesome."}');
    assert.equal(ping.status, 202);
    assert.equal((await runDetail(ping)).outcome, 'filtered');
    // Verification comes first: a forged push to main is refused, not run.
    assert.equal((await post('push', '{"ref":"refs/heads/main"}', 'forged')).status, 401);
    assert.equal(runs(dir, 'push'), 1, 'only the matching request ran the script');
    assert.equal(hub.hooks.status().find((h) => h.name === 'push')?.filtered, true);
  });

  test('an accepted id stays refused across a hub restart (kept in SQLite)', async () => {
    assert.equal((await postStripe(hookUrl(hub, 'stripe'), { id: 'evt_restart' })).status, 200);
    const count = runs(dir, 'stripe');
    await hub.stop();
    const restarted = await startHub({ dataDir, configFile, env });
    const again = await postStripe(hookUrl(restarted.hub, 'stripe'), { id: 'evt_restart' });
    assert.equal(again.status, 200);
    assert.equal(runs(dir, 'stripe'), count, 'the replay after the restart must not run the script');
    assert.equal((await postStripe(hookUrl(restarted.hub, 'stripe'), { id: 'evt_new' })).status, 200);
    assert.equal(runs(dir, 'stripe'), count + 1);
  });
});
