import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { closedPort, eventually } from '../helpers/http-receiver.ts';
import { HOOKBOX_CLI, runCli, startServe } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { readControlToken } from '../../main/core/security/control-token.ts';
import { hookToml, writeScript } from '../helpers/webhook-fixture.ts';
import { inboxApi } from '../core/inbox/inbox-api.ts';

// `hookbox send`, `schedule`, `run` and `hooks …` as a user types them, against a real
// `hookbox serve` child process on its own data dir.

describe('hookbox send / schedule / hooks against a running serve', async () => {
  const dir = tempDir();
  const dataDir = tempDir();
  const configFile = join(dir, 'config.toml');
  writeScript(dir, 'echo.sh', '#!/bin/sh\nprintf "got: %s" "$(cat)"\n');
  writeFileSync(configFile, hookToml('gh', 'echo.sh', 'session = "ci"'));
  const env = { XDG_CONFIG_HOME: dir };
  const serve = await startServe(['--config', configFile, '--port', '0', '--data-dir', dataDir], env);
  const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();
  const api = inboxApi(serve.url, token);
  /** The CLI pointed at this serve, flags after the subcommand as a user types them. */
  const hookbox = (args: string[], input?: string) =>
    runCli([...args, '--data-dir', dataDir, '--config', configFile], env, input);
  const port = ['--port', String(serve.port)];

  test('send: prints ok, exits 0, and the message is in the inbox with source inject', async () => {
    const result = await hookbox(['send', '--name', 'agent', ...port, 'deploy', 'finished', 'on', 'prod']);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, 'ok\n');
    assert.equal(result.code, 0);
    const [message] = await api.list('agent');
    assert.equal(message?.content, 'deploy finished on prod');
    assert.equal(message?.source, 'inject');
    assert.equal(message?.state, 'queued');
  });

  test('send: the message on stdin works (multi-line, trailing newline dropped)', async () => {
    const result = await hookbox(['send', '--name', 'stdin-session', ...port], 'line one\nline "two" $HOME\n');
    assert.equal(result.stdout, 'ok\n');
    assert.equal(result.code, 0);
    assert.equal((await api.list('stdin-session'))[0]?.content, 'line one\nline "two" $HOME');
  });

  test('send: an empty message is refused with `error: …` and a non-zero exit; nothing is stored', async () => {
    for (const [args, input] of [
      [[''], ''],
      [[], ''],
      [[], '  \n\n'],
    ] as Array<[string[], string]>) {
      const result = await hookbox(['send', '--name', 'empty', ...port, ...args], input);
      assert.notEqual(result.code, 0, JSON.stringify(args));
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^error: message is empty/);
    }
    assert.deepEqual(await api.list('empty'), []);
  });

  test('send: a bad session name is refused before anything is sent', async () => {
    const result = await hookbox(['send', '--name', 'no spaces please', ...port, 'x']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^error: invalid session name/);
  });

  test('send: Hookbox not running → `error: Hookbox is not running …`, non-zero', async () => {
    const result = await hookbox(['send', '--name', 'agent', '--port', String(await closedPort()), 'hello?']);
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^error: Hookbox is not running \(nothing answers on http:\/\/127\.0\.0\.1:\d+\); start it with: hookbox serve\n$/,
    );
  });

  test('send: a data dir without the control token says so', async () => {
    const result = await runCli(
      ['send', '--name', 'agent', ...port, '--data-dir', tempDir(), '--config', configFile, 'hello'],
      env,
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^error: no control token found in the data dir/);
  });

  test('schedule --in 2s: the message is not deliverable at first, and is after ~2 s', async () => {
    const before = Date.now();
    const result = await hookbox(['schedule', '--name', 'later', '--in', '2s', ...port, 'stand-up in 2 seconds']);
    const returned = Date.now();
    assert.equal(result.code, 0, result.stderr);
    const match = /^scheduled (\S+) for (\S+)\n$/.exec(result.stdout);
    assert.ok(match, result.stdout);
    const deliverAt = Date.parse(match[2]!);
    // 2 s after some moment while the command ran (however long a loaded machine made that).
    assert.ok(
      deliverAt - before >= 2000 && deliverAt - returned <= 2000,
      `deliver at ${match[2]}: ${deliverAt - before} ms after the command started, ${deliverAt - returned} ms after it returned`,
    );
    assert.equal((await api.next('later', { wait: 0 })).status, 204, 'deliverable too early');
    const { message } = await api.next('later', { wait: 10 });
    assert.equal(message?.id, match[1]);
    assert.equal(message?.content, 'stand-up in 2 seconds');
    assert.equal(message?.source, 'schedule');
    assert.ok(Date.now() >= deliverAt, 'delivered before its time');
  });

  test('schedule --cron creates a recurring schedule', async () => {
    const result = await hookbox(['schedule', '--name', 'weekly', '--cron', '0 9 * * 1', ...port, 'weekly report']);
    assert.equal(result.code, 0, result.stderr);
    const match = /^scheduled (\S+) \(0 9 \* \* 1\); next at (\S+)\n$/.exec(result.stdout);
    assert.ok(match, result.stdout);
    const schedules = (await (await api.call('/schedules')).json()).schedules as Array<{
      id: string;
      session: string;
      cron: string;
      content: string;
      next_at: string;
    }>;
    const created = schedules.find((s) => s.id === match[1]);
    assert.deepEqual(created && [created.session, created.cron, created.content, created.next_at], [
      'weekly',
      '0 9 * * 1',
      'weekly report',
      match[2],
    ]);
    assert.equal(new Date(match[2]!).getDay(), 1, 'next run is a Monday');

    const bad = await hookbox(['schedule', '--name', 'weekly', '--cron', 'every monday', ...port, 'x']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /error: invalid cron expression 'every monday'/);
  });

  test('schedule: exactly one of --in, --at, --cron', async () => {
    const schedulesBefore = (await (await api.call('/schedules')).json()).schedules.length;
    const cases: Array<[string[], RegExp]> = [
      [['--in', '2s', '--cron', '* * * * *'], /error: give exactly one of --in, --at or --cron/],
      [['--in', '2s', '--at', '23:59'], /error: give exactly one of --in, --at or --cron/],
      [[], /error: give exactly one of --in, --at or --cron/],
      [['--at', '2000-01-01T00:00:00Z'], /error: --at 2000-01-01T00:00:00Z is in the past/],
      [['--in', 'soon'], /error: --in soon: use a duration like 90s/],
    ];
    for (const [when, expected] of cases) {
      const result = await hookbox(['schedule', '--name', 'twice', ...when, ...port, 'msg']);
      assert.notEqual(result.code, 0, when.join(' '));
      assert.equal(result.stdout, '');
      assert.match(result.stderr, expected, when.join(' '));
    }
    assert.deepEqual(await api.list('twice'), []);
    assert.equal((await (await api.call('/schedules')).json()).schedules.length, schedulesBefore);
  });

  test('hooks runs / show / replay / curl on a request the hook received', async () => {
    const hook = (await (await api.call('/hooks')).json()).hooks.find((h: { name: string }) => h.name === 'gh');
    const sent = await fetch(`http://127.0.0.1:${hook.port}/payload?event=push`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'supersecretvalue',
        authorization: 'Bearer abcdefghijkl',
        'x-github-event': 'push',
      },
      body: '{"ref":"refs/heads/main"}',
    });
    assert.equal(sent.status, 200);

    const table = await hookbox(['hooks', 'runs']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /^RUN\s+TIME/);
    assert.equal(lines.length, 2, table.stdout);
    assert.match(lines[1]!, /\bgh\s+200\s+injected\b.*POST \/payload\?event=push/);
    const shownId = lines[1]!.split(/\s+/)[0]!;

    const show = await hookbox(['hooks', 'show', shownId]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /hook:\s+gh → session ci/);
    assert.match(show.stdout, /request:\s+POST \/payload\?event=push/);
    assert.match(show.stdout, /x-github-event: push/);
    assert.match(show.stdout, /x-api-key: supe…\(masked, 16 chars\)/);
    assert.ok(!show.stdout.includes('supersecretvalue'), 'x-api-key shown in clear');
    assert.ok(!show.stdout.includes('abcdefghijkl'), 'authorization shown in clear');
    assert.match(show.stdout, /\{"ref":"refs\/heads\/main"\}/);
    assert.match(show.stdout, /stdout:\ngot: \{"ref":"refs\/heads\/main"\}/);
    const json = JSON.parse((await hookbox(['hooks', 'runs', 'gh', '--json'])).stdout) as Array<{
      id: string;
      hook: string;
      replay_of: string | null;
    }>;
    assert.equal(json.length, 1);
    const runId = json[0]!.id;
    assert.ok(runId.startsWith(shownId), 'the table shows the run id (or a prefix of it)');

    const replay = await hookbox(['hooks', 'replay', shownId, ...port]);
    assert.equal(replay.code, 0, replay.stderr);
    const replayed = /^replayed as run (\S+): HTTP 200\n$/.exec(replay.stdout);
    assert.ok(replayed, replay.stdout);
    const runs = JSON.parse((await hookbox(['hooks', 'runs', '--json'])).stdout) as Array<{
      id: string;
      replay_of: string | null;
    }>;
    assert.equal(runs.length, 2);
    assert.equal(runs.find((r) => r.id === replayed[1])?.replay_of, runId);
    assert.equal(
      (await api.list('ci')).filter((m) => m.content === 'got: {"ref":"refs/heads/main"}').length,
      2,
      'the replay injected again',
    );

    // The id the table shows still names one run now that there are two.
    const tableAfter = (await hookbox(['hooks', 'runs'])).stdout.trim().split('\n').slice(1);
    for (const line of tableAfter) {
      const id = line.split(/\s+/)[0]!;
      const shown = await hookbox(['hooks', 'show', id]);
      assert.equal(shown.code, 0, `hooks show ${id} (from the table): ${shown.stderr}`);
    }

    const curl = await hookbox(['hooks', 'curl', runId, ...port]);
    assert.equal(curl.code, 0, curl.stderr);
    assert.match(curl.stdout, new RegExp(`^curl -X POST 'http://127\\.0\\.0\\.1:${hook.port}/payload\\?event=push'`));
    assert.ok(!curl.stdout.includes('supersecretvalue'), 'curl shows a secret without --reveal');
    const revealed = await hookbox(['hooks', 'curl', runId, '--reveal', ...port]);
    assert.ok(revealed.stdout.includes("'x-api-key: supersecretvalue'"), revealed.stdout);
    const { stdout } = await promisify(execFile)('bash', ['-c', `${revealed.stdout.trim()} -s -w ' %{http_code}'`], {
      encoding: 'utf8',
    });
    assert.match(stdout, / 200$/);
    const [latest] = await api.list('ci', 'limit=1');
    assert.equal(latest?.content, 'got: {"ref":"refs/heads/main"}', 'the copied curl reproduces the request');

    const missing = await hookbox(['hooks', 'show', 'no-such-run']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /error: no hook run with id 'no-such-run'/);
  });
});

