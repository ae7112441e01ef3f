import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { databaseFile } from '../../../main/core/config/paths.ts';
import { postEvent, startHub } from '../../helpers/hub-fixture.ts';

const SEED_EVENT = {
  kind: 'shell',
  command: 'cargo build',
  exit_code: 1,
  duration_ms: 45000,
  output: 'error[E0308]: mismatched types',
  metadata: { cwd: '/home/user/project', shell: 'zsh' },
};

/** Raw HTTP so a test can send any Host/Origin header (fetch would fix Host for us). */
function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
) {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function storedCount(dataDir: string): number {
  const db = new Database(databaseFile(dataDir), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('agentd event API against a real server and database', async () => {
  const { url, dataDir } = await startHub();

  test('GET /health reports service, version, event count and notification settings', async () => {
    const res = await fetch(`${url}/health`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.service, 'hookbox');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof body.event_count, 'number');
    assert.deepEqual(
      {
        on_failure: body.notifications.on_failure,
        on_long_running: body.notifications.on_long_running,
        threshold: body.notifications.long_running_threshold_ms,
      },
      { on_failure: true, on_long_running: true, threshold: 30000 },
    );
  });

  test("POST /events records the seed's example and answers {success, event_id, message}", async () => {
    const { status, json } = await postEvent(url, SEED_EVENT);
    assert.equal(status, 200);
    assert.equal(json.success, true);
    assert.equal(json.message, 'Event recorded');
    assert.match(json.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const fetched = await (await fetch(`${url}/events/${json.event_id}`)).json();
    assert.deepEqual(
      { ...fetched, received_at: undefined },
      { ...SEED_EVENT, id: json.event_id, received_at: undefined },
    );
    assert.ok(!Number.isNaN(Date.parse(fetched.received_at)));
  });

  test('optional fields default: duration_ms 0, output empty, metadata {}', async () => {
    const { json } = await postEvent(url, { kind: 'git', command: 'post-commit', exit_code: 0 });
    const fetched = await (await fetch(`${url}/events/${json.event_id}`)).json();
    assert.equal(fetched.duration_ms, 0);
    assert.equal(fetched.output, '');
    assert.deepEqual(fetched.metadata, {});
  });

  test("curl's default form content type and a missing content type are read as JSON", async () => {
    const form = await rawRequest(url, {
      method: 'POST',
      path: '/events',
      headers: { host: new URL(url).host, 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ kind: 'system', command: 'backup', exit_code: 0 }),
    });
    assert.equal(form.status, 200, JSON.stringify(form.json));
    const none = await rawRequest(url, {
      method: 'POST',
      path: '/events',
      headers: { host: new URL(url).host },
      body: JSON.stringify({ kind: 'system', command: 'backup2', exit_code: 0 }),
    });
    assert.equal(none.status, 200, JSON.stringify(none.json));
  });

  test('GET /events lists newest first, 50 by default, limit honoured and capped at 500', async () => {
    for (let i = 0; i < 60; i += 1) await postEvent(url, { kind: 'shell', command: `cmd-${i}`, exit_code: 0 });
    const all = await (await fetch(`${url}/events`)).json();
    assert.equal(all.length, 50);
    assert.equal(all[0].command, 'cmd-59');
    assert.equal(all[1].command, 'cmd-58');
    const three = await (await fetch(`${url}/events?limit=3`)).json();
    assert.deepEqual(
      three.map((e: { command: string }) => e.command),
      ['cmd-59', 'cmd-58', 'cmd-57'],
    );
    const many = await (await fetch(`${url}/events?limit=100000`)).json();
    assert.equal(many.length, Math.min(500, storedCount(dataDir)));
  });

  test('GET /events/{id} for an unknown id is a 404 with a JSON error', async () => {
    const res = await fetch(`${url}/events/550e8400-e29b-41d4-a716-446655440000`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      success: false,
      error: 'not_found',
      message: 'no event with id 550e8400-e29b-41d4-a716-446655440000',
    });
  });

  test('unknown routes are a 404 JSON', async () => {
    const res = await fetch(`${url}/nope`);
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.success, false);
    assert.equal(body.error, 'not_found');
    assert.match(body.message, /GET \/nope/);
  });

  test('GET /shell/{unknown} is a 404 listing the supported shells', async () => {
    const res = await fetch(`${url}/shell/tcsh`);
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.match(body.message, /zsh, bash, fish/);
  });

  const badBodies: Array<[string, unknown, RegExp, string]> = [
    ['missing kind', { command: 'x', exit_code: 0 }, /missing required field 'kind'/, 'kind'],
    ['missing command', { kind: 'shell', exit_code: 0 }, /missing required field 'command'/, 'command'],
    ['missing exit_code', { kind: 'shell', command: 'x' }, /missing required field 'exit_code'/, 'exit_code'],
    ['unknown kind', { kind: 'shel', command: 'x', exit_code: 0 }, /'kind' must be one of: shell, git, system/, 'kind'],
    [
      'exit_code as a string',
      { kind: 'shell', command: 'x', exit_code: '1' },
      /'exit_code' must be an integer/,
      'exit_code',
    ],
    [
      'exit_code fractional',
      { kind: 'shell', command: 'x', exit_code: 1.5 },
      /'exit_code' must be an integer/,
      'exit_code',
    ],
    [
      'negative duration',
      { kind: 'shell', command: 'x', exit_code: 0, duration_ms: -5 },
      /'duration_ms' must be >= 0/,
      'duration_ms',
    ],
    ['command as a number', { kind: 'shell', command: 42, exit_code: 0 }, /'command' must be a string/, 'command'],
    ['empty command', { kind: 'shell', command: '', exit_code: 0 }, /'command'/, 'command'],
    [
      'output as an object',
      { kind: 'shell', command: 'x', exit_code: 0, output: {} },
      /'output' must be a string/,
      'output',
    ],
    [
      'metadata as a string',
      { kind: 'shell', command: 'x', exit_code: 0, metadata: 'cwd' },
      /'metadata' must be a JSON object/,
      'metadata',
    ],
    [
      'unknown field',
      { kind: 'shell', command: 'x', exit_code: 0, exitcode: 1 },
      /unknown field 'exitcode'/,
      'exitcode',
    ],
    ['an array instead of an object', [], /body must be a JSON object/, ''],
  ];

  for (const [name, body, message, field] of badBodies) {
    test(`400 naming the field, nothing stored: ${name}`, async () => {
      const before = storedCount(dataDir);
      const { status, json } = await postEvent(url, body);
      assert.equal(status, 400);
      assert.equal(json.success, false);
      assert.equal(json.error, 'validation_error');
      assert.match(json.message, message);
      assert.equal(json.field, field);
      assert.equal(storedCount(dataDir), before);
    });
  }

  test('non-JSON and empty bodies are a 400 invalid_json, nothing stored', async () => {
    const before = storedCount(dataDir);
    const broken = await postEvent(url, '{"kind": "shell", ');
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error, 'invalid_json');
    assert.match(broken.json.message, /not valid JSON/);
    const empty = await postEvent(url, '');
    assert.equal(empty.status, 400);
    assert.match(empty.json.message, /empty/);
    const poisoned = await postEvent(url, '{"kind":"shell","command":"x","exit_code":0,"__proto__":{"polluted":true}}');
    assert.equal(poisoned.status, 400);
    assert.equal(storedCount(dataDir), before);
  });

  test('a body over the size limit is a 413, nothing stored', async () => {
    const before = storedCount(dataDir);
    const { status, json } = await postEvent(url, {
      kind: 'shell',
      command: 'x',
      exit_code: 0,
      output: 'x'.repeat(1024 * 1024 + 10),
    });
    assert.equal(status, 413);
    assert.equal(json.error, 'body_too_large');
    assert.match(json.message, /1048576 bytes/);
    assert.equal(storedCount(dataDir), before);
  });

  test('bad query parameters are a 400 naming the parameter', async () => {
    for (const query of ['limit=abc', 'limit=0', 'limit=-3']) {
      const res = await fetch(`${url}/events?${query}`);
      assert.equal(res.status, 400, query);
      const body = await res.json();
      assert.equal(body.field, 'limit');
      assert.match(body.message, /query parameter 'limit'/);
    }
  });

  describe('local safety', () => {
    const host = () => new URL(url).host;

    test('a foreign Host (DNS rebinding) is refused, nothing stored', async () => {
      const before = storedCount(dataDir);
      const res = await rawRequest(url, {
        method: 'POST',
        path: '/events',
        headers: { host: 'evil.example:80', 'content-type': 'application/json' },
        body: JSON.stringify(SEED_EVENT),
      });
      assert.equal(res.status, 403);
      assert.equal(res.json.error, 'forbidden_host');
      assert.equal(storedCount(dataDir), before);
      const read = await rawRequest(url, { path: '/events', headers: { host: `evil.example:${new URL(url).port}` } });
      assert.equal(read.status, 403);
    });

    test('localhost and 127.0.0.1 Host headers are accepted', async () => {
      for (const name of ['127.0.0.1', 'localhost']) {
        const res = await rawRequest(url, { path: '/health', headers: { host: `${name}:${new URL(url).port}` } });
        assert.equal(res.status, 200, name);
      }
    });

    test('a web page Origin cannot post events or read them', async () => {
      const before = storedCount(dataDir);
      const post = await rawRequest(url, {
        method: 'POST',
        path: '/events',
        headers: { host: host(), origin: 'https://evil.example', 'content-type': 'text/plain' },
        body: JSON.stringify(SEED_EVENT),
      });
      assert.equal(post.status, 403);
      assert.equal(post.json.error, 'forbidden_origin');
      const nullOrigin = await rawRequest(url, { path: '/events', headers: { host: host(), origin: 'null' } });
      assert.equal(nullOrigin.status, 403);
      const noCors = await rawRequest(url, {
        path: '/events',
        headers: { host: host(), 'sec-fetch-site': 'cross-site' },
      });
      assert.equal(noCors.status, 403);
      assert.equal(storedCount(dataDir), before);
    });

    test("Hookbox's own origin is accepted", async () => {
      const res = await rawRequest(url, {
        path: '/health',
        headers: { host: host(), origin: url, 'sec-fetch-site': 'same-origin' },
      });
      assert.equal(res.status, 200);
    });
  });
});
