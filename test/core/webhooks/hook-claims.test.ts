import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { hookToml, startWebhookHub, writeScript } from '../../helpers/webhook-fixture.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// Claims (POST /hooks/claims): what `hookbox run --daemon --name X --hook A` attached to a running
// hub uses to point hook A at session X while it runs. A real hub, real listeners, a real script
// that prints the session it was given.

interface HookStatus {
  name: string;
  port: number | null;
  session: string;
  state: string;
  claim: { id: string; session: string; expires_at: string } | null;
}

describe('hook claims: a running hub lends its hooks to a session', async () => {
  const dir = tempDir();
  writeScript(dir, 'echo-session.sh', '#!/bin/sh\necho "$HOOK_SESSION: $(cat)"\n');
  const config =
    hookToml('deploys', 'echo-session.sh', 'session = "ops"') +
    hookToml('quiet', 'echo-session.sh', 'session = "ops"\nenabled = false');
  const hub = await startWebhookHub(config, { dir });
  after(() => hub.hub.stop());

  const hooks = async () => ((await (await hub.api('/hooks')).json()) as { hooks: HookStatus[] }).hooks;
  const hookNamed = async (name: string) => (await hooks()).find((h) => h.name === name)!;
  const claim = (body: unknown) => hub.api('/hooks/claims', { method: 'POST', body: JSON.stringify(body) });
  const post = async (port: number, body: string) => {
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body });
    return { status: response.status, json: (await response.json()) as { session: string } };
  };
  const inbox = async (session: string) =>
    ((await (await hub.api(`/sessions/${session}/inbox`)).json()) as { messages: { content: string }[] }).messages.map(
      (m) => m.content,
    );

  const deploysPort = (await hookNamed('deploys')).port!;
  let claimId = '';

  test('a claim points the hook at the session without a restart, and starts a disabled hook', async () => {
    const response = await claim({ session: 'X', hooks: ['deploys', 'quiet'], ttl_s: 60 });
    assert.equal(response.status, 201);
    const body = (await response.json()) as {
      claim: { id: string; session: string; hooks: string[] };
      hooks: HookStatus[];
    };
    claimId = body.claim.id;
    assert.deepEqual(body.claim.hooks, ['deploys', 'quiet']);
    assert.deepEqual(
      body.hooks.map((h) => [h.name, h.session, h.state, h.claim?.id]),
      [
        ['deploys', 'X', 'listening', claimId],
        ['quiet', 'X', 'listening', claimId],
      ],
    );
    assert.equal(body.hooks[0]!.port, deploysPort, 'the same socket keeps serving');

    const answer = await post(deploysPort, 'v1');
    assert.equal(answer.status, 200);
    assert.equal(answer.json.session, 'X');
    const quietAnswer = await post(body.hooks[1]!.port!, 'hello');
    assert.equal(quietAnswer.status, 200);
    assert.deepEqual(
      (await inbox('X')).sort(),
      ['X: hello', 'X: v1'],
      'the script saw HOOK_SESSION=X and its output went to X',
    );
    assert.deepEqual(await inbox('ops'), []);
  });

  test('a claim for another session on a claimed hook is refused, naming the holder; nothing changes', async () => {
    const response = await claim({ session: 'Y', hooks: ['deploys'] });
    assert.equal(response.status, 409);
    assert.match(
      ((await response.json()) as { message: string }).message,
      /hook deploys is claimed by a hookbox run for session X/,
    );
    assert.equal((await hookNamed('deploys')).session, 'X');
  });

  test('bad claims: an unknown hook, an invalid session, a ttl out of range, no token', async () => {
    const unknown = await claim({ session: 'X', hooks: ['deploys', 'nope'] });
    assert.equal(unknown.status, 404);
    assert.match(
      ((await unknown.json()) as { message: string }).message,
      /no hook named nope \(hooks: deploys, quiet\)/,
    );
    const badSession = await claim({ session: 'not a name', hooks: ['deploys'] });
    assert.equal(badSession.status, 400);
    assert.match(((await badSession.json()) as { message: string }).message, /invalid session name/);
    assert.equal((await claim({ session: 'X', hooks: ['deploys'], ttl_s: 1 })).status, 400);
    assert.equal((await claim({ session: 'X', hooks: [] })).status, 400);
    const anonymous = await fetch(`${hub.url}/hooks/claims`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session: 'X', hooks: ['deploys'] }),
    });
    assert.equal(anonymous.status, 401);
    assert.equal((await hub.api('/hooks/claims/no-such-claim/renew', { method: 'POST', body: '{}' })).status, 404);
  });

  test('a config reload keeps the claim on top of the new file', async () => {
    writeFileSync(hub.configFile, config + hookToml('extra', 'echo-session.sh'));
    await hub.hub.reloadConfig();
    const state = await hooks();
    assert.deepEqual(
      state.map((h) => [h.name, h.session]),
      [
        ['deploys', 'X'],
        ['quiet', 'X'],
        ['extra', 'default'],
      ],
    );
  });

  test('releasing gives the hooks back: configured session, the disabled one stops, the socket stays', async () => {
    const released = await hub.api(`/hooks/claims/${claimId}`, { method: 'DELETE' });
    assert.equal(released.status, 200);
    const deploys = await hookNamed('deploys');
    assert.deepEqual([deploys.session, deploys.port, deploys.claim], ['ops', deploysPort, null]);
    assert.deepEqual([(await hookNamed('quiet')).state, (await hookNamed('quiet')).port], ['disabled', null]);
    assert.equal((await post(deploysPort, 'v2')).json.session, 'ops');
    assert.deepEqual(await inbox('ops'), ['ops: v2']);
    assert.equal((await hub.api(`/hooks/claims/${claimId}`, { method: 'DELETE' })).status, 404);
  });

  test('a claim that is not renewed lapses and the hooks go back by themselves', async () => {
    const response = await claim({ session: 'Z', hooks: ['deploys'], ttl_s: 5 });
    assert.equal(response.status, 201);
    const { claim: taken } = (await response.json()) as { claim: { id: string } };
    // Renewal moves the deadline.
    const renewed = await hub.api(`/hooks/claims/${taken.id}/renew`, {
      method: 'POST',
      body: JSON.stringify({ ttl_s: 5 }),
    });
    assert.equal(renewed.status, 200);
    assert.equal((await hookNamed('deploys')).session, 'Z');
    const deadline = Date.now() + 60_000;
    while ((await hookNamed('deploys')).session !== 'ops') {
      assert.ok(Date.now() < deadline, 'the lapsed claim (ttl 5 s) should give deploys back, not hold it for a minute');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal((await hookNamed('deploys')).claim, null);
    assert.equal((await hub.api(`/hooks/claims/${taken.id}/renew`, { method: 'POST', body: '{}' })).status, 404);
  });
});

