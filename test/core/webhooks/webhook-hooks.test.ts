import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { githubSignature as signBody } from '../../../main/core/webhooks/verifiers/github.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { hookToml, startWebhookHub, writeScript } from '../../helpers/webhook-fixture.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function inbox(api: (p: string) => Promise<Response>, session = 'default') {
  return (
    (await (await api(`/sessions/${session}/inbox?limit=1000`)).json()) as {
      messages: Array<{ content: string; source: string; source_label: string }>;
    }
  ).messages;
}

describe('webhook hooks: the Octomind script contract', async () => {
  const dir = tempDir();
  writeScript(dir, 'env.sh', `#!/bin/sh\nbody=$(cat)\nenv | grep '^HOOK_' | sort\necho "BODY=$body"\n`);
  writeScript(dir, 'empty.sh', '#!/bin/sh\ncat >/dev/null\n');
  writeScript(dir, 'fail.sh', '#!/bin/sh\necho "bad payload" >&2\nexit 3\n');
  writeScript(dir, 'count.sh', '#!/bin/sh\nwc -c | tr -d " "\n');
  writeScript(dir, 'flood.sh', "#!/bin/sh\nhead -c 100000000 /dev/zero | tr '\\0' a\n");
  writeScript(dir, 'slow.sh', `#!/bin/sh\nsleep 60 &\necho $! > "${join(dir, 'grandchild.pid')}"\nsleep 60\n`);
  writeScript(dir, 'touch.sh', `#!/bin/sh\ntouch "${join(dir, 'ran')}"\necho signed ok\n`);
  const config = [
    hookToml('env', 'env.sh', 'session = "ops"'),
    hookToml('empty', 'empty.sh'),
    hookToml('fail', 'fail.sh'),
    hookToml('count', 'count.sh', 'max_body_bytes = 10485760'),
    hookToml('flood', 'flood.sh', 'max_output_bytes = 1048576'),
    hookToml('slow', 'slow.sh', 'timeout = 1'),
    hookToml('signed', 'touch.sh', 'secret = "${HOOK_TEST_SECRET}"'),
  ].join('\n');
  const {
    hookUrl,
    api,
    hub,
    url: hubUrl,
  } = await startWebhookHub(config, { dir, env: { HOOK_TEST_SECRET: 'It’s a secret' } });

  test('raw body on stdin, request data in HOOK_* variables, stdout into the session inbox (200)', async () => {
    const res = await fetch(`${hookUrl('env')}/webhook/jira?token=abc&x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-GitHub-Event': 'push', 'X-Custom.Dotted-Name': 'v' },
      body: '{"a": "b"}',
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.ok, true);
    assert.equal(body.session, 'ops');
    const [message] = await inbox(api, 'ops');
    assert.equal(message?.source, 'webhook');
    assert.equal(message?.source_label, 'env');
    const lines = message!.content.split('\n');
    for (const expected of [
      'HOOK_NAME=env',
      'HOOK_METHOD=POST',
      'HOOK_PATH=/webhook/jira',
      'HOOK_QUERY=token=abc&x=1',
      'HOOK_CONTENT_TYPE=application/json',
      'HOOK_SESSION=ops',
      'HOOK_HEADER_X_GITHUB_EVENT=push',
      'HOOK_HEADER_X_CUSTOM_DOTTED_NAME=v',
      'BODY={"a": "b"}',
    ]) {
      assert.ok(lines.includes(expected), `${expected} in\n${message!.content}`);
    }
  });

  test('exit 0 without output is a 204 and injects nothing', async () => {
    const before = (await inbox(api)).length;
    const res = await fetch(hookUrl('empty'), { method: 'POST', body: 'x' });
    assert.equal(res.status, 204);
    assert.equal((await inbox(api)).length, before);
  });

  test('a non-zero exit is a 500, stderr is recorded, nothing is injected', async () => {
    const before = (await inbox(api)).length;
    const res = await fetch(hookUrl('fail'), { method: 'POST', body: 'x' });
    assert.equal(res.status, 500);
    const runId = res.headers.get('x-hookbox-run')!;
    const run = await (await api(`/hooks/runs/${runId}`)).json();
    assert.equal(run.outcome, 'failed');
    assert.equal(run.exit_code, 3);
    assert.equal(run.stderr, 'bad payload\n');
    assert.equal((await inbox(api)).length, before);
  });

  test('methods other than POST are a 405', async () => {
    const res = await fetch(hookUrl('env'), { method: 'GET' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    const run = await (await api(`/hooks/runs/${res.headers.get('x-hookbox-run')}`)).json();
    assert.equal(run.outcome, 'method_not_allowed');
  });

  test('a 5 MB body reaches the script whole (stdin written while output is read)', async () => {
    const body = Buffer.alloc(5 * 1024 * 1024, 'x');
    const res = await fetch(hookUrl('count'), { method: 'POST', body });
    assert.equal(res.status, 200);
    const messages = await inbox(api);
    assert.equal(messages[0]?.content, String(body.length));
  });

  test('a body over max_body_bytes is a 413', async () => {
    const res = await fetch(hookUrl('count'), { method: 'POST', body: Buffer.alloc(11 * 1024 * 1024, 'x') });
    assert.equal(res.status, 413);
  });

  test('a script printing 100 MB is stopped at the output cap; the hub keeps serving', async () => {
    const res = await fetch(hookUrl('flood'), { method: 'POST', body: 'x' });
    assert.equal(res.status, 500);
    const run = await (await api(`/hooks/runs/${res.headers.get('x-hookbox-run')}`)).json();
    assert.equal(run.outcome, 'output_limit');
    assert.ok(run.stdout.length <= 1024 * 1024, `stored ${run.stdout.length} bytes`);
    assert.equal((await fetch(hookUrl('empty'), { method: 'POST', body: 'x' })).status, 204);
  });

  test('a timeout is a 504 and kills the script and the grandchild it forked', async () => {
    const res = await fetch(hookUrl('slow'), { method: 'POST', body: 'x' });
    assert.equal(res.status, 504);
    const pidFile = join(dir, 'grandchild.pid');
    await eventually(() => existsSync(pidFile), 'the grandchild pid');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await eventually(() => !alive(grandchild), `grandchild ${grandchild} to be killed`, 30_000);
    const run = await (await api(`/hooks/runs/${res.headers.get('x-hookbox-run')}`)).json();
    assert.equal(run.outcome, 'timeout');
  });

  test('a secret checks X-Hub-Signature-256 before the script runs; a bad one is a 401, recorded', async () => {
    const body = '{"ref":"refs/heads/main"}';
    const wrong = await fetch(hookUrl('signed'), {
      method: 'POST',
      body,
      headers: { 'x-hub-signature-256': signBody('wrong', body) },
    });
    assert.equal(wrong.status, 401);
    const missing = await fetch(hookUrl('signed'), { method: 'POST', body });
    assert.equal(missing.status, 401);
    assert.equal(existsSync(join(dir, 'ran')), false, 'the script must not run');
    const run = await (await api(`/hooks/runs/${wrong.headers.get('x-hookbox-run')}`)).json();
    assert.equal(run.outcome, 'bad_signature');

    const good = await fetch(hookUrl('signed'), {
      method: 'POST',
      body,
      headers: { 'x-hub-signature-256': signBody('It’s a secret', body) },
    });
    assert.equal(good.status, 200);
    assert.equal(existsSync(join(dir, 'ran')), true);
  });

  test('recorded runs mask secrets; replay runs the same request again; copy-as-curl reproduces it', async () => {
    const body = '{"n":1}';
    const signature = signBody('It’s a secret', body);
    const first = await fetch(`${hookUrl('signed')}/gh?x=1`, {
      method: 'POST',
      body,
      headers: { 'x-hub-signature-256': signature, authorization: 'Bearer abcdefgh' },
    });
    const runId = first.headers.get('x-hookbox-run')!;
    const detail = await (await api(`/hooks/runs/${runId}`)).json();
    assert.equal(detail.body, body);
    assert.equal(detail.path, '/gh');
    assert.equal(detail.query, 'x=1');
    assert.ok(!JSON.stringify(detail.headers).includes(signature.slice(10)), 'signature masked');
    assert.ok(!JSON.stringify(detail.headers).includes('abcdefgh'), 'authorization masked');

    const replay = await (await api(`/hooks/runs/${runId}/replay`, { method: 'POST' })).json();
    assert.equal(replay.status, 200);
    const replayed = await (await api(`/hooks/runs/${replay.run_id}`)).json();
    assert.equal(replayed.replay_of, runId);
    assert.equal(replayed.outcome, 'injected');

    const masked = (await (await api(`/hooks/runs/${runId}/curl`)).json()).curl as string;
    assert.ok(!masked.includes(signature));
    const curl = (await (await api(`/hooks/runs/${runId}/curl?reveal=true`)).json()).curl as string;
    // Asynchronously: the listener answering curl lives in this very process.
    const { stdout } = await promisify(execFile)('bash', ['-c', `${curl} -s -o /dev/null -w '%{http_code}'`], {
      encoding: 'utf8',
    });
    assert.equal(stdout, '200');
  });

  test('each request is recorded with its own path, query and headers, whatever came before it', async () => {
    // The listener keeps the last target it parsed: alternating targets must not leak into each other.
    const targets = [
      ['/a/./b/../c?q=1', '/a/c', 'q=1'],
      ['/x?y=%20z&e=\u00e9', '/x', 'y=%20z&e=%C3%A9'],
      ['/a/./b/../c?q=1', '/a/c', 'q=1'],
      ['/', '/', ''],
      ['/x?y=%20z&e=\u00e9', '/x', 'y=%20z&e=%C3%A9'],
    ] as const;
    for (const [target, path, query] of targets) {
      const res = await fetch(`${hookUrl('empty')}${target}`, {
        method: 'POST',
        body: 'x',
        headers: { 'x-n': target },
      });
      assert.equal(res.status, 204);
      const detail = await (await api(`/hooks/runs/${res.headers.get('x-hookbox-run')}`)).json();
      assert.deepEqual([detail.path, detail.query, detail.headers['x-n']], [path, query, target]);
    }
    // Node gives a repeated Set-Cookie as a list: it is recorded as one value, joined (and masked).
    const { status, runId } = await new Promise<{ status: number; runId: string }>((resolve, reject) => {
      const req = request(`${hookUrl('empty')}/`, { method: 'POST' }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, runId: String(res.headers['x-hookbox-run']) }));
      });
      req.on('error', reject);
      req.setHeader('set-cookie', ['a=1', 'b=22']);
      req.end('x');
    });
    assert.equal(status, 204);
    const detail = await (await api(`/hooks/runs/${runId}`)).json();
    assert.equal(detail.headers['set-cookie'], 'a=1,…(masked, 9 chars)');
  });

  test('every request is in the run list, newest first', async () => {
    const runs = (await (await api('/hooks/runs?limit=1000')).json()).runs as Array<{ hook: string; outcome: string }>;
    const outcomes = new Set(runs.map((r) => r.outcome));
    for (const o of [
      'injected',
      'empty',
      'failed',
      'method_not_allowed',
      'output_limit',
      'timeout',
      'bad_signature',
      'body_too_large',
    ])
      assert.ok(outcomes.has(o), o);
    const states = hub.hooks.status();
    assert.equal(states.length, 7);
    assert.ok(states.every((s) => s.state === 'listening'));
  });

  test('control routes need the token', async () => {
    for (const path of ['/hooks', '/hooks/runs', '/sessions', '/schedules']) {
      const res = await fetch(`${hubUrl}${path}`);
      assert.equal(res.status, 401, path);
    }
  });
});

describe('webhook hooks: concurrency limit and queue', async () => {
  const dir = tempDir();
  writeScript(dir, 'echo.sh', '#!/bin/sh\ncat\n');
  writeScript(dir, 'sleepy.sh', '#!/bin/sh\nsleep 1\necho done\n');
  const { hookUrl, api } = await startWebhookHub(
    [
      hookToml('burst', 'echo.sh', 'max_concurrency = 4\nqueue_size = 1000'),
      hookToml('narrow', 'sleepy.sh', 'max_concurrency = 1\nqueue_size = 1'),
    ].join('\n'),
    { dir },
  );

  test('a burst of 1,000 requests against a limit of 4: every one answered, recorded and delivered', async () => {
    const statuses = await Promise.all(
      Array.from(
        { length: 1000 },
        async (_, i) => (await fetch(hookUrl('burst'), { method: 'POST', body: `message ${i}` })).status,
      ),
    );
    assert.deepEqual([...new Set(statuses)], [200]);
    const messages = await inbox(api);
    assert.equal(messages.length, 1000);
    assert.deepEqual(
      new Set(messages.map((m) => m.content)),
      new Set(Array.from({ length: 1000 }, (_, i) => `message ${i}`)),
    );
    const runs = (await (await api('/hooks/runs?hook=burst&limit=1000')).json()).runs;
    assert.equal(runs.length, 1000);
  });

  test('a full queue answers 429 and records that it did', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 5 }, async () => (await fetch(hookUrl('narrow'), { method: 'POST', body: 'x' })).status),
    );
    assert.deepEqual(statuses.filter((s) => s === 200).length, 2);
    assert.deepEqual(statuses.filter((s) => s === 429).length, 3);
    const runs = (await (await api('/hooks/runs?hook=narrow')).json()).runs as Array<{ outcome: string }>;
    assert.equal(runs.filter((r) => r.outcome === 'queue_full').length, 3);
  });
});
