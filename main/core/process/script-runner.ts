import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnerMain, type SpawnerCommand, type SpawnerReport } from './spawner-main.ts';

// Runs a user's script with bounded time and output. This is the hot path of every webhook hook,
// so it uses child_process directly: in our measurements execa's stream plumbing cost about half
// the throughput of a plain spawn (bench/sections/webhook-throughput.ts).
//
// The scripts are started by the spawner, a small process a ScriptRunner starts on first use and
// talks to over Node's IPC channel (JSON lines): a fork from the ~100 MB hub costs about twice one
// from a small process and blocks the hub's event loop while it runs. There are two spawners
// speaking one protocol (SpawnerCommand / SpawnerReport): the Go one (native/spawner, built into
// out/bin/hookbox-spawner by scripts/build-spawner.ts) where it was built, since Go starts a
// process without copying its own page tables as Node's fork() does (about 2 ms of CPU per script
// from the ~40 MB Node spawner); otherwise the Node one (spawner-main.ts). HOOKBOX_SPAWNER=node
// forces the Node one, HOOKBOX_SPAWNER=go or =<path> the Go one. What follows happens in the
// spawner; durations are measured here, IPC included.
//
// - The script gets its own process group, so a timeout kills everything it started (a
//   grandchild holding the pipes open would otherwise keep the request waiting): SIGTERM to the
//   group, SIGKILL after a grace period.
// - Its stdin can be reopened as /dev/stdin (Node's readFileSync('/dev/stdin'), `< /dev/stdin`),
//   which Node's pipes, Unix sockets, cannot (ENXIO): the Go spawner gives it a real pipe, the
//   Node one a private, already-unlinked temporary file holding the input.
// - stdout and stderr are read as they come and capped; past the cap the script is stopped.

export interface ScriptRequest {
  command: string;
  args?: readonly string[];
  /** The script's stdin. */
  input: Buffer | string;
  /** The script's environment; with `baseEnv`, only what it adds to or overrides there. */
  env: NodeJS.ProcessEnv;
  /**
   * An environment many runs share (a hook's: the hub's own variables). It goes to the spawner
   * once, not with every run; pass the same object each time (it is recognised by identity).
   */
  baseEnv?: NodeJS.ProcessEnv;
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
  /** Kept to send it again should the Go spawner fail to start (the Node one then runs it). */
  command: RunCommand;
  started: number;
  pid?: number;
  resolve: (result: ScriptResult) => void;
}

type RunCommand = Extract<SpawnerCommand, { type: 'run' }>;

export type ScriptSpawnerKind = 'go' | 'node';

interface Spawner {
  child: ChildProcess;
  kind: ScriptSpawnerKind;
  /** Set by HOOKBOX_SPAWNER: no falling back to the Node spawner when it cannot start. */
  forced: boolean;
  /** It has sent a report: it runs. */
  heard: boolean;
  /** The base environments this spawner has been sent, and their keys. */
  bases: WeakMap<NodeJS.ProcessEnv, number>;
}

const SPAWNER_SOURCE = `(${spawnerMain.toString()})(require)`;
const GO_SPAWNER_NAME = 'hookbox-spawner';

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Which spawner to start, and for the Go one where its binary is: HOOKBOX_SPAWNER=node|go|<path>
 * decides; otherwise the binary scripts/build-spawner.ts made, wherever this code runs from.
 * `goFailed`: the Go spawner could not start before, so this runner uses the Node one.
 */
function chooseSpawner(goFailed: boolean): { kind: 'node' } | { kind: 'go'; path: string; forced: boolean } {
  const override = process.env.HOOKBOX_SPAWNER;
  if (override === 'node') return { kind: 'node' };
  if (override && override !== 'go') return { kind: 'go', path: override, forced: true };
  // Not ported to Windows (process groups, signals): the Node spawner runs scripts there.
  if (process.platform === 'win32' && !override) return { kind: 'node' };
  if (goFailed && !override) return { kind: 'node' };
  // process.resourcesPath exists only under Electron: the packaged app has the binary in its
  // resources (electron-builder.yml, extraResources), outside the asar archive.
  const { resourcesPath } = process as { resourcesPath?: string };
  const candidates = [
    ...(resourcesPath ? [join(resourcesPath, 'bin', GO_SPAWNER_NAME)] : []),
    // The bundles: out/cli/hookbox.mjs, out/main/index.js.
    join(import.meta.dirname, '../bin', GO_SPAWNER_NAME),
    // The sources: main/core/process/.
    join(import.meta.dirname, '../../../out/bin', GO_SPAWNER_NAME),
  ];
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path) return { kind: 'go', path, forced: override === 'go' };
  // Forced but not built: starting the missing path fails and says so to every caller.
  if (override === 'go') return { kind: 'go', path: candidates.at(-1)!, forced: true };
  return { kind: 'node' };
}

