import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoadSettings {
  connections: number;
  warmUpSeconds: number;
  seconds: number;
  method: 'POST' | 'GET';
  path: string;
  body?: string;
  /** Extra request headers (the body is always sent as application/json). */
  headers?: Record<string, string>;
}

export interface LoadResult {
  /** Responses per second over the measured run. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** 2xx responses in the measured run. */
  ok: number;
  /** 2xx responses during the warm-up (they hit the server too, e.g. they are stored). */
  warmUpOk: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Requests that may have been in flight when either run stopped (at most one per connection). */
  maxInFlightAtStop: number;
}

// wrk, not autocannon: the load generator shares this 2-core machine with the server under test,
// and autocannon (Node) needs about as much CPU per request as a fast server does, so it capped
// the servers it measured; wrk (C, epoll) needs a fraction of that. A Lua script sets the request
// and prints wrk's summary as one JSON line at the end.
const WRK_SCRIPT = `
wrk.method = os.getenv("LOAD_METHOD")
local headers = os.getenv("LOAD_HEADERS")
if headers ~= nil and headers ~= "" then
  for line in string.gmatch(headers, "[^\\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end
local file = os.getenv("LOAD_BODY_FILE")
if file ~= nil and file ~= "" then
  local f = assert(io.open(file, "rb")); wrk.body = f:read("*a"); f:close()
  wrk.headers["Content-Type"] = "application/json"
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nLOAD_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;

interface WrkResult {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  /** Responses with a status of 400 or more. */
  status: number;
  timeout: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
}

let scriptDir: string | undefined;

async function wrk(url: string, settings: LoadSettings, seconds: number): Promise<WrkResult> {
  scriptDir ??= mkdtempSync(join(tmpdir(), 'hookbox-bench-wrk-'));
  const script = join(scriptDir, 'load.lua');
  writeFileSync(script, WRK_SCRIPT);
  const bodyFile = join(scriptDir, 'body');
  writeFileSync(bodyFile, settings.body ?? '');
  const args = [
    '-t1',
    `-c${settings.connections}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    new URL(settings.path, url).href,
  ];
  const child = spawn('wrk', args, {
    env: {
      ...process.env,
      LOAD_METHOD: settings.method,
      LOAD_BODY_FILE: settings.body === undefined ? '' : bodyFile,
      LOAD_HEADERS: Object.entries(settings.headers ?? {})
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const line = out.split('\n').find((l) => l.startsWith('LOAD_RESULT '));
  if (code !== 0 || !line) throw new Error(`wrk ${args.join(' ')} failed (status ${code}): ${out.trim().slice(-500)}`);
  return JSON.parse(line.slice('LOAD_RESULT '.length)) as WrkResult;
}

/** A warm-up (JIT, caches, SQLite pages) and then the measured run, with the same settings. */
export async function loadServer(url: string, settings: LoadSettings): Promise<LoadResult> {
  const warmUp = await wrk(url, settings, settings.warmUpSeconds);
  const run = await wrk(url, settings, settings.seconds);
  const errors = (r: WrkResult) => r.connect + r.read + r.write + r.timeout;
  return {
    requestsPerSecond: run.requests / (run.duration_us / 1e6),
    p50Ms: run.p50_us / 1000,
    p99Ms: run.p99_us / 1000,
    maxMs: run.max_us / 1000,
    ok: run.requests - run.status,
    warmUpOk: warmUp.requests - warmUp.status,
    non2xx: run.status + warmUp.status,
    errors: errors(run) + errors(warmUp),
    timeouts: run.timeout + warmUp.timeout,
    maxInFlightAtStop: 2 * settings.connections,
  };
}