describe('hookbox run without --daemon', async () => {
  const dataDir = tempDir();
  const configDir = tempDir();
  const env = { XDG_CONFIG_HOME: configDir };

  test('prints what is queued as JSONL in delivery order, exits 0, and acknowledges it (a second run prints none)', async () => {
    const serve = await startServe(['--port', '0', '--data-dir', dataDir], env);
    const port = ['--port', String(serve.port), '--data-dir', dataDir];
    for (const words of [
      ['first', 'inject'],
      ['second', 'inject'],
    ])
      assert.equal((await runCli(['send', '--name', 'X', ...port, ...words], env)).stdout, 'ok\n');
    assert.equal((await runCli(['schedule', '--name', 'X', '--in', '1s', ...port, 'scheduled one'], env)).code, 0);
    assert.equal((await runCli(['send', '--name', 'other', ...port, 'not for X'], env)).code, 0);
    await new Promise((r) => setTimeout(r, 1200)); // the scheduled message becomes due
    assert.equal(await serve.stop(), 0);

    const first = await runCli(['run', '--name', 'X', '--format', 'jsonl', '--port', '0', '--data-dir', dataDir], env);
    assert.equal(first.code, 0, first.stderr);
    const records = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const injected = records.filter((r) => r.type === 'injected');
    assert.deepEqual(
      injected.map((r) => [r.source_kind, r.content, r.session_id]),
      [
        ['schedule', 'scheduled one', 'X'],
        ['inject', 'first inject', 'X'],
        ['inject', 'second inject', 'X'],
      ],
    );
    assert.deepEqual(
      records.filter((r) => r.type !== 'injected' && r.type !== 'ready'),
      [],
      'only ready and injected records',
    );
    for (const r of injected) assert.equal(typeof r.source_label, 'string');

    const second = await runCli(['run', '--name', 'X', '--format', 'jsonl', '--port', '0', '--data-dir', dataDir], env);
    assert.equal(second.code, 0, second.stderr);
    const again = second.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string });
    assert.deepEqual(
      again.filter((r) => r.type === 'injected'),
      [],
      'acknowledged messages were printed again',
    );

    // The other session's message was left alone.
    const other = await runCli(
      ['run', '--name', 'other', '--format', 'jsonl', '--port', '0', '--data-dir', dataDir],
      env,
    );
    assert.deepEqual(
      other.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((r: { type: string }) => r.type === 'injected')
        .map((r: { content: string }) => r.content),
      ['not for X'],
    );
  });
});