function spawnSpawner(choice: ReturnType<typeof chooseSpawner>): ChildProcess {
  if (choice.kind === 'go') {
    return spawn(choice.path, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  }
  // Under Electron, process.execPath is the app itself: this variable makes it plain Node.
  // A small young generation keeps it small under load too (a fork copies the parent's page tables).
  return spawn(process.execPath, ['--max-semi-space-size=1', '-e', SPAWNER_SOURCE], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}

/**
 * Runs `then` once every message the child sent before it died has been handled: 'exit' can come
 * before the channel's last messages, and a 'started' report read late would leave a script
 * running that answerStranded could not stop (it knows a run's process group only from that report).
 */
function afterChannelDrained(child: ChildProcess, then: () => void): void {
  if (child.connected) child.once('disconnect', then);
  else then();
}

function send(target: Spawner, command: SpawnerCommand): void {
  target.child.send(command, (error) => {
    // The channel closed under us: 'exit' follows and answers the callers.
    if (error) target.child.kill('SIGKILL');
  });
}

function resultOf(entry: Pending, report: Extract<SpawnerReport, { type: 'done' }>): ScriptResult {
  const { request } = entry;
  const durationMs = Math.round(performance.now() - entry.started);
  const base = {
    exitCode: report.code,
    signal: report.signal,
    stdout: report.stdout,
    stderr: report.stderr,
    durationMs,
  };
  if (report.spawnError) {
    const { code, message } = report.spawnError;
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied (is it executable?)' : message;
    return { ...base, outcome: 'spawn_error', error: `cannot run ${request.command}: ${why}` };
  }
  if (report.stopReason === 'timeout')
    return {
      ...base,
      outcome: 'timeout',
      error: `timed out after ${request.timeoutMs / 1000} s; the script and its children were killed`,
    };
  if (report.stopReason === 'cancelled')
    return { ...base, outcome: 'cancelled', error: 'stopped: Hookbox is shutting down' };
  if (report.stopReason === 'output_limit')
    return {
      ...base,
      outcome: 'output_limit',
      error: `output exceeded ${request.maxOutputBytes} bytes; the script was stopped`,
    };
  return { ...base, outcome: 'exited' };
}

/** JSON carries no bytes: a Buffer goes as base64 (both spawners decode it). */
function inputField(input: Buffer | string): { input: string } | { inputBase64: string } {
  if (typeof input === 'string') return { input };
  return { inputBase64: Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('base64') };
}

/**
 * One spawner and the runs it carries. Each hub owns one (and so does a CLI command that runs
 * scripts without a hub): stopping one hub's scripts never touches another's in the same process.
 */
export class ScriptRunner {
  #spawner: Spawner | undefined;
  /** Why the Go spawner could not start: this runner uses the Node one from then on. */
  #goSpawnerFailure: string | undefined;
  #nextId = 0;
  #nextBaseKey = 0;
  readonly #pending = new Map<number, Pending>();

  /** The handle on the spawner stays referenced only while scripts run, so it never keeps a process alive. */
  #updateRef(child: ChildProcess): void {
    if (this.#pending.size > 0) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }

  /** The Go spawner could not start (a binary for another machine, a noexec mount…): the Node one takes over its runs. */
  #fallBackToNode(why: string): Spawner {
    this.#goSpawnerFailure = why;
    this.#spawner = undefined;
    const next = this.#ensureSpawner();
    // None of them can have started: the Go spawner never ran.
    for (const entry of this.#pending.values()) {
      if (entry.request.baseEnv) entry.command.baseEnv = this.#baseEnvKey(next, entry.request.baseEnv);
      send(next, entry.command);
      if (entry.request.signal?.aborted) send(next, { type: 'cancel', id: entry.command.id });
    }
    this.#updateRef(next.child);
    return next;
  }

  #ensureSpawner(): Spawner {
    if (this.#spawner) return this.#spawner;
    const choice = chooseSpawner(this.#goSpawnerFailure !== undefined);
    let child: ChildProcess;
    try {
      child = spawnSpawner(choice);
    } catch (error) {
      // A few start failures throw instead of emitting 'error' (ENOEXEC: a binary for another machine).
      if (choice.kind === 'go' && !choice.forced) return this.#fallBackToNode((error as Error).message);
      throw error;
    }
    const current: Spawner = {
      child,
      kind: choice.kind,
      forced: choice.kind === 'go' && choice.forced,
      heard: false,
      bases: new WeakMap(),
    };
    this.#spawner = current;
    child.on('message', (report: SpawnerReport) => {
      current.heard = true;
      const entry = this.#pending.get(report.id);
      if (!entry) return;
      if (report.type === 'started') {
        entry.pid = report.pid;
        return;
      }
      this.#pending.delete(report.id);
      this.#updateRef(child);
      entry.resolve(resultOf(entry, report));
    });
    const lost = (why: string) => {
      if (this.#spawner !== current) return;
      this.#spawner = undefined;
      this.#answerStranded(why);
    };
    child.once('error', (error) => {
      // No pid: it never started (ENOENT, EACCES), rather than failing later.
      if (this.#spawner === current && current.kind === 'go' && !current.forced && child.pid === undefined)
        this.#fallBackToNode(error.message);
      else lost(`could not start (${error.message})`);
    });
    child.once('exit', (code, signal) => {
      // A binary for another machine is run by /bin/sh (execvp's fallback), which fails: an exit
      // status before its first report, rather than being killed, means it could not run at all.
      if (
        this.#spawner === current &&
        current.kind === 'go' &&
        !current.forced &&
        !current.heard &&
        signal === null &&
        code !== 0
      ) {
        this.#fallBackToNode(`${GO_SPAWNER_NAME} exited with status ${code} before running anything`);
      } else afterChannelDrained(child, () => lost(`exited unexpectedly (${signal ?? `status ${code}`})`));
    });
    return current;
  }

  /** The spawner is gone: its scripts are orphans now. Stop them, and answer every caller rather than leave it waiting. */
  #answerStranded(why: string): void {
    const stranded = [...this.#pending.values()];
    this.#pending.clear();
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
  }

  /** The spawner's process id, starting it if needed (tests stop it to check the recovery). */
  spawnerPid(): number | undefined {
    return this.#ensureSpawner().child.pid;
  }

  /** Which spawner runs the scripts, starting it if needed. */
  spawnerKind(): ScriptSpawnerKind {
    return this.#ensureSpawner().kind;
  }

  /** Stops the spawner, answering its callers; the next script starts a new one (shutdown; tests switch implementations with it). */
  stopSpawner(): void {
    const current = this.#spawner;
    if (!current) return;
    this.#spawner = undefined;
    this.#answerStranded('was stopped');
    current.child.kill('SIGKILL');
  }

  /** Kills every script this runner still runs (shutdown). */
  killAll(): void {
    for (const entry of this.#pending.values()) if (entry.pid !== undefined) killGroup(entry.pid, 'SIGKILL');
    if (this.#spawner?.child.connected) send(this.#spawner, { type: 'killAll' });
  }

  /** The key `target` knows `env` by, sending it first if it has not seen it. */
  #baseEnvKey(target: Spawner, env: NodeJS.ProcessEnv): number {
    let key = target.bases.get(env);
    if (key === undefined) {
      key = this.#nextBaseKey += 1;
      target.bases.set(env, key);
      send(target, { type: 'env', key, env });
    }
    return key;
  }

  run(request: ScriptRequest): Promise<ScriptResult> {
    const started = performance.now();
    let target: Spawner;
    try {
      target = this.#ensureSpawner();
    } catch (error) {
      return Promise.resolve({
        outcome: 'spawn_error',
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        durationMs: Math.round(performance.now() - started),
        error: `cannot run ${request.command}: Hookbox's script spawner could not start (${(error as Error).message})`,
      });
    }
    const id = (this.#nextId += 1);
    const command: RunCommand = {
      type: 'run',
      id,
      command: request.command,
      args: request.args ?? [],
      ...inputField(request.input),
      env: request.env,
      ...(request.baseEnv ? { baseEnv: this.#baseEnvKey(target, request.baseEnv) } : {}),
      ...(request.cwd ? { cwd: request.cwd } : {}),
      timeoutMs: request.timeoutMs,
      maxOutputBytes: request.maxOutputBytes,
      killGraceMs: request.killGraceMs ?? 2_000,
    };
    return new Promise<ScriptResult>((resolve) => {
      // Sent to whichever spawner runs it by then (the Go one may have handed over to the Node one).
      const cancel = () => {
        if (this.#spawner) send(this.#spawner, { type: 'cancel', id });
      };
      this.#pending.set(id, {
        request,
        command,
        started,
        resolve: (result) => {
          request.signal?.removeEventListener('abort', cancel);
          resolve(result);
        },
      });
      this.#updateRef(target.child);
      send(target, command);
      if (request.signal?.aborted) cancel();
      else request.signal?.addEventListener('abort', cancel, { once: true });
    });
  }
}
