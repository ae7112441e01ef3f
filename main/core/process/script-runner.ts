import { execa } from 'execa';

// Runs a user's script with bounded time and output. The script is started in its own process
// group so a timeout kills everything it started (a grandchild holding the pipes open would
// otherwise keep the request waiting), first politely, then for good.

export interface ScriptRequest {
  command: string;
  args?: readonly string[];
  /** Written to stdin while stdout and stderr are read, so large bodies cannot deadlock. */
  input: Buffer | string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** Per stream; beyond it the script is stopped (runaway output). */
  maxOutputBytes: number;
  /** Time between SIGTERM and SIGKILL for the process group. */
  killGraceMs?: number;
}

export type ScriptOutcome = 'exited' | 'timeout' | 'output_limit' | 'spawn_error';

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

export async function runScript(request: ScriptRequest): Promise<ScriptResult> {
  const started = performance.now();
  const grace = request.killGraceMs ?? 2_000;
  const subprocess = execa(request.command, request.args ?? [], {
    input: request.input,
    env: request.env,
    extendEnv: false,
    ...(request.cwd ? { cwd: request.cwd } : {}),
    detached: true,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: request.maxOutputBytes,
    forceKillAfterDelay: grace,
    encoding: 'utf8',
  });
  const pid = subprocess.pid;
  let timedOut = false;
  let forceKill: NodeJS.Timeout | undefined;
  const timer =
    pid === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killGroup(pid, 'SIGTERM');
          forceKill = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
        }, request.timeoutMs);
  if (pid !== undefined) running.add(pid);

  const result = await subprocess;
  if (timer) clearTimeout(timer);
  if (forceKill) clearTimeout(forceKill);
  if (pid !== undefined) {
    running.delete(pid);
    // Whatever the script left behind in its group goes with it when it was stopped.
    if (timedOut || result.isMaxBuffer) killGroup(pid, 'SIGKILL');
  }
  const durationMs = Math.round(performance.now() - started);
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  const exitCode = result.exitCode ?? null;
  const signal = result.signal ?? null;

  if (timedOut) return { outcome: 'timeout', exitCode, signal, stdout, stderr, durationMs, error: `timed out after ${request.timeoutMs / 1000} s; the script and its children were killed` };
  if (result.isMaxBuffer) return { outcome: 'output_limit', exitCode, signal, stdout, stderr, durationMs, error: `output exceeded ${request.maxOutputBytes} bytes; the script was stopped` };
  if (result.failed && exitCode === null && signal === null) {
    return { outcome: 'spawn_error', exitCode: null, signal: null, stdout, stderr, durationMs, error: (result.shortMessage ?? '').split('\n')[0] || 'cannot run the script' };
  }
  return { outcome: 'exited', exitCode, signal, stdout, stderr, durationMs };
}
