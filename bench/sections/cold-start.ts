// Cold start: from spawning `hookbox serve --port 0` to the first 200 from GET /health, each run
// with a fresh data dir (so it includes creating the database and running the migrations: a
// first launch, the slowest case). Measured as users run it (bin/hookbox, which runs the
// single-file bundle) and, interleaved run for run so both see the same machine, from the
// TypeScript sources. Node's own start-up and a bare fastify are timed the same way for context.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fmt, info, judged, markdownTable, median, type BenchRow, type BenchSection } from '../lib/section.ts';
import {
  ensureCliBundle,
  httpRequest,
  makeTempDir,
  startBareFastify,
  startHookboxServe,
  type ServerProcess,
} from '../lib/server-process.ts';

const RUNS = 10;
const CONTEXT_RUNS = 5;
const TARGET_MS = 300;

/** Milliseconds from spawn to the first 200 from /health. */
async function timeToHealthy(start: (root: string) => Promise<ServerProcess>): Promise<number> {
  const root = makeTempDir('cold');
  const server = await start(root);
  try {
    for (;;) {
      const res = await httpRequest(`${server.url}/health`).catch(() => undefined);
      if (res?.status === 200) return performance.now() - server.spawnedAt;
      if (performance.now() - server.spawnedAt > 10_000)
        throw new Error(`${server.name}: /health never answered 200:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await server.stop();
  }
}

async function timeEmptyNode(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return performance.now() - started;
}

async function repeat(times: number, measure: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await measure());
  return samples;
}

const fromBundle = (root: string) => startHookboxServe(root);
const fromSource = (root: string) => startHookboxServe(root, { from: 'source' });

export async function run(): Promise<BenchSection> {
  await ensureCliBundle();
  // One untimed start of each first: the OS file cache then holds node_modules, as it would on
  // a machine where Hookbox starts at login after anything else ran.
  await timeToHealthy(fromBundle);
  await timeToHealthy(fromSource);
  const hookbox: number[] = [];
  const source: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    hookbox.push(await timeToHealthy(fromBundle));
    source.push(await timeToHealthy(fromSource));
  }
  const bare = await repeat(CONTEXT_RUNS, () => timeToHealthy(startBareFastify));
  const node = await repeat(CONTEXT_RUNS, timeEmptyNode);

  const rows: BenchRow[] = [
    judged(`hookbox serve → 200 /health, median of ${RUNS}`, median(hookbox), fmt.ms, { max: TARGET_MS }),
    judged(`hookbox serve → 200 /health, max of ${RUNS}`, Math.max(...hookbox), fmt.ms, { max: TARGET_MS }),
    info(
      `from the TypeScript sources (node main/cli/hookbox.ts) → 200 /health, median of ${RUNS}`,
      fmt.ms(median(source)),
    ),
    info(`bare fastify → 200 /health, median of ${CONTEXT_RUNS}`, fmt.ms(median(bare))),
    info(`node -e '' (start and exit), median of ${CONTEXT_RUNS}`, fmt.ms(median(node))),
  ];
  const markdown = [
    '## Cold start: `hookbox serve` to the first 200 from /health',
    '',
    'Time from spawning `node out/cli/hookbox.mjs serve --port 0 --data-dir <fresh temp dir>` until GET /health answers 200, polled ' +
      'every 2 ms once the address line appears. `out/cli/hookbox.mjs` is the single-file bundle of the CLI (`npm run build:cli`, ' +
      'unminified; the bench builds it first when it is missing or stale) that bin/hookbox (the `hookbox` command, `npm run serve`) ' +
      "execs while it is fresh (the launcher's own `sh`, `readlink` and `find` staleness check add about 6 ms). " +
      '**From the TypeScript sources**: `node main/cli/hookbox.ts serve …`, Node stripping the types of ' +
      `every file and loading each dependency from node_modules, what the launcher falls back to when the bundle is stale; its runs alternate ` +
      `with the bundle's so both see the same machine. ${RUNS} timed runs of each after one untimed start (warm file cache); every run ` +
      'creates its database and applies the migrations. Bare fastify and an empty Node process are timed the same way for scale.',
    '',
    markdownTable(rows),
    '',
    `Runs (ms), bundle: ${hookbox.map((v) => Math.round(v)).join(', ')}; sources: ${source.map((v) => Math.round(v)).join(', ')}.`,
  ].join('\n');
  return { title: 'Cold start (spawn → 200 /health)', rows, failures: [], markdown };
}
