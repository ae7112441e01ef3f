// What a PreToolUse decision adds to every tool call of a coding agent: `hookbox agent-hook
// claude` as a command (the hub up: the chain runs in the hub and the call is recorded; the hub
// down: the chain runs in the command), and Claude Code's http form (POST /agents/claude/hook to
// the hub, no process). The command forms are compared with a bare `node -e ''` started the same
// way in the same run: a process start is the floor any command hook pays.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fmt, info, judged, median, type BenchRow, type BenchSection } from '../lib/section.ts';
import { AGENT_HOOK_FILE } from '../../scripts/build-cli.ts';
import {
  ensureCliBundle,
  HOOKBOX_BUNDLE,
  httpRequest,
  isolatedEnv,
  makeTempDir,
  startHookboxServe,
} from '../lib/server-process.ts';

const COMMAND_RUNS = 80;
/** Node, its net module and one round trip to the hub: the floor of the hub-up command form. */
const MINIMAL_CLIENT = join(import.meta.dirname, '../peers/minimal-hook-client.cjs');
const HTTP_RUNS = 1_000;
const CONFIG = '[[lifecycle."pre-tool-call"]]\nname = "safety-check"\nbuiltin = "safety-guard"\n';
const INPUT = JSON.stringify({
  session_id: 'bench',
  transcript_path: '/tmp/bench.jsonl',
  cwd: '/tmp',
  permission_mode: 'default',
  hook_event_name: 'PreToolUse',
  tool_name: 'Bash',
  tool_input: { command: 'npm test -- --watch=false', description: 'Run the tests' },
  tool_use_id: 'toolu_bench',
});

function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

