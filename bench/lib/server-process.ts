import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request, type Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, DEFAULT_OUTFILE, isBundleFresh } from '../../scripts/build-cli.ts';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
/** What bin/hookbox (the `hookbox` command, `npm run serve`) runs while it is fresh. */
export const HOOKBOX_BUNDLE = DEFAULT_OUTFILE;
/** What it falls back to when the bundle is stale or missing. */
export const HOOKBOX_SOURCE = join(REPO_ROOT, 'main/cli/hookbox.ts');
export const BARE_FASTIFY = join(REPO_ROOT, 'bench/peers/bare-fastify.mjs');
export const BARE_NODE_HTTP = join(REPO_ROOT, 'bench/peers/bare-node-http.mjs');

let bundleReady: Promise<void> | undefined;

/**
 * Builds out/cli/hookbox.mjs when it is missing or older than the sources, once per bench run,
 * so the figures are for the code in the working tree. The bench then runs that file directly
 * (`node out/cli/hookbox.mjs`, as bin/hookbox execs it), not through bin/hookbox: a source
 * edited during the run would make the launcher switch to the sources halfway.
 */
export function ensureCliBundle(): Promise<void> {
  bundleReady ??= isBundleFresh() ? Promise.resolve() : buildCli().then(() => undefined);
  return bundleReady;
}

// Every child and temp dir the bench creates is registered here and removed when the bench
// process exits, whether the run finished, threw, or was interrupted.
const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function cleanUpEverything(): void {
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  liveChildren.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', cleanUpEverything);

/** A fresh directory under the system temp dir (or `parent`), removed when the bench ends. */
export function makeTempDir(label: string, parent = tmpdir()): string {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `hookbox-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

/**
 * The environment for a child: this machine's, minus anything that would make the run depend on
 * the user's setup (AGENTD_* / HOOKBOX_* settings, their config file, their desktop session:
 * without a session bus `hookbox serve` uses the log notifier).
 */
export function isolatedEnv(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AGENTD_|HOOKBOX_)/.test(key) || key === 'DBUS_SESSION_BUS_ADDRESS' || key === 'XDG_RUNTIME_DIR') continue;
    env[key] = value;
  }
  return { ...env, XDG_CONFIG_HOME: join(root, 'config'), XDG_DATA_HOME: join(root, 'data'), ...extra };
}

export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** performance.now() just before spawn and when the address line appeared. */
  readonly spawnedAt: number;
  readonly listeningAt: number;
  /** The last few KB of stdout+stderr, for error messages. */
  output(): string;
  /** SIGTERM (or the given signal), then SIGKILL after `graceMs`; resolves once it exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const OUTPUT_TAIL = 8_192;

/**
 * Spawns a server (`command` with `args`) and resolves once it printed "listening on
 * http://127.0.0.1:PORT". Output keeps being read (and dropped) so a busy logger never blocks on
 * a full pipe.
 */
export async function startServer(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
): Promise<ServerProcess> {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  const exited = once(child, 'exit').then(() => void liveChildren.delete(child));

  let tail = '';
  let port = 0;
  let listeningAt = 0;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${tail}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL);
      if (port !== 0) return;
      const match = LISTENING.exec(tail);
      if (match) {
        listeningAt = performance.now();
        port = Number(match[1]);
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before listening:\n${tail}`));
    });
  });

  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  return {
    name,
    child,
    pid: child.pid ?? 0,
    port,
    url: `http://127.0.0.1:${port}`,
    spawnedAt,
    listeningAt,
    output: () => tail,
    stop: async (signal = 'SIGTERM', graceMs = 5_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface HookboxServeOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to a config file passed with --config; without it no config file exists (defaults). */
  configToml?: string;
  /**
   * 'bundle' (the default): out/cli/hookbox.mjs, what users and `npm run serve` run, built first
   * when needed; 'source': `node main/cli/hookbox.ts`, Node stripping the types (for comparison).
   */
  from?: 'bundle' | 'source';
}

/** The real `hookbox serve` on a free port with its data under `root`. */
export async function startHookboxServe(root: string, options: HookboxServeOptions = {}): Promise<ServerProcess> {
  const args = ['serve', '--port', '0', '--data-dir', join(root, 'hookbox')];
  if (options.configToml !== undefined) {
    const file = join(root, 'bench-config.toml');
    writeFileSync(file, options.configToml);
    args.push('--config', file);
  }
  const env = isolatedEnv(root, options.env);
  if (options.from === 'source')
    return startServer('hookbox serve (sources)', process.execPath, [HOOKBOX_SOURCE, ...args], env);
  await ensureCliBundle();
  return startServer('hookbox serve', process.execPath, [HOOKBOX_BUNDLE, ...args], env);
}

export function startBareFastify(root: string): Promise<ServerProcess> {
  return startServer('bare fastify', process.execPath, [BARE_FASTIFY], isolatedEnv(root));
}

export function startBareNodeHttp(root: string): Promise<ServerProcess> {
  return startServer('bare node:http', process.execPath, [BARE_NODE_HTTP], isolatedEnv(root));
}

export function hookboxDatabase(root: string): string {
  return join(root, 'hookbox', 'hookbox.db');
}

/**
 * One HTTP request, by default without keep-alive (each call a fresh connection, like a hook
 * would make); a body is sent as JSON unless `headers` say otherwise.
 */
export function httpRequest(
  url: string,
  method = 'GET',
  body?: string,
  options: { agent?: Agent | false; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const headers = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: options.agent ?? false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU time (user + system) a live process has used so far, in ms (Linux; 10 ms resolution). */
export async function cpuMilliseconds(pid: number): Promise<number> {
  // The fields after the command name, which is in parentheses and may contain spaces.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * Memory of a live process in kB, from /proc (Linux): VmRSS (resident), VmHWM (peak resident),
 * RssAnon (its own heap and stacks) and RssFile (mapped files: mostly the node binary's pages,
 * shared with every other Node process).
 */
export async function residentKilobytes(
  pid: number,
  field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile' = 'VmRSS',
): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}
