import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs a user's script with bounded time and output. This is the hot path of every webhook hook,
// so it uses child_process directly: in our measurements execa's stream plumbing cost about half
// the throughput of a plain spawn (bench/sections/webhook-throughput.ts).
//
// - The script gets its own process group, so a timeout kills everything it started (a
//   grandchild holding the pipes open would otherwise keep the request waiting): SIGTERM to the
//   group, SIGKILL after a grace period.
// - Its stdin is a private, already-unlinked temporary file holding the input rather than a pipe:
//   Node's pipes are Unix sockets, which scripts that open /dev/stdin (Node's
//   readFileSync('/dev/stdin'), `< /dev/stdin`) cannot open (ENXIO). A regular file works for
//   every reader and any size, and needs no concurrent writing.
// - stdout and stderr are read as they come and capped; past the cap the script is stopped.

export interface ScriptRequest {
  command: string;
  args?: readonly string[];
  /** The script's stdin. */
  input: Buffer | string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** Per stream; beyond it the script is stopped (runaway output). */
  maxOutputBytes: number;
  /** Time between SIGTERM and SIGKILL for the process group. */
  killGraceMs?: number;
  /** Aborting stops the script and its process group at once (shutdown). */
  signal?: AbortSignal;
}

export type ScriptOutcome = 'exited' | 'timeout' | 'output_limit' | 'spawn_error' | 'cancelled';

export interface ScriptResult {
  outcome: ScriptOutcome;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Why it did not run or was stopped, in words (spawn errors, limits). */
  error?: string;
}

let inputDir: string | undefined;
let inputCounter = 0;

function privateInputDir(): string {
  if (!inputDir) {
    const dir = mkdtempSync(join(tmpdir(), 'hookbox-input-'));
    inputDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return inputDir;
}

/** An open file descriptor positioned at the start of `input`, whose name is already gone. */
async function inputFile(input: Buffer | string): Promise<{ fd: number; close: () => Promise<void> }> {
  const path = join(privateInputDir(), `${process.pid}-${(inputCounter += 1)}`);
  await writeFile(path, input, { mode: 0o600 });
  const handle = await open(path, 'r');
  await unlink(path);
  return { fd: handle.fd, close: () => handle.close() };
}

const running = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Kills every script still running (shutdown). */
export function killAllScripts(): void {
  for (const pid of running) killGroup(pid, 'SIGKILL');
  running.clear();
}

/** Collects a stream up to `limit` bytes; calls `onOverflow` once when more arrives. */
function capped(limit: number, onOverflow: () => void) {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflowed = false;
  return {
    push(chunk: Buffer) {
      if (overflowed) return;
      if (size + chunk.length > limit) {
        chunks.push(chunk.subarray(0, limit - size));
        size = limit;
        overflowed = true;
        onOverflow();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get overflowed() {
      return overflowed;
    },
  };
}

export async function runScript(request: ScriptRequest): Promise<ScriptResult> {
  const started = performance.now();
  const grace = request.killGraceMs ?? 2_000;
  const stdin = await inputFile(request.input);
  let stopReason: 'timeout' | 'output_limit' | 'cancelled' | undefined;
  let pid: number | undefined;
  let forceKill: NodeJS.Timeout | undefined;
  const stopGroup = (reason: 'timeout' | 'output_limit' | 'cancelled') => {
    if (stopReason || pid === undefined) return;
    stopReason = reason;
    const group = pid;
    killGroup(group, 'SIGTERM');
    forceKill = setTimeout(() => killGroup(group, 'SIGKILL'), reason === 'timeout' ? grace : 0);
  };
  const stdout = capped(request.maxOutputBytes, () => stopGroup('output_limit'));
  const stderr = capped(request.maxOutputBytes, () => stopGroup('output_limit'));

  const outcome = await new Promise<{ code: number | null; signal: string | null; spawnError?: Error }>((resolve) => {
    const child = spawn(request.command, request.args ?? [], {
      stdio: [stdin.fd, 'pipe', 'pipe'],
      env: request.env,
      ...(request.cwd ? { cwd: request.cwd } : {}),
      detached: true,
    });
    pid = child.pid;
    if (pid !== undefined) running.add(pid);
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => stopGroup('timeout'), request.timeoutMs);
    const cancel = () => stopGroup('cancelled');
    if (request.signal?.aborted) cancel();
    else request.signal?.addEventListener('abort', cancel, { once: true });
    child.once('close', () => request.signal?.removeEventListener('abort', cancel));
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, spawnError: error });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  await stdin.close();
  const durationMs = Math.round(performance.now() - started);
  if (forceKill) clearTimeout(forceKill);
  if (pid !== undefined) {
    running.delete(pid);
    // Whatever a stopped script left behind in its group goes with it.
    if (stopReason) killGroup(pid, 'SIGKILL');
  }
  const base = { exitCode: outcome.code, signal: outcome.signal, stdout: stdout.text(), stderr: stderr.text(), durationMs };
  if (outcome.spawnError) {
    const code = (outcome.spawnError as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied (is it executable?)' : outcome.spawnError.message;
    return { ...base, outcome: 'spawn_error', error: `cannot run ${request.command}: ${why}` };
  }
  if (stopReason === 'timeout') return { ...base, outcome: 'timeout', error: `timed out after ${request.timeoutMs / 1000} s; the script and its children were killed` };
  if (stopReason === 'cancelled') return { ...base, outcome: 'cancelled', error: 'stopped: Hookbox is shutting down' };
  if (stopReason === 'output_limit') return { ...base, outcome: 'output_limit', error: `output exceeded ${request.maxOutputBytes} bytes; the script was stopped` };
  return { ...base, outcome: 'exited' };
}