/** Spawn → exit, with `input` on stdin; the exit code and stdout for the checks. */
function timedRun(
  args: string[],
  env: NodeJS.ProcessEnv,
  input: string,
): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function run(): Promise<BenchSection> {
  await ensureCliBundle();
  const root = makeTempDir('agent-hook');
  const server = await startHookboxServe(root, { configToml: CONFIG });
  const failures: string[] = [];
  const bare: number[] = [];
  const floor: number[] = [];
  const up: number[] = [];
  const down: number[] = [];
  const http: number[] = [];
  try {
    const config = join(root, 'bench-config.toml');
    writeFileSync(config, CONFIG);
    const env = isolatedEnv(root);
    // What `hookbox agents install` writes for a hook: Node running the hook's own bundle.
    const hookBundle = join(dirname(HOOKBOX_BUNDLE), AGENT_HOOK_FILE);
    const hookArgs = (port: number) => [
      hookBundle,
      '--config',
      config,
      '--data-dir',
      join(root, 'hookbox'),
      'agent-hook',
      'claude',
      '--port',
      String(port),
    ];
    const downPort = await closedPort();
    const floorArgs = [MINIMAL_CLIENT, String(server.port), join(root, 'hookbox', 'control-token')];
    const check = (label: string, r: { code: number | null; stdout: string; stderr: string }, quiet: boolean) => {
      if (r.code !== 0 || r.stdout !== '' || (quiet && r.stderr !== ''))
        failures.push(
          `${label}: exit ${r.code}, stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`,
        );
    };
    // One untimed run of each (file cache), then the three take turns run after run.
    await timedRun(['-e', ''], env, '');
    check('command, hub up', await timedRun(hookArgs(server.port), env, INPUT), true);
    check('minimal client', await timedRun(floorArgs, env, INPUT), true);
    check('command, hub down', await timedRun(hookArgs(downPort), env, INPUT), false);
    for (let i = 0; i < COMMAND_RUNS; i++) {
      bare.push((await timedRun(['-e', ''], env, '')).ms);
      floor.push((await timedRun(floorArgs, env, INPUT)).ms);
      const u = await timedRun(hookArgs(server.port), env, INPUT);
      check('command, hub up', u, true);
      up.push(u.ms);
      const d = await timedRun(hookArgs(downPort), env, INPUT);
      check('command, hub down', d, false);
      down.push(d.ms);
    }

    const token = readFileSync(join(root, 'hookbox', 'control-token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}` };
    const url = `${server.url}/agents/claude/hook`;
    for (let i = 0; i < 50; i++) await httpRequest(url, 'POST', INPUT, { headers });
    for (let i = 0; i < HTTP_RUNS; i++) {
      const started = performance.now();
      const res = await httpRequest(url, 'POST', INPUT, { headers });
      http.push(performance.now() - started);
      if (res.status !== 200 || res.body !== '{}') {
        failures.push(`http form: ${res.status} ${res.body.slice(0, 200)}`);
        break;
      }
    }
    const denied = await httpRequest(url, 'POST', INPUT.replace('npm test -- --watch=false', 'rm -rf /'), { headers });
    if (!denied.body.includes('"permissionDecision":"deny"'))
      failures.push(`http form did not deny rm -rf /: ${denied.body.slice(0, 200)}`);
  } finally {
    await server.stop();
  }

  const bareMedian = median(bare);
  const rows: BenchRow[] = [
    info(`bare node -e '' (median / p99)`, `${fmt.ms(bareMedian)} / ${fmt.ms(p99(bare))}`),
    judged('command form, hub up: median vs bare node', median(up) / bareMedian, fmt.ratio, { max: 1.5 }),
    info('floor: a minimal client asking the hub, vs bare node', fmt.ratio(median(floor) / bareMedian)),
    info('command form, hub up: median vs that minimal client', fmt.ratio(median(up) / median(floor))),
    info('command form, hub up (median / p99)', `${fmt.ms(median(up))} / ${fmt.ms(p99(up))}`),
    judged('command form, hub down: median vs bare node', median(down) / bareMedian, fmt.ratio, { max: 1.5 }),
    info('command form, hub down (median / p99)', `${fmt.ms(median(down))} / ${fmt.ms(p99(down))}`),
    judged('http form: median', median(http), fmt.ms, { max: 2 }),
    info('http form: p99', fmt.ms(p99(http))),
  ];
  const markdown = [
    '## Coding agents: PreToolUse decision latency',
    '',
    `What Hookbox adds to each tool call of a coding agent: Claude Code's PreToolUse for \`npm test\` (allowed by the safety guard). ` +
      `**Command form**: \`node out/cli/agent-hook.cjs agent-hook claude\` (what \`hookbox agents install\` writes into the agent's config) spawned with the hook JSON on stdin until it exits, ${COMMAND_RUNS} ` +
      "runs taking turns with a bare `node -e ''` (the floor of any command hook) and a minimal client that only asks the hub " +
      '(`bench/peers/minimal-hook-client.cjs`: Node, its net module, one round trip; the floor of the hub-up form) — with the hub up (the chain runs in the hub and ' +
      'the call is recorded) and down (the chain runs in the command from the config). **http form**: Claude Code\'s `type: "http"` ' +
      `hook, POST /agents/claude/hook on a fresh connection each time, ${HTTP_RUNS} requests after 50 untimed. Targets: command form ` +
      'within 1.5× of the bare node start, http form under 2 ms median.',
    '',
    '| Form | Median | p99 | vs bare node |',
    '|---|--:|--:|--:|',
    `| bare \`node -e ''\` | ${fmt.ms(bareMedian)} | ${fmt.ms(p99(bare))} | 1.00× |`,
    `| minimal client asking the hub (floor) | ${fmt.ms(median(floor))} | ${fmt.ms(p99(floor))} | ${fmt.ratio(median(floor) / bareMedian)} |`,
    `| command, hub up | ${fmt.ms(median(up))} | ${fmt.ms(p99(up))} | ${fmt.ratio(median(up) / bareMedian)} |`,
    `| command, hub down | ${fmt.ms(median(down))} | ${fmt.ms(p99(down))} | ${fmt.ratio(median(down) / bareMedian)} |`,
    `| http | ${fmt.ms(median(http))} | ${fmt.ms(p99(http))} | |`,
  ].join('\n');
  return { title: 'Coding agents: PreToolUse decision latency', rows, failures, markdown };
}
