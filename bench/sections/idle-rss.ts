// Idle memory: `hookbox serve` after a few requests and a few seconds of quiet, resident set
// size from /proc/PID/status. Run as users run it (bin/hookbox: the single-file bundle) and from
// the TypeScript sources for comparison; a bare fastify and a bare node:http server get the same
// treatment for scale: they are what the required stack (Node 24, fastify) costs before any of
// Hookbox's own code.
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_BODY } from '../lib/event-body.ts';
import { fmt, info, judged, markdownTable, type BenchRow, type BenchSection } from '../lib/section.ts';
import {
  httpRequest,
  makeTempDir,
  residentKilobytes,
  startBareFastify,
  startBareNodeHttp,
  startHookboxServe,
  type ServerProcess,
} from '../lib/server-process.ts';

const TARGET_KB = 70 * 1024;
// Idle means after the hub's idle trim (main/core/util/idle-memory.ts: one memory-reducing
// collection 5–10 s after the last request), as a hub sitting between shell prompts is.
const SETTLE_MS = 12_000;

interface Resident {
  rss: number;
  peak: number;
  anon: number;
  file: number;
  failures: string[];
}

async function idleResident(start: (root: string) => Promise<ServerProcess>): Promise<Resident> {
  const server = await start(makeTempDir('rss'));
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await httpRequest(`${server.url}/events`, 'POST', EVENT_BODY)).status);
    statuses.push((await httpRequest(`${server.url}/health`)).status);
    await sleep(SETTLE_MS);
    const failures = statuses.some((s) => s !== 200)
      ? [`${server.name}: warm-up requests answered ${statuses.join(', ')}`]
      : [];
    const [rss, peak, anon, file] = await Promise.all(
      (['VmRSS', 'VmHWM', 'RssAnon', 'RssFile'] as const).map((f) => residentKilobytes(server.pid, f)),
    );
    return { rss: rss!, peak: peak!, anon: anon!, file: file!, failures };
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<BenchSection> {
  const hookbox = await idleResident((root) => startHookboxServe(root));
  const source = await idleResident((root) => startHookboxServe(root, { from: 'source' }));
  const bare = await idleResident(startBareFastify);
  const nodeHttp = await idleResident(startBareNodeHttp);
  const split = (r: Resident) => `${fmt.mb(r.anon)} / ${fmt.mb(r.file)}`;
  const rows: BenchRow[] = [
    judged('hookbox serve, idle RSS (VmRSS)', hookbox.rss, fmt.mb, { max: TARGET_KB }),
    info('hookbox serve, of which anonymous / file-backed', split(hookbox)),
    info('hookbox serve, peak RSS so far (VmHWM)', fmt.mb(hookbox.peak)),
    info('from the TypeScript sources, idle RSS (VmRSS)', fmt.mb(source.rss)),
    info('from the TypeScript sources, of which anonymous / file-backed', split(source)),
    info('bare fastify, idle RSS (VmRSS)', fmt.mb(bare.rss)),
    info('bare fastify, of which anonymous / file-backed', split(bare)),
    info('bare node:http, idle RSS (VmRSS)', fmt.mb(nodeHttp.rss)),
    info('bare node:http, of which anonymous / file-backed', split(nodeHttp)),
  ];
  // Said in words when it happens: then no amount of work on Hookbox's own code meets the target.
  const floor =
    bare.rss > TARGET_KB
      ? ` In this run bare fastify alone idled at ${fmt.mb(bare.rss)}, above the ${fmt.mb(TARGET_KB)} target, so the target cannot be met with fastify on Node 24 (both required); Hookbox's own code, SQLite included, costs the difference between its row and bare fastify's.`
      : '';
  const markdown = [
    '## Idle memory of `hookbox serve`',
    '',
    `\`hookbox serve\` with a fresh data dir answers 5 POST /events (failed \`cargo build\`, so 5 notifications) and one GET /health, ` +
      `then sits idle for ${SETTLE_MS / 1000} s (after 5–10 s of quiet the hub runs one memory-reducing garbage collection; before it, VmRSS is about 10 MB higher); VmRSS is read from /proc/PID/status (MB = 1024 × 1024 bytes). It runs as users run it, ` +
      '`node out/cli/hookbox.mjs serve` (the single-file bundle bin/hookbox execs); **from the TypeScript sources** is ' +
      '`node main/cli/hookbox.ts serve`, the same requests. Bare fastify (`bench/peers/bare-fastify.mjs`) and bare node:http (`bench/peers/bare-node-http.mjs`, no framework) get the same requests; both are plain JavaScript, so Node loads no TypeScript stripper for them. ' +
      "VmRSS = RssAnon (the process's own heap, code and stacks) + RssFile (mapped files, mostly pages of the node binary, shared " +
      'with every other Node process on the machine; how many of them count depends on what the page cache holds, so RssFile moves ' +
      `by a few MB from run to run with other work on the machine, RssAnon does not).${floor}`,
    '',
    markdownTable(rows),
  ].join('\n');
  return {
    title: 'Idle memory (RSS)',
    rows,
    failures: [...hookbox.failures, ...source.failures, ...bare.failures, ...nodeHttp.failures],
    markdown,
  };
}
