// How `hookbox serve` starts, idles and spends CPU per request when run from the TypeScript
// sources, from the single-file bundle bin/hookbox runs, and from variants of that bundle:
// minified, with V8's young generation capped (--max-semi-space-size=1), with Node's compile
// cache. The choices in scripts/build-cli.ts and bin/hookbox rest on these figures. Every
// variant is started in turn, run after run, so all of them see the same machine.
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildCli } from '../../scripts/build-cli.ts';
import { EVENT_BODY } from '../lib/event-body.ts';
import { fmt, info, median, type BenchRow, type BenchSection } from '../lib/section.ts';
import {
  cpuMilliseconds,
  ensureCliBundle,
  HOOKBOX_BUNDLE,
  HOOKBOX_SOURCE,
  httpRequest,
  isolatedEnv,
  makeTempDir,
  REPO_ROOT,
  residentKilobytes,
  startServer,
  type ServerProcess,
} from '../lib/server-process.ts';

const START_RUNS = 8;
const IDLE_MS = 3_000;
const LOAD = { connections: 50, warmUpSeconds: 2, seconds: 5 };

interface Variant {
  label: string;
  /** How it is run, for the table. */
  command: string;
  nodeArgs: string[];
  script: string;
  env?: NodeJS.ProcessEnv;
  /** Whether to load it (CPU per request); start-up and idle memory are measured for all. */
  load: boolean;
}

interface Figures {
  startMs: number[];
  startCpuMs: number[];
  idleRssKb?: number;
  idleAnonKb?: number;
  cpuPerRequestUs?: number;
  requestsPerSecond?: number;
  failures: string[];
}

function serve(variant: Variant, root: string): Promise<ServerProcess> {
  const args = [...variant.nodeArgs, variant.script, 'serve', '--port', '0', '--data-dir', join(root, 'hookbox')];
  return startServer(`hookbox serve (${variant.label})`, process.execPath, args, isolatedEnv(root, variant.env));
}

