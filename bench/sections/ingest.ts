// Durable ingest: POST /events on the real `hookbox serve` (every acknowledged event fsynced to
// SQLite) against a bare fastify hello-world, same load, same machine, same run. Afterwards the
// server is SIGKILLed and the database is counted: every 2xx must be on disk.
import BetterSqlite3 from 'better-sqlite3';
import { EVENT_BODY } from '../lib/event-body.ts';
import { loadServer, type LoadResult, type LoadSettings } from '../lib/http-load.ts';
import { fmt, info, judged, markdownTable, type BenchRow, type BenchSection } from '../lib/section.ts';
import {
  hookboxDatabase,
  makeTempDir,
  startBareFastify,
  startHookboxServe,
  type ServerProcess,
} from '../lib/server-process.ts';

const RATIO_TARGET = 0.6;
const RETENTION = 100_000_000;

function loadSettings(): LoadSettings {
  // BENCH_SECONDS shortens the measured runs while working on the harness; the figures it
  // writes say how long they ran.
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  if (!(seconds > 0))
    throw new Error(`BENCH_SECONDS must be a positive number of seconds, not ${process.env.BENCH_SECONDS}`);
  return { connections: 50, warmUpSeconds: 2, seconds, method: 'POST', path: '/events', body: EVENT_BODY };
}

interface DurabilityCheck {
  acknowledged: number;
  eventRows: number;
  notificationRows: number;
  ok: boolean;
  detail: string;
}

function countRows(file: string): { events: number; notifications: number } {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { events: count('events'), notifications: count('notifications') };
  } finally {
    db.close();
  }
}

/**
 * Kills the server without warning (nothing queued gets a chance to be flushed), then counts.
 * The database may hold a few more rows than acknowledged: requests in flight when wrk
 * stopped were committed but their responses were never counted.
 */
async function checkDurability(server: ServerProcess, root: string, load: LoadResult): Promise<DurabilityCheck> {
  await server.stop('SIGKILL');
  const acknowledged = load.ok + load.warmUpOk;
  const rows = countRows(hookboxDatabase(root));
  const extra = rows.events - acknowledged;
  const ok = extra >= 0 && extra <= load.maxInFlightAtStop + load.errors + load.timeouts;
  const detail =
    extra < 0
      ? `${fmt.count(-extra)} acknowledged events are missing from the database`
      : extra > load.maxInFlightAtStop + load.errors + load.timeouts
        ? `${fmt.count(extra)} more rows than acknowledged, more than could have been in flight`
        : `all ${fmt.count(acknowledged)} acknowledged events on disk (+${extra} committed while in flight at stop)`;
  return { acknowledged, eventRows: rows.events, notificationRows: rows.notifications, ok, detail };
}

function loadFailures(name: string, load: LoadResult): string[] {
  const failures: string[] = [];
  if (load.non2xx > 0) failures.push(`${name}: ${load.non2xx} non-2xx responses under load`);
  if (load.errors > 0)
    failures.push(`${name}: ${load.errors} connection errors (${load.timeouts} timeouts) under load`);
  return failures;
}

interface HookboxRun {
  label: string;
  notify: boolean;
  load: LoadResult;
  durability: DurabilityCheck;
  /** Set when the run went wrong: how the server ended and what it printed last. */
  diagnosis?: string;
}

async function runHookbox(label: string, notify: boolean, settings: LoadSettings): Promise<HookboxRun> {
  const root = makeTempDir('ingest');
  const server = await startHookboxServe(root, {
    // The body is both a failure and long-running (45 s > 30 s): both rules must be off for none.
    env: notify ? {} : { AGENTD_NOTIFY_ON_FAILURE: 'false', AGENTD_NOTIFY_ON_LONG_RUNNING: 'false' },
    // Above the default retention (1,000,000) the oldest events are pruned and the count could not
    // prove that every acknowledged event was stored.
    configToml: `[history]\nretention = ${RETENTION}\n`,
  });
  try {
    const load = await loadServer(server.url, settings);
    const exited = server.child.exitCode ?? server.child.signalCode;
    let diagnosis: string | undefined;
    if (exited !== null || load.errors > 0 || load.non2xx > 0) {
      const how = exited !== null ? `server exited (${exited}) during the load; ` : '';
      diagnosis = `${how}its last output:\n${server.output().slice(-1_500)}`;
    }
    const durability = await checkDurability(server, root, load);
    return { label, notify, load, durability, diagnosis };
  } finally {
    await server.stop('SIGKILL');
  }
}