describe('hookbox run beside a running Hookbox attaches to it', async () => {
  const dir = tempDir();
  const dataDir = tempDir();
  const configFile = join(dir, 'config.toml');
  const script = writeScript(dir, 'say.sh', '#!/bin/sh\nprintf "hook says: %s" "$(cat)"\n');
  writeFileSync(
    configFile,
    `${hookToml('deploys', script, 'session = "X"')}${hookToml('alerts', script, 'session = "ops"')}`,
  );
  const serve = await startServe(['--port', '0', '--data-dir', dataDir, '--config', configFile]);
  // The running hub's address comes from the environment, as it would for a user: --port would
  // ask for a hub of its own.
  const env = { AGENTD_PORT: String(serve.port) };
  const common = ['--data-dir', dataDir, '--config', configFile];
  const hookState = async (name: string) => {
    const response = await fetch(`${serve.url}/hooks`, {
      headers: { authorization: `Bearer ${readControlToken(dataDir)}` },
    });
    return (
      (await response.json()) as { hooks: { name: string; port: number; session: string; claim: unknown }[] }
    ).hooks.find((h) => h.name === name)!;
  };
  const hookPort = async (name: string) => (await hookState(name)).port;
  /** `hookbox run --name X --daemon --format jsonl …` in a child process, once it printed its ready line. */
  const startDaemonRun = async (...extra: string[]) => {
    const child = spawn(
      process.execPath,
      [HOOKBOX_CLI, 'run', '--name', 'X', '--daemon', '--format', 'jsonl', ...extra, ...common],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const run = { child, stdout: '', stderr: '' };
    child.stdout.on('data', (c: Buffer) => (run.stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (run.stderr += c.toString()));
    await eventually(() => run.stdout.includes('"type":"ready"'), `the ready line (stderr: ${run.stderr})`, 30_000);
    return run;
  };

  test('without --daemon: prints what the running hub queued for X (hook output and sends), acknowledges it, leaves other sessions alone', async () => {
    const deployPort = await hookPort('deploys');
    const posted = await fetch(`http://127.0.0.1:${deployPort}/`, { method: 'POST', body: 'v2.1 is live' });
    assert.equal(posted.status, 200);
    assert.equal((await runCli(['send', '--name', 'X', ...common, 'from send'], env)).code, 0);
    assert.equal((await runCli(['send', '--name', 'ops', ...common, 'not for X'], env)).code, 0);

    const first = await runCli(['run', '--name', 'X', '--format', 'jsonl', ...common], env);
    assert.equal(first.code, 0, first.stderr);
    const records = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(records[0], {
      type: 'ready',
      session_id: 'X',
      api: `http://127.0.0.1:${serve.port}`,
      hooks: [{ name: 'deploys', port: deployPort, state: 'listening' }],
      attached: true,
    });
    assert.deepEqual(
      records.filter((r) => r.type === 'injected').map((r) => [r.source_kind, r.content]),
      [
        ['inject', 'from send'],
        ['webhook', 'hook says: v2.1 is live'],
      ],
    );
    // Acknowledged: a second run prints nothing; the serve kept running throughout.
    const second = await runCli(['run', '--name', 'X', '--format', 'jsonl', ...common], env);
    assert.deepEqual(
      second.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
      ['ready'],
    );
    const ops = await runCli(['run', '--name', 'ops', '--format', 'jsonl', ...common], env);
    assert.deepEqual(
      ops.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((r: { type: string }) => r.type === 'injected')
        .map((r: { content: string }) => r.content),
      ['not for X'],
    );
  });

  test('--daemon streams messages as the running hub receives them, until stopped', async () => {
    const run = await startDaemonRun();
    try {
      const posted = await fetch(`http://127.0.0.1:${await hookPort('deploys')}/`, {
        method: 'POST',
        body: 'streamed',
      });
      assert.equal(posted.status, 200);
      await eventually(() => run.stdout.includes('"content":"hook says: streamed"'), 'the streamed message', 30_000);
    } finally {
      run.child.kill('SIGINT');
    }
    const [code] = (await once(run.child, 'exit')) as [number | null];
    assert.equal(code, 0, run.stderr);
  });

  test('--daemon --hook of another session claims it for X while the run lasts, then gives it back', async () => {
    const alertsPort = await hookPort('alerts');
    const run = await startDaemonRun('--hook', 'alerts');
    try {
      assert.equal((await hookState('alerts')).session, 'X');
      // A second run wanting the same hook for another session is told who holds it.
      const rival = await runCli(['run', '--name', 'ops', '--daemon', '--hook', 'alerts', ...common], env);
      assert.notEqual(rival.code, 0);
      assert.match(rival.stderr, /hook alerts is claimed by a hookbox run for session X/);
      const posted = await fetch(`http://127.0.0.1:${alertsPort}/`, { method: 'POST', body: 'disk full' });
      assert.equal(posted.status, 200);
      await eventually(
        () => run.stdout.includes('"source_label":"alerts","content":"hook says: disk full","session_id":"X"'),
        `the alert in X's stream (stdout: ${run.stdout})`,
        30_000,
      );
    } finally {
      run.child.kill('SIGINT');
    }
    const [code] = (await once(run.child, 'exit')) as [number | null];
    assert.equal(code, 0, run.stderr);
    const alerts = await hookState('alerts');
    assert.deepEqual([alerts.session, alerts.claim], ['ops', null], 'given back when the run stopped');
    assert.equal(alerts.port, alertsPort, 'the hook kept its socket throughout');
  });

  test('a --hook that the running hub lacks is one clear error', async () => {
    const unknown = await runCli(['run', '--name', 'X', '--hook', 'nope', ...common], env);
    assert.notEqual(unknown.code, 0);
    assert.match(
      unknown.stderr,
      new RegExp(`the Hookbox running on http://127.0.0.1:${serve.port} has no hook named nope`),
    );
    assert.equal(await serve.stop(), 0);
  });
});
