// The body of the Node script spawner: a small Node process that the hub starts once and that
// runs every script for it (script-runner.ts). Forking a process costs in proportion to the
// parent's memory and runs on the calling thread, so spawning from the ~100 MB hub halved
// throughput and blocked its event loop; forking from this ~40 MB process, on the other core,
// does not. Where it was built, the Go spawner (native/spawner) replaces it: same protocol, and
// Go starts a process without copying its own page tables. This one is the fallback (Windows,
// no Go toolchain at install time).
//
// The hub runs it as `node -e "(<this function's source>)(require)"`, so this one function is
// the whole program, the same from the sources, the CLI bundle and the desktop bundle (no extra
// file for either bundle to emit and find). It must therefore be self-contained: it reaches
// Node only through `req` (a bundler rewrites `require(...)` calls it sees) and refers to
// nothing outside itself. Types are erased, so they are free to use.

/**
 * Hub to spawner: one JSON value per line on Node's IPC channel (serialization 'json', which the
 * Go spawner speaks too). A Buffer cannot travel as bytes in JSON, so the script's stdin comes as
 * `input` when it is a string and as `inputBase64` when it is bytes.
 */
export type SpawnerCommand =
  | ({
      type: 'run';
      id: number;
      command: string;
      args: readonly string[];
      /** With `baseEnv`: what this run adds to, or overrides in, that registered environment. */
      env: NodeJS.ProcessEnv;
      /** Key of an environment registered with an 'env' command (sent once, not with every run). */
      baseEnv?: number;
      cwd?: string;
      timeoutMs: number;
      maxOutputBytes: number;
      killGraceMs: number;
    } & ({ input: string; inputBase64?: undefined } | { inputBase64: string; input?: undefined }))
  | { type: 'env'; key: number; env: NodeJS.ProcessEnv }
  | { type: 'cancel'; id: number }
  | { type: 'killAll' };

/** Spawner to hub. `code` and `signal` are what Node's 'close' event gives ("SIGTERM", or null). */
export type SpawnerReport =
  | { type: 'started'; id: number; pid: number }
  | {
      type: 'done';
      id: number;
      code: number | null;
      signal: string | null;
      stdout: string;
      stderr: string;
      stopReason?: 'timeout' | 'output_limit' | 'cancelled';
      spawnError?: { code?: string; message: string };
    };

