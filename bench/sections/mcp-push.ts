// POST to a webhook hook → Claude Code channel event: the real `hookbox serve` with two hooks
// running the same script, and the real `hookbox mcp` (the bundle) spoken to over its stdin and
// stdout as an agent does. Timed from the start of each POST until the client has read the
// `notifications/claude/channel` line; beside it, in the same run, the same POST timed to a
// consumer parked on the long poll (what webhook-throughput measures), which is the floor: the
// MCP server consumes through that very long poll, then writes the line.
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measurePostToInbox, percentile } from '../lib/inbox-latency.ts';
import { fmt, info, judged, markdownTable, median, type BenchRow, type BenchSection } from '../lib/section.ts';
import {
  ensureCliBundle,
  HOOKBOX_BUNDLE,
  httpRequest,
  isolatedEnv,
  makeTempDir,
  startHookboxServe,
  type ServerProcess,
} from '../lib/server-process.ts';

const POSTS = Number(process.env.BENCH_LATENCY_POSTS ?? 200);
/** The target: a pushed message costs at most this much more than the long poll. */
const EXTRA_TARGET_MS = 2;
const SCRIPT = '#!/bin/bash\ncat > /dev/null\necho "deploy event received"\n';
const OUTPUT = 'deploy event received';
const body = (i: number) => JSON.stringify({ deploy_id: `dep_${i}`, environment: 'production', status: 'completed' });

function hookPort(server: ServerProcess, name: string): number {
  const match = new RegExp(`hook ${name} listening on 127\\.0\\.0\\.1:(\\d+)`).exec(server.output());
  if (!match) throw new Error(`no listening line for hook ${name}:\n${server.output()}`);
  return Number(match[1]);
}

interface PushResult {
  samples: number[];
  wrong: string[];
}

/** `hookbox mcp --name push` initialized by hand; each POST timed until its channel line is read. */
async function measurePostToChannel(root: string, server: ServerProcess, hookUrl: string): Promise<PushResult> {
  const child = spawn(
    process.execPath,
    [
      HOOKBOX_BUNDLE,
      'mcp',
      '--name',
      'push',
      '--port',
      String(new URL(server.url).port),
      '--data-dir',
      join(root, 'hookbox'),
    ],
    {
      env: isolatedEnv(root),
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4096)));
  let buffered = '';
  const waiting: Array<(line: { at: number; message: Record<string, any> }) => void> = [];
  const lines: Array<{ at: number; message: Record<string, any> }> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    const at = performance.now();
    buffered += chunk.toString();
    for (let eol = buffered.indexOf('\n'); eol >= 0; eol = buffered.indexOf('\n')) {
      const line = { at, message: JSON.parse(buffered.slice(0, eol)) as Record<string, any> };
      buffered = buffered.slice(eol + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const nextLine = (timeoutMs = 30_000) =>
    new Promise<{ at: number; message: Record<string, any> }>((resolve, reject) => {
      const ready = lines.shift();
      if (ready) return resolve(ready);
      const timer = setTimeout(
        () => reject(new Error(`no line from hookbox mcp within ${timeoutMs} ms:\n${stderr}`)),
        timeoutMs,
      );
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
  const samples: number[] = [];
  const wrong: string[] = [];
  try {
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    });
    const initialized = await nextLine();
    if (initialized.message.result?.capabilities?.experimental?.['claude/channel'] === undefined)
      throw new Error(`no claude/channel capability: ${JSON.stringify(initialized.message)}`);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    // Warm-up: the server's long poll is open once the first message came through it.
    await httpRequest(hookUrl, 'POST', body(-1));
    await nextLine();
    for (let i = 0; i < POSTS; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const sent = performance.now();
      const answer = httpRequest(hookUrl, 'POST', body(i));
      const line = await nextLine();
      const hook = await answer;
      if (hook.status !== 200) wrong.push(`post ${i}: hook answered ${hook.status} ${hook.body}`);
      const { method, params } = line.message;
      if (method !== 'notifications/claude/channel' || params?.content !== OUTPUT || params?.meta?.hook !== 'push') {
        wrong.push(`post ${i}: read ${JSON.stringify(line.message).slice(0, 200)}`);
        continue;
      }
      samples.push(line.at - sent);
    }
  } finally {
    child.kill('SIGKILL');
  }
  return { samples, wrong };
}

export async function run(): Promise<BenchSection> {
  await ensureCliBundle();
  const root = makeTempDir('mcp-push');
  const script = join(root, 'hook.sh');
  writeFileSync(script, SCRIPT);
  chmodSync(script, 0o755);
  const hook = (name: string) =>
    `[[hooks]]\nname = "${name}"\nbind = "127.0.0.1:0"\nscript = "${script}"\nsession = "${name}"\n`;
  const server = await startHookboxServe(root, { configToml: `${hook('latency')}\n${hook('push')}` });
  let poll;
  let push;
  try {
    const token = readFileSync(join(root, 'hookbox', 'control-token'), 'utf8').trim();
    poll = await measurePostToInbox({
      api: server.url,
      hookUrl: `http://127.0.0.1:${hookPort(server, 'latency')}/`,
      token,
      session: 'latency',
      posts: POSTS,
      body,
      expected: OUTPUT,
    });
    push = await measurePostToChannel(root, server, `http://127.0.0.1:${hookPort(server, 'push')}/`);
  } finally {
    await server.stop('SIGTERM');
  }
  const pollMedian = median(poll.samples);
  const pushMedian = median(push.samples);
  const rows: BenchRow[] = [
    info(
      `POST → long-poll consumer: median / p99 (${poll.samples.length} posts)`,
      `${fmt.ms(pollMedian)} / ${fmt.ms(percentile(poll.samples, 99))}`,
    ),
    info(
      `POST → channel event read from hookbox mcp: median / p99 (${push.samples.length} posts)`,
      `${fmt.ms(pushMedian)} / ${fmt.ms(percentile(push.samples, 99))}`,
    ),
    judged('channel event − long poll, medians', pushMedian - pollMedian, fmt.ms, { max: EXTRA_TARGET_MS }),
  ];
  const failures = [...poll.wrong, ...push.wrong].slice(0, 5);
  const markdown = [
    '## Agents over MCP: POST → Claude Code channel event',
    '',
    `${POSTS} posts, one at a time (20 ms apart, a fresh connection each), to a \`[[hooks]]\` entry of the real \`hookbox serve\` (bundle) whose script ` +
      '(`cat > /dev/null; echo "deploy event received"`) answers with one line; the hook injects it into a session inbox. ' +
      '**Long poll**: a consumer parked on `GET /sessions/latency/next?wait=30` (keep-alive, control token), timed from the start of the POST to ' +
      'the consumer holding the claimed message (then acknowledged). **Channel**: the real `hookbox mcp --name push` (bundle) as a child process, ' +
      'initialized over its stdin as an agent does (no special client capabilities); timed from the start of the POST until the ' +
      '`notifications/claude/channel` line was read from its stdout. The MCP server consumes through the same long poll, writes the line, ' +
      'then acknowledges, so the difference is its own cost.',
    '',
    markdownTable(rows),
  ].join('\n');
  return { title: 'POST → channel event (hookbox mcp) beside POST → long poll', rows, failures, markdown };
}
