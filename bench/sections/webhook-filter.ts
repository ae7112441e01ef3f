// Requests a hook's filter rejects: the real `hookbox serve` with a [hooks.when] rule against
// adnanh/webhook (the Debian `webhook` binary) with the same rule as a trigger-rule, same load,
// same run. Neither starts a process for these requests, so this is each server's own per-request
// cost: parse, match, answer (and for hookbox, record the request durably as a `filtered` run).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { loadServer, type LoadResult, type LoadSettings } from '../lib/http-load.ts';
import { fmt, info, judged, markdownTable, type BenchRow, type BenchSection } from '../lib/section.ts';
import {
  hookboxDatabase,
  httpRequest,
  isolatedEnv,
  makeTempDir,
  startBareNodeHttp,
  startHookboxServe,
} from '../lib/server-process.ts';

const RATIO_TARGET = 1.5;
const CONNECTIONS = 16;

// The rule (both servers): a GitHub push to main. The load sends a push to another branch.
const HEADERS = { 'X-GitHub-Event': 'push' };
const BODY = JSON.stringify({
  ref: 'refs/heads/dev',
  repository: { full_name: 'acme/api' },
  pusher: { name: 'octocat' },
  commits: [{ id: 'c0ffee', message: 'wip' }],
});

function loadSettings(path: string): LoadSettings {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  return { connections: CONNECTIONS, warmUpSeconds: 2, seconds, method: 'POST', path, body: BODY, headers: HEADERS };
}