export function spawnerMain(req: NodeJS.Require): void {
  const { spawn } = req('node:child_process') as typeof import('node:child_process');
  const fs = req('node:fs') as typeof import('node:fs');
  const fsp = req('node:fs/promises') as typeof import('node:fs/promises');
  const os = req('node:os') as typeof import('node:os');
  const path = req('node:path') as typeof import('node:path');
  const send = (report: SpawnerReport) => process.send?.(report);

  // stdin is a private, already-unlinked temporary file holding the input rather than a pipe:
  // Node's pipes are Unix sockets, which scripts that open /dev/stdin cannot open (ENXIO).
  const inputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookbox-input-'));
  process.once('exit', () => fs.rmSync(inputDir, { recursive: true, force: true }));
  let inputCounter = 0;
  const inputFile = async (input: Uint8Array | string) => {
    const file = path.join(inputDir, `${process.pid}-${(inputCounter += 1)}`);
    await fsp.writeFile(file, input, { mode: 0o600 });
    const handle = await fsp.open(file, 'r');
    await fsp.unlink(file);
    return handle;
  };

  const killGroup = (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  /** pid of each running script's group, and how to stop it, by request id. */
  const running = new Map<number, { pid?: number; stop: (reason: 'cancelled') => void }>();
  const cancelledEarly = new Set<number>();
  /** Environments registered once ('env') that runs build on (baseEnv). */
  const bases = new Map<number, NodeJS.ProcessEnv>();

  const capped = (limit: number, onOverflow: () => void) => {
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
    };
  };

  const run = async (request: Extract<SpawnerCommand, { type: 'run' }>) => {
    const entry: { pid?: number; stop: (reason: 'cancelled') => void } = { stop: () => {} };
    running.set(request.id, entry);
    let stdin: Awaited<ReturnType<typeof inputFile>>;
    try {
      stdin = await inputFile(
        request.inputBase64 !== undefined ? Buffer.from(request.inputBase64, 'base64') : request.input,
      );
    } catch (error) {
      running.delete(request.id);
      send({
        type: 'done',
        id: request.id,
        code: null,
        signal: null,
        stdout: '',
        stderr: '',
        spawnError: { message: `cannot prepare its input: ${(error as Error).message}` },
      });
      return;
    }
    let stopReason: 'timeout' | 'output_limit' | 'cancelled' | undefined;
    let pid: number | undefined;
    let forceKill: NodeJS.Timeout | undefined;
    const stopGroup = (reason: 'timeout' | 'output_limit' | 'cancelled') => {
      if (stopReason || pid === undefined) return;
      stopReason = reason;
      const group = pid;
      killGroup(group, 'SIGTERM');
      forceKill = setTimeout(() => killGroup(group, 'SIGKILL'), reason === 'timeout' ? request.killGraceMs : 0);
    };
    entry.stop = stopGroup;
    const stdout = capped(request.maxOutputBytes, () => stopGroup('output_limit'));
    const stderr = capped(request.maxOutputBytes, () => stopGroup('output_limit'));
    const outcome = await new Promise<{
      code: number | null;
      signal: string | null;
      spawnError?: NodeJS.ErrnoException;
    }>((resolve) => {
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(request.command, request.args, {
          stdio: [stdin.fd, 'pipe', 'pipe'],
          env: request.baseEnv === undefined ? request.env : { ...bases.get(request.baseEnv), ...request.env },
          ...(request.cwd ? { cwd: request.cwd } : {}),
          detached: true,
        });
      } catch (error) {
        // Most start failures come as 'error'; a few (a NUL byte in an argument, EPERM…) throw.
        resolve({ code: null, signal: null, spawnError: error as NodeJS.ErrnoException });
        return;
      }
      pid = child.pid;
      entry.pid = pid;
      if (pid !== undefined) send({ type: 'started', id: request.id, pid });
      child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      const timer = setTimeout(() => stopGroup('timeout'), request.timeoutMs);
      if (cancelledEarly.delete(request.id)) stopGroup('cancelled');
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
    if (forceKill) clearTimeout(forceKill);
    running.delete(request.id);
    // Whatever a stopped script left behind in its group goes with it.
    if (pid !== undefined && stopReason) killGroup(pid, 'SIGKILL');
    const spawnError = outcome.spawnError
      ? { ...(outcome.spawnError.code ? { code: outcome.spawnError.code } : {}), message: outcome.spawnError.message }
      : undefined;
    send({
      type: 'done',
      id: request.id,
      code: outcome.code,
      signal: outcome.signal,
      stdout: stdout.text(),
      stderr: stderr.text(),
      ...(stopReason ? { stopReason } : {}),
      ...(spawnError ? { spawnError } : {}),
    });
  };

  const killAll = () => {
    for (const entry of running.values()) if (entry.pid !== undefined) killGroup(entry.pid, 'SIGKILL');
  };

  process.on('message', (command: SpawnerCommand) => {
    if (command.type === 'run') void run(command);
    else if (command.type === 'env') bases.set(command.key, command.env);
    else if (command.type === 'cancel') {
      const entry = running.get(command.id);
      if (entry?.pid !== undefined) entry.stop('cancelled');
      else if (entry) cancelledEarly.add(command.id);
    } else if (command.type === 'killAll') killAll();
  });
  // The hub is gone (exited, crashed, killed): so are its scripts, and this process.
  process.on('disconnect', () => {
    killAll();
    process.exit(0);
  });
}