describe('hook claims: a request waiting for a slot keeps the hook it arrived with', async () => {
  const dir = tempDir();
  // The first request holds the only slot until the test lets it go; the script says which
  // session it was given, so a mismatch between HOOK_SESSION and the inbox shows.
  writeScript(
    dir,
    'held.sh',
    `#!/bin/sh\nbody=$(cat)\nif [ "$body" = hold ]; then\n  touch '${dir}/held'\n` +
      `  while [ ! -f '${dir}/go' ]; do sleep 0.05; done\nfi\necho "$HOOK_SESSION: $body"\n`,
  );
  const hub = await startWebhookHub(hookToml('deploys', 'held.sh', 'session = "ops"\nmax_concurrency = 1'), { dir });
  after(() => hub.hub.stop());

  const until = async (what: string, check: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const post = async (body: string) => {
    const response = await fetch(`${hub.hookUrl('deploys')}/`, { method: 'POST', body });
    return { status: response.status, json: (await response.json()) as { session: string } };
  };
  const inbox = async (session: string) =>
    ((await (await hub.api(`/sessions/${session}/inbox`)).json()) as { messages: { content: string }[] }).messages.map(
      (m) => m.content,
    );

  test('a claim taken while it waits changes neither its HOOK_SESSION nor where its message goes', async () => {
    const first = post('hold');
    await until('the first script to hold the slot', () => existsSync(join(dir, 'held')));
    const second = post('queued');
    await until('the second request to wait for the slot', () => hub.hub.hooks.status()[0]!.queued === 1);
    const claimed = await hub.api('/hooks/claims', {
      method: 'POST',
      body: JSON.stringify({ session: 'X', hooks: ['deploys'] }),
    });
    assert.equal(claimed.status, 201);
    writeFileSync(join(dir, 'go'), '');
    assert.deepEqual(
      [(await first).json.session, (await second).json.session],
      ['ops', 'ops'],
      'both arrived before the claim',
    );
    assert.deepEqual(
      (await inbox('ops')).sort(),
      ['ops: hold', 'ops: queued'],
      'the queued script saw HOOK_SESSION=ops, the session its message went to',
    );
    assert.deepEqual(await inbox('X'), []);
    assert.equal((await post('after')).json.session, 'X', 'a request after the claim goes to X');
  });
});