/** A script that must never run: it leaves a file behind if it does. */
function writeScript(root: string): { script: string; marker: string } {
  const script = join(root, 'hook.sh');
  const marker = join(root, 'ran');
  writeFileSync(script, `#!/bin/sh\ntouch "${marker}"\n`);
  chmodSync(script, 0o755);
  return { script, marker };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Posts the filtered request until the server answers 202 (it is up and the rule is in force). */
async function waitForFiltered(name: string, url: string, exited: () => boolean, output: () => string): Promise<void> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    try {
      const answer = await httpRequest(url, 'POST', BODY, { headers: HEADERS });
      if (answer.status === 202) return;
      throw new Error(`${name} answered ${answer.status}: ${answer.body}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || performance.now() > deadline || exited())
        throw new Error(`${name} did not start: ${(error as Error).message}\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function runWebhook(): Promise<{ load: LoadResult; ran: boolean }> {
  const root = makeTempDir('webhook-filter-peer');
  const { script, marker } = writeScript(root);
  const hooksFile = join(root, 'hooks.json');
  const rule = {
    and: [
      { match: { type: 'value', value: 'push', parameter: { source: 'header', name: 'X-GitHub-Event' } } },
      { match: { type: 'value', value: 'refs/heads/main', parameter: { source: 'payload', name: 'ref' } } },
    ],
  };
  writeFileSync(
    hooksFile,
    JSON.stringify(
      [
        {
          id: 'bench',
          'execute-command': script,
          'http-methods': ['POST'],
          'trigger-rule': rule,
          'trigger-rule-mismatch-http-response-code': 202,
        },
      ],
      null,
      2,
    ),
  );
  const port = await freePort();
  const child = spawn('webhook', ['-hooks', hooksFile, '-ip', '127.0.0.1', '-port', String(port)], {
    env: isolatedEnv(root),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4096)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4096)));
  const exited = once(child, 'exit');
  process.on('exit', () => child.kill('SIGKILL'));
  try {
    const url = `http://127.0.0.1:${port}/hooks/bench`;
    await waitForFiltered(
      'webhook',
      url,
      () => child.exitCode !== null,
      () => output,
    );
    const load = await loadServer(url, loadSettings('/hooks/bench'));
    return { load, ran: existsSync(marker) };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  }
}

interface HookboxRun {
  load: LoadResult;
  ran: boolean;
  filtered: number;
  acknowledged: number;
}

async function runHookbox(): Promise<HookboxRun> {
  const root = makeTempDir('webhook-filter-hookbox');
  const { script, marker } = writeScript(root);
  const config = `[[hooks]]\nname = "filtered"\nbind = "127.0.0.1:0"\nscript = "${script}"\n\n[hooks.when]\n"header.x-github-event" = "push"\n"json.ref" = "refs/heads/main"\n`;
  const server = await startHookboxServe(root, { configToml: config });
  try {
    const match = /hook filtered listening on 127\.0\.0\.1:(\d+)/.exec(server.output());
    if (!match) throw new Error(`no listening line for hook filtered:\n${server.output()}`);
    const url = `http://127.0.0.1:${match[1]}/`;
    await waitForFiltered(
      'hookbox',
      url,
      () => false,
      () => server.output(),
    );
    const load = await loadServer(url, loadSettings('/'));
    // A graceful stop: a filtered run is committed just after its answer (not before), so a SIGKILL
    // could lose the last batch by design; SIGTERM lets the hub finish its writes.
    await server.stop('SIGTERM');
    const db = new BetterSqlite3(hookboxDatabase(root), { readonly: true, fileMustExist: true });
    try {
      // The hub keeps the newest 10,000 runs, so the runs ever recorded are counted by their seq
      // (1, 2, 3 … for this one hook), and the rows still there must all be filtered ones.
      const other = (
        db.prepare("SELECT count(*) AS n FROM hook_runs WHERE outcome <> 'filtered' OR status <> 202").get() as {
          n: number;
        }
      ).n;
      if (other > 0) throw new Error(`${other} runs of the filtered hook were not recorded as filtered (202)`);
      const filtered = (db.prepare('SELECT coalesce(max(seq), 0) AS n FROM hook_runs').get() as { n: number }).n;
      // +1: the readiness probe.
      return { load, ran: existsSync(marker), filtered, acknowledged: load.ok + load.warmUpOk + 1 };
    } finally {
      db.close();
    }
  } finally {
    await server.stop('SIGKILL');
  }
}

/** The ceiling for any Node server: node:http answering 200 and doing nothing else, same load. */
async function runBareNode(): Promise<LoadResult> {
  const server = await startBareNodeHttp(makeTempDir('webhook-filter-bare'));
  try {
    return await loadServer(`${server.url}/`, loadSettings('/'));
  } finally {
    await server.stop();
  }
}

function loadFailures(name: string, load: LoadResult): string[] {
  const failures: string[] = [];
  if (load.non2xx > 0) failures.push(`${name}: ${load.non2xx} non-2xx responses under load`);
  if (load.errors > 0)
    failures.push(`${name}: ${load.errors} connection errors (${load.timeouts} timeouts) under load`);
  return failures;
}

export async function run(): Promise<BenchSection> {
  // The peer before and after hookbox, the ratio against their mean (as in webhook-throughput).
  const before = await runWebhook();
  const hookbox = await runHookbox();
  const bare = await runBareNode();
  const after = await runWebhook();
  const peerRps = (before.load.requestsPerSecond + after.load.requestsPerSecond) / 2;
  const { load } = hookbox;
  const extra = hookbox.filtered - hookbox.acknowledged;
  // Requests in flight when wrk stopped may be recorded without having been counted as answered.
  const recordedOk = extra >= 0 && extra <= load.maxInFlightAtStop + load.errors;
  const settings = loadSettings('/');

  const rows: BenchRow[] = [
    info(
      'webhook: throughput (before / after)',
      `${fmt.rps(before.load.requestsPerSecond)} / ${fmt.rps(after.load.requestsPerSecond)}`,
    ),
    info('webhook: p50 / p99 latency (before)', `${fmt.ms(before.load.p50Ms)} / ${fmt.ms(before.load.p99Ms)}`),
    info('hookbox: throughput', fmt.rps(load.requestsPerSecond)),
    info('hookbox: p50 / p99 latency', `${fmt.ms(load.p50Ms)} / ${fmt.ms(load.p99Ms)}`),
    judged('hookbox / webhook throughput, filtered requests', load.requestsPerSecond / peerRps, fmt.ratio, {
      min: RATIO_TARGET,
    }),
    info('ceiling, bare node:http (answers 200, nothing else): throughput', fmt.rps(bare.requestsPerSecond)),
    info('ceiling, bare node:http / webhook throughput', fmt.ratio(bare.requestsPerSecond / peerRps)),
    info('hookbox / bare node:http throughput', fmt.ratio(load.requestsPerSecond / bare.requestsPerSecond)),
    {
      metric: 'hookbox: 202 answered → filtered runs recorded',
      value: `${fmt.count(hookbox.acknowledged)} → ${fmt.count(hookbox.filtered)} (${extra >= 0 ? '+' : ''}${extra} at stop)`,
      target: 'all',
      verdict: recordedOk ? 'ok' : 'failed',
    },
  ];
  const failures = [
    ...loadFailures('webhook (before)', before.load),
    ...loadFailures('hookbox', load),
    ...loadFailures('bare node:http', bare),
    ...loadFailures('webhook (after)', after.load),
  ];
  if (!recordedOk)
    failures.push(
      `hookbox: ${fmt.count(hookbox.acknowledged)} requests answered but ${fmt.count(hookbox.filtered)} filtered runs recorded`,
    );
  for (const [name, ran] of [
    ['webhook', before.ran || after.ran],
    ['hookbox', hookbox.ran],
  ] as const)
    if (ran) failures.push(`${name}: the script ran for a filtered request`);

  const markdown = [
    '## Filtered requests: hookbox against adnanh/webhook',
    '',
    `wrk (one thread), ${settings.connections} connections, a ${settings.warmUpSeconds} s warm-up then ${settings.seconds} s measured per server, one server at a time, ` +
      'all on 127.0.0.1 in one run: webhook, hookbox, bare node:http, webhook again; the ratio is against the mean of the two webhook runs. Every request is a ' +
      `GitHub-style push to another branch (\`X-GitHub-Event: push\`, a ${Buffer.byteLength(BODY)}-byte JSON body with \`"ref": "refs/heads/dev"\`) ` +
      'that the rule "push to main" rejects, so neither server starts a process: this is each one\'s own cost per request.',
    '',
    '- **webhook**: Debian `webhook` 2.8 (adnanh/webhook), one hook whose `trigger-rule` is `and` of `match value "push"` on the header ' +
      '`X-GitHub-Event` and `match value "refs/heads/main"` on the payload `ref`, with `trigger-rule-mismatch-http-response-code: 202`.',
    '- **hookbox**: the real `hookbox serve` (the bundle) with `[hooks.when]` `"header.x-github-event" = "push"` and `"json.ref" = "refs/heads/main"`. ' +
      'Each request is matched, answered 202 and recorded as a `filtered` run in `hook_runs` (committed with the next group commit, just after the ' +
      'answer: a filtered request changes nothing, so it does not wait for the disk); after the load hookbox is stopped with SIGTERM and every answered ' +
      'request must have its row (a few more are requests in flight when wrk stopped).',
    '- **bare node:http** (the ceiling for any Node server): `bench/peers/bare-node-http.mjs`, node:http answering every POST with 200 and ' +
      'nothing else (no parsing, matching or recording). If it does not reach the target itself, no Node implementation can on this machine.',
    "- **No process**: both servers' hooks run a script that leaves a file if it ever runs; none may exist after the run.",
    '',
    markdownTable(rows),
    '',
    `Headline: hookbox answers requests its filter rejects at **${fmt.ratio(load.requestsPerSecond / peerRps)}** of webhook's rate (target ≥ ${fmt.ratio(RATIO_TARGET)}), ` +
      `${recordedOk ? 'recording every one' : 'but the recording check FAILED'}.`,
  ].join('\n');

  return { title: 'Filtered requests vs adnanh/webhook (same rule, same load)', rows, failures, markdown };
}
