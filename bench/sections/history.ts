// A long history (issue 19): the window's queries against a hub holding 10,000 events and one
// holding 1,000,000, same queries, same run, through the real `hookbox serve`'s HTTP API. Each
// database is built directly with better-sqlite3 (one transaction, the hub's own migrations and
// EventStore.insert, then the search index filled in bulk as the hub's indexer would), so
// building a million events takes seconds rather than the hours POST /events would.
import { statSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { openDatabase } from '../../main/core/db/database.ts';
import type { HookKind, RecordedEvent } from '../../main/core/events/event-schema.ts';
import { EventStore } from '../../main/core/events/event-store.ts';
import { readControlToken } from '../../main/core/security/control-token.ts';
import { fmt, info, judged, markdownTable, median, type BenchRow, type BenchSection } from '../lib/section.ts';
import {
  ensureCliBundle,
  hookboxDatabase,
  httpRequest,
  makeTempDir,
  startHookboxServe,
  type ServerProcess,
} from '../lib/server-process.ts';

const SMALL = 10_000;
// BENCH_HISTORY_EVENTS=N builds a smaller large history while working on the harness.
const LARGE = Number(process.env.BENCH_HISTORY_EVENTS ?? 1_000_000);
const RUNS = 25;
const STARTS = 3;
const GROWTH_TARGET = 3;
const START_GROWTH_TARGET = 1.5;
const SEARCH_TARGET_MS = 50;
/** In exactly two events of each history: one recent, one old. */
const RARE_WORD = 'xylophone';
/** A year of heavy use, for the disk estimate: a busy developer's shell, git and agent events. */
const EVENTS_PER_HEAVY_DAY = 5_000;

// A realistic mix: mostly short shell commands with little output, git operations, some
// failures with compiler or test output, a few long builds, system events.
const SHELL = [
  'ls -la',
  'cd ~/src/hookbox',
  'git status',
  'npm test',
  'cargo build',
  'make -j8',
  'vim src/main.rs',
  'docker compose up -d',
  'kubectl get pods -n staging',
  'rg TODO src',
  'python3 manage.py migrate',
  'go test ./...',
  'curl -s localhost:8080/health',
  'ssh build-01 uptime',
  'npm run lint -- --fix',
];
const GIT = [
  'git commit -m "fix flaky retry test"',
  'git push origin main',
  'git pull --rebase',
  'git checkout -b feature/search',
  'git merge --no-ff topic',
  'git rebase -i HEAD~3',
];
const SYSTEM = ['backup finished', 'disk usage above 80% on /home', 'battery low', 'wifi reconnected'];
const OUTPUTS = [
  'error[E0308]: mismatched types\n  --> src/main.rs:14:20\n   |\n14 |     let port: u16 = config.get("port");\n   |                     ^^^^^^^^^^^^^^^^^^ expected `u16`, found `Option<&str>`',
  'FAIL src/parser.test.ts\n  ● parses nested quotes\n    expect(received).toEqual(expected)\n    Expected: "a\\"b"\n    Received: "a"',
  'npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree',
  'Traceback (most recent call last):\n  File "manage.py", line 22, in <module>\ndjango.db.utils.OperationalError: no such table: auth_user',
  'To github.com:dev/hookbox.git\n   3f2a1b9..8c4d2e0  main -> main',
  'Already up to date.',
  'NAME                      READY   STATUS             RESTARTS   AGE\napi-7d9f8b6c5d-x2k4q      0/1     CrashLoopBackOff   5          3m',
];

/** Deterministic pseudo-random numbers (mulberry32): the same history every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeEvent(i: number, total: number, next: () => number, start: number): RecordedEvent {
  const r = next();
  const kind: HookKind = r < 0.72 ? 'shell' : r < 0.92 ? 'git' : 'system';
  const pool = kind === 'shell' ? SHELL : kind === 'git' ? GIT : SYSTEM;
  const failed = next() < 0.08;
  const long = next() < 0.02;
  const withOutput = failed || next() < 0.15;
  const rare = i === Math.floor(total * 0.1) || i === total - 20;
  return {
    id: `b${String(i).padStart(10, '0')}-0000-4000-8000-000000000000`,
    received_at: new Date(start + i * 6_000).toISOString(),
    kind,
    command: `${pool[Math.floor(next() * pool.length)]}${rare ? ` # ${RARE_WORD}` : ''}`,
    exit_code: failed ? 1 + Math.floor(next() * 2) : 0,
    duration_ms: long ? 30_000 + Math.floor(next() * 600_000) : Math.floor(next() * 3_000),
    // Numbers vary the output the way real runs do (line numbers, hashes, counts).
    output: withOutput
      ? `${OUTPUTS[Math.floor(next() * OUTPUTS.length)]}\n(run ${i}, ${Math.floor(next() * 1e6).toString(16)})`
      : '',
    metadata: { cwd: '/home/dev/src/hookbox', shell: 'zsh' },
  };
}

interface Built {
  root: string;
  events: number;
  buildSeconds: number;
  indexSeconds: number;
  bytes: number;
}

/** A data dir whose database holds `count` events, every one of them indexed. */
function buildHistory(count: number): Built {
  const root = makeTempDir(`history-${count}`);
  const file = hookboxDatabase(root);
  const db = openDatabase(file);
  const store = new EventStore(db);
  const next = random(19);
  const start = Date.now() - count * 6_000;
  let started = performance.now();
  db.transaction(() => {
    for (let i = 0; i < count; i++) store.insert(makeEvent(i, count, next, start), count);
  })();
  const buildSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  // The indexer's own step, in large chunks (the hub takes small ones so the API never waits).
  db.transaction(() => {
    while (store.indexNext(50_000) > 0);
  })();
  const indexSeconds = (performance.now() - started) / 1000;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { root, events: count, buildSeconds, indexSeconds, bytes: statSync(file).size };
}

interface Measured {
  startMs: number[];
  latest: number[];
  failed: number[];
  git: number[];
  search: number[];
  /** What the answers said, to check they are right. */
  checks: {
    searchIds: number;
    searchMethod: string;
    unindexed: number;
    failedTotal: string;
    gitTotal: string;
    latestCount: number;
  };
}

async function timeRequest(
  url: string,
  agent: Agent,
  method = 'GET',
  body?: string,
  headers?: Record<string, string>,
): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  const res = await httpRequest(url, method, body, { agent, ...(headers ? { headers } : {}) });
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${res.body.slice(0, 300)}`);
  return { ms, body: res.body };
}

async function measure(built: Built): Promise<Measured> {
  const config = `[history]\nretention = ${LARGE * 2}\n`;
  const startMs: number[] = [];
  let server: ServerProcess | undefined;
  for (let i = 0; i < STARTS; i++) {
    await server?.stop();
    server = await startHookboxServe(built.root, { configToml: config });
    startMs.push(server.listeningAt - server.spawnedAt);
  }
  const hub = server!;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const token = readControlToken(join(built.root, 'hookbox'));
    if (!token) throw new Error('no control token in the data dir');
    const rpc = (request: object) =>
      timeRequest(`${hub.url}/app/rpc/queryEvents`, agent, 'POST', JSON.stringify({ limit: 50, ...request }), {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      });
    const series = async (run: () => Promise<{ ms: number; body: string }>) => {
      for (let i = 0; i < 3; i++) await run(); // warm-up: statements prepared, pages cached
      const times: number[] = [];
      let last = '';
      for (let i = 0; i < RUNS; i++) {
        const r = await run();
        times.push(r.ms);
        last = r.body;
      }
      return { times, last: JSON.parse(last) as Record<string, unknown> };
    };
    const latest = await series(() => timeRequest(`${hub.url}/events?limit=50`, agent));
    const failed = await series(() => rpc({ failed_only: true }));
    const git = await series(() => rpc({ kind: 'git' }));
    const search = await series(() => rpc({ text: RARE_WORD }));
    const total = (page: Record<string, unknown>) =>
      `${page.total_is_lower_bound ? '≥ ' : ''}${fmt.count(page.total as number)}`;
    const searchInfo = search.last.search as { method: string; unindexed: number };
    return {
      startMs,
      latest: latest.times,
      failed: failed.times,
      git: git.times,
      search: search.times,
      checks: {
        searchIds: (search.last.events as unknown[]).length,
        searchMethod: searchInfo.method,
        unindexed: searchInfo.unindexed,
        failedTotal: total(failed.last),
        gitTotal: total(git.last),
        latestCount: (latest.last as unknown as unknown[]).length,
      },
    };
  } finally {
    agent.destroy();
    await hub.stop();
  }
}

export async function run(): Promise<BenchSection> {
  await ensureCliBundle();
  const small = buildHistory(SMALL);
  const large = buildHistory(LARGE);
  // Small, large, small again: the first figures of a run include warming the machine up.
  await measure(small);
  const s = await measure(small);
  const l = await measure(large);

  const failures: string[] = [];
  for (const [name, m] of [
    ['10k', s],
    ['1M', l],
  ] as const) {
    if (m.checks.searchIds !== 2)
      failures.push(`${name}: the search for '${RARE_WORD}' found ${m.checks.searchIds} events, not 2`);
    if (m.checks.searchMethod !== 'index' || m.checks.unindexed !== 0)
      failures.push(
        `${name}: the search was not answered by the index (${m.checks.searchMethod}, ${m.checks.unindexed} unindexed)`,
      );
    if (m.checks.latestCount !== 50)
      failures.push(`${name}: GET /events?limit=50 answered ${m.checks.latestCount} events`);
  }

  const rows: BenchRow[] = [];
  const queries: [string, number[], number[]][] = [
    ['GET /events?limit=50', s.latest, l.latest],
    ['failed only (queryEvents failed_only)', s.failed, l.failed],
    ['kind = git (queryEvents kind)', s.git, l.git],
    [`text search (a word in 2 events)`, s.search, l.search],
  ];
  for (const [name, small10k, large1m] of queries) {
    const a = median(small10k);
    const b = median(large1m);
    rows.push(info(`${name}: 10k / 1M, median of ${RUNS}`, `${fmt.ms(a)} / ${fmt.ms(b)}`));
    rows.push(judged(`${name}: growth`, b / a, fmt.ratio, { max: GROWTH_TARGET }));
  }
  rows.push(judged('text search at 1M, median', median(l.search), fmt.ms, { max: SEARCH_TARGET_MS }));
  const startSmall = median(s.startMs);
  const startLarge = median(l.startMs);
  rows.push(
    info(`hub start → listening: 10k / 1M, median of ${STARTS}`, `${fmt.ms(startSmall)} / ${fmt.ms(startLarge)}`),
  );
  rows.push(judged('hub start: growth', startLarge / startSmall, fmt.ratio, { max: START_GROWTH_TARGET }));
  rows.push(info('totals shown at 10k (failed / git)', `${s.checks.failedTotal} / ${s.checks.gitTotal}`));
  rows.push(info('totals shown at 1M (failed / git)', `${l.checks.failedTotal} / ${l.checks.gitTotal}`));
  const perEvent = large.bytes / large.events;
  const yearBytes = perEvent * EVENTS_PER_HEAVY_DAY * 365;
  rows.push(
    info(
      'database size at 1M (events, indexes, search index)',
      `${(large.bytes / 1024 / 1024).toFixed(0)} MB, ${Math.round(perEvent)} B/event`,
    ),
  );
  rows.push(
    info(
      `a year of heavy use (${fmt.count(EVENTS_PER_HEAVY_DAY)} events a day)`,
      `${(yearBytes / 1024 / 1024 / 1024).toFixed(1)} GB`,
    ),
  );
  rows.push(
    info(
      'building the 1M database: insert / search index',
      `${large.buildSeconds.toFixed(1)} s / ${large.indexSeconds.toFixed(1)} s`,
    ),
  );

  const markdown = [
    '## A long history: 10,000 against 1,000,000 events',
    '',
    `Two data dirs built in the same run: ${fmt.count(SMALL)} and ${fmt.count(LARGE)} events, written with better-sqlite3 in one transaction through the ` +
      "hub's migrations and `EventStore.insert`, then the trigram search index filled with the indexer's own step (the hub fills it in the " +
      'background, in small chunks). The mix: 72% shell, 20% git, 8% system; 8% failed; 2% long-running; a sixth with output (compiler ' +
      `errors, test failures, tracebacks, git and kubectl output, each with varying numbers); the word \`${RARE_WORD}\` in exactly two ` +
      'events (one at 10% of the history, one 20 events from the newest). Then the real `hookbox serve` (the bundle) is started on each ' +
      `(${STARTS} starts, spawn to the "listening on" line) and asked over HTTP on one keep-alive connection: \`GET /events?limit=50\` (agentd's ` +
      "list) and the window's `POST /app/rpc/queryEvents` (limit 50, with the control token) for failed only, kind = git and the word. " +
      `${RUNS} timed requests each after 3 untimed. The 10k hub is measured twice and the second counts (the first warms the machine).`,
    '',
    markdownTable(rows),
    '',
    `Each page also carries its total: counted exactly up to 10,000 matches, beyond that the answer says \`total_is_lower_bound\` and ` +
      'the window shows "at least 10,000". The disk figure is the 1M database file (after a checkpoint) divided by its events.',
  ].join('\n');
  return { title: 'History: 10k vs 1M events', rows, failures, markdown };
}