/** Spawn → first 200 from /health, and the CPU the server had used by then. */
async function startOnce(variant: Variant): Promise<{ ms: number; cpuMs: number }> {
  const server = await serve(variant, makeTempDir('startup'));
  try {
    for (;;) {
      const res = await httpRequest(`${server.url}/health`).catch(() => undefined);
      if (res?.status === 200)
        return { ms: performance.now() - server.spawnedAt, cpuMs: await cpuMilliseconds(server.pid) };
      if (performance.now() - server.spawnedAt > 10_000)
        throw new Error(`${server.name}: /health never answered 200:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await server.stop();
  }
}

/** The idle-rss section's routine: 5 events (5 notifications), /health, then quiet. */
async function idleMemory(variant: Variant, figures: Figures): Promise<void> {
  const server = await serve(variant, makeTempDir('startup-idle'));
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await httpRequest(`${server.url}/events`, 'POST', EVENT_BODY)).status);
    statuses.push((await httpRequest(`${server.url}/health`)).status);
    if (statuses.some((s) => s !== 200))
      figures.failures.push(`${server.name}: requests answered ${statuses.join(', ')}`);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    figures.idleRssKb = await residentKilobytes(server.pid, 'VmRSS');
    figures.idleAnonKb = await residentKilobytes(server.pid, 'RssAnon');
  } finally {
    await server.stop();
  }
}

/** POST /events under load (notifications on): the server's CPU time per acknowledged event. */
async function cpuPerRequest(variant: Variant, figures: Figures): Promise<void> {
  const server = await serve(variant, makeTempDir('startup-load'));
  const cannon = (seconds: number) =>
    autocannon({
      url: `${server.url}/events`,
      connections: LOAD.connections,
      duration: seconds,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: EVENT_BODY,
    });
  try {
    await cannon(LOAD.warmUpSeconds);
    const before = await cpuMilliseconds(server.pid);
    const result = await cannon(LOAD.seconds);
    const used = (await cpuMilliseconds(server.pid)) - before;
    if (result.errors > 0 || result.non2xx > 0)
      figures.failures.push(`${server.name}: ${result.errors} errors, ${result.non2xx} non-2xx under load`);
    figures.cpuPerRequestUs = (used * 1000) / result['2xx'];
    figures.requestsPerSecond = result.requests.average;
  } finally {
    await server.stop('SIGKILL');
  }
}

async function timedBuild(outfile: string, minify: boolean): Promise<number> {
  const started = performance.now();
  await buildCli({ outfile, minify });
  return performance.now() - started;
}

export async function run(): Promise<BenchSection> {
  await ensureCliBundle();
  // The minified bundle goes inside the repository (.tmp/ is ignored by git), at the same depth
  // as out/cli/, so better-sqlite3 resolves from node_modules.
  const scratch = makeTempDir('startup-build', join(REPO_ROOT, '.tmp'));
  const buildMs = await timedBuild(join(scratch, 'plain/out/cli/hookbox.mjs'), false);
  const minified = join(scratch, 'minified/out/cli/hookbox.mjs');
  const minifiedBuildMs = await timedBuild(minified, true);
  const compileCache = makeTempDir('startup-compile-cache');

  const variants: Variant[] = [
    { label: 'sources', command: 'node main/cli/hookbox.ts', nodeArgs: [], script: HOOKBOX_SOURCE, load: true },
    { label: 'bundle', command: 'node out/cli/hookbox.mjs', nodeArgs: [], script: HOOKBOX_BUNDLE, load: true },
    {
      label: 'bundle, minified',
      command: 'built with scripts/build-cli.ts --minify',
      nodeArgs: [],
      script: minified,
      load: false,
    },
    {
      label: 'bundle, --max-semi-space-size=1',
      command: 'node --max-semi-space-size=1 out/cli/hookbox.mjs',
      nodeArgs: ['--max-semi-space-size=1'],
      script: HOOKBOX_BUNDLE,
      load: true,
    },
    {
      label: 'bundle, compile cache',
      command: 'NODE_COMPILE_CACHE=<dir> node out/cli/hookbox.mjs',
      nodeArgs: [],
      script: HOOKBOX_BUNDLE,
      env: { NODE_COMPILE_CACHE: compileCache },
      load: false,
    },
  ];
  const figures = new Map<Variant, Figures>(variants.map((v) => [v, { startMs: [], startCpuMs: [], failures: [] }]));

  // One untimed start each: warm file cache, and the compile cache written.
  for (const v of variants) await startOnce(v);
  for (let i = 0; i < START_RUNS; i++) {
    for (const v of variants) {
      const { ms, cpuMs } = await startOnce(v);
      figures.get(v)!.startMs.push(ms);
      figures.get(v)!.startCpuMs.push(cpuMs);
    }
  }
  for (const v of variants) await idleMemory(v, figures.get(v)!);
  for (const v of variants.filter((x) => x.load)) await cpuPerRequest(v, figures.get(v)!);

  const rows: BenchRow[] = [];
  const table = [
    '| Run as | Start → 200 /health (median) | CPU used by then (median) | Idle RSS (VmRSS) | of which anonymous | Server CPU per event under load | Throughput |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const v of variants) {
    const f = figures.get(v)!;
    const start = fmt.ms(median(f.startMs));
    const cpu = fmt.ms(median(f.startCpuMs));
    const rss = f.idleRssKb === undefined ? '' : fmt.mb(f.idleRssKb);
    const anon = f.idleAnonKb === undefined ? '' : fmt.mb(f.idleAnonKb);
    const perEvent = f.cpuPerRequestUs === undefined ? '' : `${Math.round(f.cpuPerRequestUs)} µs`;
    const rps = f.requestsPerSecond === undefined ? '' : fmt.rps(f.requestsPerSecond);
    table.push(`| **${v.label}**: \`${v.command}\` | ${start} | ${cpu} | ${rss} | ${anon} | ${perEvent} | ${rps} |`);
    rows.push(
      info(`${v.label}: start / CPU by then`, `${start} / ${cpu}`),
      info(`${v.label}: idle RSS (anonymous)`, `${rss} (${anon})`),
    );
    if (f.cpuPerRequestUs !== undefined)
      rows.push(info(`${v.label}: CPU per event / throughput`, `${perEvent} / ${rps}`));
  }
  rows.push(info('build time: bundle / minified', `${fmt.ms(buildMs)} / ${fmt.ms(minifiedBuildMs)}`));

  const markdown = [
    '## Start-up options for the `hookbox` command',
    '',
    '`hookbox serve --port 0 --data-dir <fresh temp dir>` run five ways (below). **Start**: spawn to the first 200 from /health, median ' +
      `of ${START_RUNS} runs after one untimed start of each, the variants taking turns run after run; **CPU used by then**: user + system ` +
      'time of the server process at that moment (/proc, 10 ms resolution), less disturbed than wall time by other work on the machine. ' +
      `**Idle RSS**: as in the idle-memory section (5 POST /events, GET /health, ${IDLE_MS / 1000} s quiet), one run each. ` +
      `**Server CPU per event**: ${LOAD.connections} connections POST /events (a failed \`cargo build\`, so notifications on) for ` +
      `${LOAD.seconds} s after a ${LOAD.warmUpSeconds} s warm-up; the server's CPU time over the measured run divided by the events it ` +
      'acknowledged. Throughput shares 2 cores with autocannon and moves with other work on the machine; the CPU per event much less.',
    '',
    table.join('\n'),
    '',
    `Build time (\`scripts/build-cli.ts\`, rolldown): ${fmt.ms(buildMs)}, minified ${fmt.ms(minifiedBuildMs)}.`,
    '',
    '- **sources**: Node 24 strips the types of each file of main/ and loads every dependency file by file; what bin/hookbox ' +
      'falls back to when the bundle is stale.',
    '- **bundle**: what bin/hookbox and `npm run serve` run: main/cli/hookbox.ts and its dependencies in one ESM file (better-sqlite3 ' +
      'stays in node_modules), without comments and with non-ASCII characters escaped (V8 keeps the source of a script in memory, ' +
      'at one byte per character only when all are ASCII; raw template text cannot be escaped, and `npm run build:cli` warns about ' +
      'any left), node:http, node:process, node:fs and node:util taken with require() so Node does not run their lazy exports ' +
      "(node:http's load undici) as it does for an `import`.",
    '- **minified**: less source to parse and keep, for a gain within the noise of these runs; not the default, because stack ' +
      'traces in logs then name functions `e`, `t`… on lines thousands of characters long.',
    "- **--max-semi-space-size=1**: caps V8's young generation at 1 MB (by default it grows to 16 MB during start-up and stays " +
      'there): a few MB less idle, but more CPU per event under load (more frequent scavenges) and a slower start. Not used.',
    '- **compile cache**: Node 24 caches the compiled bundle on disk (`NODE_COMPILE_CACHE` or `module.enableCompileCache()`); the ' +
      'untimed first start writes it. Not used: it must be enabled before the bundle is compiled (an environment variable that ' +
      'hook scripts would inherit, or a second entry file).',
  ].join('\n');
  const failures = variants.flatMap((v) => figures.get(v)!.failures);
  return { title: 'Start-up options (sources, bundle, variants)', rows, failures, markdown };
}