async function runBare(settings: LoadSettings): Promise<LoadResult> {
  const server = await startBareFastify(makeTempDir('bare'));
  try {
    return await loadServer(server.url, settings);
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<BenchSection> {
  const settings = loadSettings();

  // Bare fastify is measured before and after hookbox and the ratio uses the mean: on a shared
  // machine a burst of other work during one run shows up as two different bare figures
  // instead of silently skewing the ratio.
  const bareBefore = await runBare(settings);
  // Notifications on is the realistic case (a failing command is what a user wants to hear
  // about) and the headline; off shows what the notification path costs.
  const runs = [
    await runHookbox('hookbox, notifications on', true, settings),
    await runHookbox('hookbox, notifications off', false, settings),
  ];
  const bareAfter = await runBare(settings);
  const bareRps = (bareBefore.requestsPerSecond + bareAfter.requestsPerSecond) / 2;

  const rows: BenchRow[] = [
    info(
      'bare fastify: throughput (before / after)',
      `${fmt.rps(bareBefore.requestsPerSecond)} / ${fmt.rps(bareAfter.requestsPerSecond)}`,
    ),
    info(
      'bare fastify: p99 latency (before / after)',
      `${fmt.latency(bareBefore.p99Ms)} / ${fmt.latency(bareAfter.p99Ms)}`,
    ),
  ];
  const failures = [
    ...loadFailures('bare fastify (before)', bareBefore),
    ...loadFailures('bare fastify (after)', bareAfter),
  ];
  for (const r of runs) {
    rows.push(
      info(`${r.label}: throughput`, fmt.rps(r.load.requestsPerSecond)),
      info(`${r.label}: p99 latency`, fmt.latency(r.load.p99Ms)),
      judged(`${r.label}: ratio to bare`, r.load.requestsPerSecond / bareRps, fmt.ratio, { min: RATIO_TARGET }),
      {
        metric: `${r.label}: events in database / acknowledged (2xx)`,
        value: `${fmt.count(r.durability.eventRows)} / ${fmt.count(r.durability.acknowledged)}`,
        target: 'all',
        verdict: r.durability.ok ? 'ok' : 'failed',
      },
    );
    if (r.notify)
      rows.push(
        info(
          `${r.label}: notifications recorded at kill`,
          `${fmt.count(r.durability.notificationRows)} / ${fmt.count(r.durability.eventRows)} events`,
        ),
      );
    failures.push(...loadFailures(r.label, r.load));
    if (r.diagnosis) failures.push(`${r.label}: ${r.diagnosis}`);
    if (!r.durability.ok) failures.push(`${r.label}: ${r.durability.detail}`);
    if (!r.notify && r.durability.notificationRows > 0)
      failures.push(
        `${r.label}: ${r.durability.notificationRows} notifications were recorded; the run did not measure what it says`,
      );
  }

  const headline = runs[0]!;
  const markdown = [
    '## Durable ingest: POST /events against bare fastify',
    '',
    `wrk (one thread, the Debian package; a Lua script sets the POST body), ${settings.connections} connections, one request at a time each, a ${settings.warmUpSeconds} s warm-up then ` +
      `${settings.seconds} s measured per server, one server at a time, all on 127.0.0.1 in one run: bare fastify, hookbox with notifications on, ` +
      'hookbox with notifications off, bare fastify again. Ratios are against the mean of the two bare runs. Each server is its own Node process; ' +
      "wrk shares the machine's 2 cores with it, equally for every server (wrk, written in C, takes far less of them than a Node load generator would).",
    '',
    '- **bare fastify**: `bench/peers/bare-fastify.mjs`, fastify 5 with one POST route answering `{ok:true}` (no logger, no schema, no storage).',
    '- **hookbox**: the real `hookbox serve --port 0 --data-dir <temp>` (the single-file bundle `out/cli/hookbox.mjs` that bin/hookbox runs) with default settings except `history.retention` raised to ' +
      `${fmt.count(RETENTION)} in a \`--config\` file (so no event is pruned before it is counted): schema validation, the loopback guard, ` +
      "and an answer only once the event is committed to SQLite and the write-ahead log fdatasynced (WAL, group commit; the sync runs on libuv's thread pool, off the event loop). Logs are the default `text` format; " +
      'notifications go to the log notifier (no desktop session).',
    '- **notifications on** (the realistic case, the headline): the body is a failed `cargo build` (exit 1), so every event raises a ' +
      'failure notification that is recorded in the `notifications` table after the response and delivered to the log notifier, which ' +
      'writes the first 20 of each second as lines and the rest of that second as one summary line. **Notifications off**: the ' +
      'same with `AGENTD_NOTIFY_ON_FAILURE=false AGENTD_NOTIFY_ON_LONG_RUNNING=false` (the body is also long-running: 45 s > 30 s).',
    `- Body (${Buffer.byteLength(EVENT_BODY)} bytes): \`{"kind":"shell","command":"cargo build","exit_code":1,"duration_ms":45000,"output":"<rustc error, 11 lines>","metadata":{"cwd":…,"shell":"zsh"}}\``,
    '- Durability check: after the load the server is killed with SIGKILL (no flush on exit) and the `events` rows are counted with a ' +
      'read-only connection. Every 2xx (warm-up included) must be there; a few extra rows are requests committed while wrk was stopping.',
    '',
    markdownTable(rows),
    '',
    `p50 / max latency: bare ${fmt.latency(bareBefore.p50Ms)} / ${fmt.latency(bareBefore.maxMs)}; ` +
      runs.map((r) => `${r.label} ${fmt.latency(r.load.p50Ms)} / ${fmt.latency(r.load.maxMs)}`).join('; ') +
      '.',
    '',
    `Headline: hookbox sustains **${fmt.ratio(headline.load.requestsPerSecond / bareRps)}** of bare fastify's throughput when every event is a failure ` +
      `that raises and records a notification, **${fmt.ratio(runs[1]!.load.requestsPerSecond / bareRps)}** with notifications off ` +
      `(target ≥ ${fmt.ratio(RATIO_TARGET)}), ${runs.every((r) => r.durability.ok) ? 'with every acknowledged event on disk' : 'but a durability check FAILED (see the rows above)'}. ` +
      "Bare fastify's own figure moves by 10–20% between runs on this shared machine (compare its before / after), and the ratios with it.",
  ].join('\n');

  return { title: 'Durable ingest (POST /events) vs bare fastify', rows, failures, markdown };
}
