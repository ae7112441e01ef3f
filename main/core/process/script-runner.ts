import { spawn, type ChildProcess } from 'node:child_process';
import { spawnerMain, type SpawnerCommand, type SpawnerReport } from './spawner-main.ts';

// Runs a user's script with bounded time and output. This is the hot path of every webhook hook,
// so it uses child_process directly: in our measurements execa's stream plumbing cost about half
// the throughput of a plain spawn (bench/sections/webhook-throughput.ts).
//
// The scripts are started by the spawner (spawner-main.ts), a small Node process this module
// starts on first use and talks to over Node's IPC channel: a fork from the ~100 MB hub costs
// about twice one from a small process and blocks the hub's event loop while it runs. What
// follows happens in the spawner; durations are measured here, IPC included.
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


interface Pending {
  request: ScriptRequest;
  started: number;
  pid?: number;
  resolve: (result: ScriptResult) => void;
}

const SPAWNER_SOURCE = `(${spawnerMain.toString()})(require)`;

let spawner: ChildProcess | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** The hub's handle on the spawner stays referenced only while scripts run, so it never keeps a process alive. */
function updateRef(child: ChildProcess): void {
  if (pending.size > 0) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}

function startSpawner(): ChildProcess {
  // Under Electron, process.execPath is the app itself: this variable makes it plain Node.
  // A small young generation keeps it small under load too (a fork copies the parent's page tables).
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '-e', SPAWNER_SOURCE], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  child.on('message', (report: SpawnerReport) => {
    const entry = pending.get(report.id);
    if (!entry) return;
    if (report.type === 'started') {
      entry.pid = report.pid;
      return;
    }
    pending.delete(report.id);
    updateRef(child);
    entry.resolve(resultOf(entry, report));
  });
  const lost = (why: string) => {
    if (spawner !== child) return;
    spawner = undefined;
    // Its scripts are orphans now: stop them, and answer every caller rather than leave it waiting.
    const stranded = [...pending.values()];
    pending.clear();
    for (const entry of stranded) {
      if (entry.pid !== undefined) killGroup(entry.pid, 'SIGKILL');
      entry.resolve({
        outcome: 'spawn_error',
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        durationMs: Math.round(performance.now() - entry.started),
        error: `cannot run ${entry.request.command}: Hookbox's script spawner ${why}; the script was stopped`,
      });
    }
  };
  child.once('error', (error) => lost(`could not start (${error.message})`));
  child.once('exit', (code, signal) => lost(`exited unexpectedly (${signal ?? `status ${code}`})`));
  return child;
}

/** The spawner's process id, starting it if needed (tests stop it to check the recovery). */
export function scriptSpawnerPid(): number | undefined {
  spawner ??= startSpawner();
  return spawner.pid;
}

function send(command: SpawnerCommand): void {
  spawner?.send(command, (error) => {
    // The channel closed under us: 'exit' follows and answers the callers.
    if (error) spawner?.kill('SIGKILL');
  });
}

/** Kills every script still running (shutdown). */
export function killAllScripts(): void {
  for (const entry of pending.values()) if (entry.pid !== undefined) killGroup(entry.pid, 'SIGKILL');
  if (spawner?.connected) send({ type: 'killAll' });
}

function resultOf(entry: Pending, report: Extract<SpawnerReport, { type: 'done' }>): ScriptResult {
  const { request } = entry;
  const durationMs = Math.round(performance.now() - entry.started);
  const base = { exitCode: report.code, signal: report.signal, stdout: report.stdout, stderr: report.stderr, durationMs };
  if (report.spawnError) {
    const { code, message } = report.spawnError;
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied (is it executable?)' : message;
    return { ...base, outcome: 'spawn_error', error: `cannot run ${request.command}: ${why}` };
  }
  if (report.stopReason === 'timeout') return { ...base, outcome: 'timeout', error: `timed out after ${request.timeoutMs / 1000} s; the script and its children were killed` };
  if (report.stopReason === 'cancelled') return { ...base, outcome: 'cancelled', error: 'stopped: Hookbox is shutting down' };
  if (report.stopReason === 'output_limit') return { ...base, outcome: 'output_limit', error: `output exceeded ${request.maxOutputBytes} bytes; the script was stopped` };
  return { ...base, outcome: 'exited' };
}

export function runScript(request: ScriptRequest): Promise<ScriptResult> {
  const started = performance.now();
  spawner ??= startSpawner();
  const child = spawner;
  const id = (nextId += 1);
  return new Promise<ScriptResult>((resolve) => {
    const cancel = () => send({ type: 'cancel', id });
    pending.set(id, {
      request,
      started,
      resolve: (result) => {
        request.signal?.removeEventListener('abort', cancel);
        resolve(result);
      },
    });
    updateRef(child);
    send({
      type: 'run',
      id,
      command: request.command,
      args: request.args ?? [],
      input: request.input,
      env: request.env,
      ...(request.cwd ? { cwd: request.cwd } : {}),
      timeoutMs: request.timeoutMs,
      maxOutputBytes: request.maxOutputBytes,
      killGraceMs: request.killGraceMs ?? 2_000,
    });
    if (request.signal?.aborted) cancel();
    else request.signal?.addEventListener('abort', cancel, { once: true });
  });
}
