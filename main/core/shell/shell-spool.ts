import { watch, type FSWatcher } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';
import { schemaCheck } from '../util/schema-check.ts';
import { HookEventInput } from '../events/event-schema.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { xdgDir } from './shell-installer.ts';
import { JsonTooDeepError, parseJsonInput } from '../util/json-input.ts';

// The shell spool: how the shell integrations (bash, zsh, fish) report a command without starting
// a process. Shells have no built-in networking, and starting curl after every command costs a
// prompt 1–2 ms (docs/benchmarks.md); appending a line to a file is a builtin and costs about 25 µs. The hub
// on port P keeps $XDG_DATA_HOME/hookbox/shell-spool/P/ (the same rule the script applies in the
// user's shell) and reads every line appended there as a POST /events body.
//
// Each shell appends to its own file, events.<shell pid>.jsonl: fish writes a long line in
// several 512-byte writes, which two shells writing to one file could interleave.
//
// The script picks its way from two files in that folder, which only the hub writes:
//   accepting — the hub is running: append. It holds "<hub pid> <unix seconds>" and the hub rewrites
//               it every HEARTBEAT_MS; a shell treats one older than STALE_AFTER_S whose pid is
//               gone as a hub that died (bash and zsh read the seconds, fish 3.5 and later the
//               file's mtime and /proc; a hub frozen but alive — SIGSTOP, a debugger — keeps its
//               spool: what shells append is read when it runs again);
//   stopped   — the hub was stopped cleanly: report nothing (the prompt costs nothing either);
//   neither, or a stale accepting — no hub of this port ever ran with this home, or it crashed:
//               send over HTTP (curl). So nothing piles up after a crash;
//               what was appended before it is read at the next start.

export const ACCEPTING_FILE = 'accepting';
/** How often a running hub rewrites `accepting` (shells stop trusting it at SPOOL_STALE_AFTER_S, script-text.ts). */
export const HEARTBEAT_MS = 15_000;
export const STOPPED_FILE = 'stopped';
/** events.<pid of the shell>.jsonl */
const SHELL_FILE = /^events\.(\d+)\.jsonl$/;

/** The spool folder of the hub on `port` for this home, as the shell scripts work it out. */
export function shellSpoolDir(port: number, env: NodeJS.ProcessEnv, home: string): string {
  return join(xdgDir(env, 'XDG_DATA_HOME', home, '.local/share'), 'hookbox', 'shell-spool', String(port));
}

const checkEvent = schemaCheck(HookEventInput);

export interface ShellSpoolOptions {
  dir: string;
  /** Records one event, as POST /events does; resolves once it is stored. */
  record: (input: HookEventInput) => Promise<unknown>;
  logger: Logger;
  /** An ephemeral port (0 asked): the folder goes with the hub, no script can outlive it. */
  removeOnStop?: boolean;
  /** A shell's file is rotated once read past this size. */
  rotateBytes?: number;
  /** At start, a file larger than this is read from its last this-many bytes only. */
  backlogBytes?: number;
  /** Lines longer than this are skipped (POST /events refuses such bodies too). */
  maxLineBytes?: number;
  /** Whether the shell with this pid still runs (its file is removed once read when not). */
  isAlive?: (pid: number) => boolean;
  /** How often `accepting` is touched (HEARTBEAT_MS). */
  heartbeatMs?: number;
}

/** After a rotation, how long a shell that opened the old file may still append to it. */
const ROTATED_GRACE_MS = 1_000;
/** How often files of shells that have exited are looked for (also at start and stop). */
const SWEEP_EVERY_MS = 10 * 60_000;
/** How long after a shell's append the hub reads it (see scheduleAfterAppend). */
const READ_AFTER_APPEND_MS = 15;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One shell's file, read from where the last read stopped. */
interface ShellFile {
  name: string;
  pid: number;
  handle: FileHandle;
  offset: number;
  /** A partial last line, completed by the next read. */
  partial: string;
  /** The next line is the rest of one cut short (a backlog limit, the length limit): drop it. */
  skipToNextLine: boolean;
  /** Keeps a character split between two reads whole. */
  decoder: StringDecoder;
}

/**
 * Reads the shells' files as they append to them: from where it stopped, whole lines only, each
 * checked as POST /events checks a body; a bad line is logged (without its text: it may hold
 * secrets) and skipped, and never blocks the ones after it.
 */
export class ShellSpool {
  readonly #options: Required<ShellSpoolOptions>;
  readonly #files = new Map<string, ShellFile>();
  #watcher: FSWatcher | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  /** stop() began: `accepting` is going away and must not be recreated. */
  #closing = false;
  #reading: Promise<void> | undefined;
  #readAgain = false;
  #readSoon: NodeJS.Timeout | undefined;
  readonly #rotations = new Set<Promise<void>>();
  #stopped = false;
  /** Lines recorded and skipped so far. */
  recorded = 0;
  skipped = 0;

  constructor(options: ShellSpoolOptions) {
    this.#options = {
      rotateBytes: 256 * 1024,
      backlogBytes: 16 * 1024 * 1024,
      maxLineBytes: 1024 * 1024,
      removeOnStop: false,
      isAlive: processAlive,
      heartbeatMs: HEARTBEAT_MS,
      ...options,
    };
  }

  get dir(): string {
    return this.#options.dir;
  }

  async start(): Promise<void> {
    const { dir } = this.#options;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    // Watch first, then say "accepting": a line appended in between is seen by the read below.
    this.#watcher = watch(dir, () => this.#scheduleAfterAppend());
    this.#watcher.on('error', (error) =>
      this.#options.logger.warn(
        { err: error },
        'shell spool: watching stopped; lines are read again at the next start',
      ),
    );
    await rm(join(dir, STOPPED_FILE), { force: true });
    await this.#writeAccepting();
    this.#schedule();
    await this.#reading;
    await this.#sweep();
    this.#sweeper = setInterval(() => void this.#sweep(), SWEEP_EVERY_MS).unref();
    this.#heartbeat = setInterval(() => void this.#touchAccepting(), this.#options.heartbeatMs).unref();
  }

  /** "<pid> <unix seconds>", replaced whole (a shell never reads half of it). */
  async #writeAccepting(): Promise<void> {
    const file = join(this.#options.dir, ACCEPTING_FILE);
    const next = `${file}.${process.pid}.tmp`;
    await writeFile(next, `${process.pid} ${Math.floor(Date.now() / 1000)}\n`, { mode: 0o600 });
    await rename(next, file);
  }

  // Recreated if someone removed it: a running hub always says so.
  async #touchAccepting(): Promise<void> {
    if (this.#closing) return;
    await this.#writeAccepting().catch((error: Error) =>
      this.#options.logger.warn({ err: error }, `shell spool: cannot mark it accepting: ${error.message}`),
    );
    // stop() may have begun meanwhile: it removes the file again once this write is done.
    if (this.#closing) await rm(join(this.#options.dir, ACCEPTING_FILE), { force: true });
  }

  /** Stops accepting, then records what was appended until then. Never throws: stopping the hub goes on. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#closing = true;
    const { dir } = this.#options;
    this.#watcher?.close();
    clearTimeout(this.#readSoon);
    clearInterval(this.#sweeper);
    clearInterval(this.#heartbeat);
    try {
      await rm(join(dir, ACCEPTING_FILE), { force: true });
      if (!this.#options.removeOnStop) await writeFile(join(dir, STOPPED_FILE), `${process.pid}\n`, { mode: 0o600 });
      await this.#reading;
      await this.#readFiles();
    } catch (error) {
      this.#options.logger.warn({ err: error, dir }, `shell spool: stopping: ${(error as Error).message}`);
    }
    this.#stopped = true;
    await Promise.all([...this.#rotations]);
    await this.#sweep();
    for (const file of this.#files.values()) await file.handle.close().catch(() => undefined);
    this.#files.clear();
    if (this.#options.removeOnStop) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Resolves once everything appended so far has been recorded. */
  async settled(): Promise<void> {
    this.#schedule();
    await this.#reading;
    await Promise.all([...this.#rotations]);
  }

  // A shell appends while it draws its prompt: read a moment later, so that on a small machine the
  // hub's read and SQLite write do not compete with the prompt for the CPU (a person's next command
  // comes far later; the shell-overhead bench leaves 40 ms).
  #scheduleAfterAppend(): void {
    if (this.#readSoon || this.#stopped) return;
    this.#readSoon = setTimeout(() => {
      this.#readSoon = undefined;
      this.#schedule();
    }, READ_AFTER_APPEND_MS);
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#reading) {
      this.#readAgain = true;
      return;
    }
    this.#reading = this.#readLoop().finally(() => (this.#reading = undefined));
  }

  async #readLoop(): Promise<void> {
    do {
      this.#readAgain = false;
      try {
        await this.#readFiles();
      } catch (error) {
        this.#options.logger.error({ err: error, dir: this.#options.dir }, 'shell spool: reading failed');
      }
    } while (this.#readAgain && !this.#stopped);
  }

  async #readFiles(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#options.dir);
    } catch (error) {
      // Removed under us (the home went away): nothing left to read.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      const match = SHELL_FILE.exec(name);
      if (!match) continue;
      const file = this.#files.get(name) ?? (await this.#openFile(name, Number(match[1])));
      await this.#readFile(file);
      if (!this.#stopped && file.offset >= this.#options.rotateBytes) await this.#rotate(file);
    }
  }

  async #openFile(name: string, pid: number): Promise<ShellFile> {
    const handle = await open(join(this.#options.dir, name), 'r');
    const file: ShellFile = {
      name,
      pid,
      handle,
      offset: 0,
      partial: '',
      skipToNextLine: false,
      decoder: new StringDecoder('utf8'),
    };
    const { size } = await handle.stat();
    if (size > this.#options.backlogBytes) {
      file.offset = size - this.#options.backlogBytes;
      file.skipToNextLine = true;
      this.#options.logger.warn(
        { file: name, bytes: file.offset },
        `shell spool: backlog of ${size} bytes in ${name}; the oldest ${file.offset} are skipped`,
      );
    }
    this.#files.set(name, file);
    return file;
  }

  /** Reads from the offset to the end of the file, recording every whole line. */
  async #readFile(file: ShellFile): Promise<void> {
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await file.handle.read(chunk, 0, chunk.length, file.offset);
      if (bytesRead === 0) return;
      file.offset += bytesRead;
      const lines = (file.partial + file.decoder.write(chunk.subarray(0, bytesRead))).split('\n');
      file.partial = lines.pop() ?? '';
      if (Buffer.byteLength(file.partial) > this.#options.maxLineBytes) {
        file.partial = '';
        file.skipToNextLine = true;
        this.#skip(file.name, 'a line longer than the limit');
      }
      if (file.skipToNextLine && lines.length > 0) {
        lines.shift();
        file.skipToNextLine = false;
      }
      await this.#recordLines(file.name, lines);
    }
  }

  /** Records each line that is an event, in order; the lines of one read share one transaction (group commit). */
  async #recordLines(name: string, lines: string[]): Promise<void> {
    const recording: Promise<unknown>[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      const input = this.#parse(name, line);
      if (input) recording.push(this.#options.record(input).then(() => (this.recorded += 1)));
    }
    for (const result of await Promise.allSettled(recording)) {
      if (result.status === 'rejected')
        this.#options.logger.error({ err: result.reason }, 'shell spool: an event could not be stored');
    }
  }

  #parse(name: string, line: string): HookEventInput | undefined {
    if (Buffer.byteLength(line) > this.#options.maxLineBytes) return this.#skip(name, 'a line longer than the limit');
    let value: unknown;
    try {
      value = parseJsonInput(line);
    } catch (error) {
      return this.#skip(
        name,
        error instanceof JsonTooDeepError
          ? `a line nested deeper than ${error.limit} levels`
          : 'a line that is not JSON',
      );
    }
    if (checkEvent.Check(value)) return value;
    const problem = describeSchemaIssues([...checkEvent.Errors(value)]);
    return this.#skip(name, `a line that is not an event (${problem?.message ?? 'invalid'})`);
  }

  #skip(name: string, what: string): undefined {
    this.skipped += 1;
    this.#options.logger.warn({ file: name }, `shell spool: skipped ${what} in ${name}`);
    return undefined;
  }

  /**
   * Renames a long-lived shell's file away; its next line starts a new one. The shell may have
   * opened the old file just before and write to it late, so it is read once more after a grace
   * period, then removed.
   */
  async #rotate(file: ShellFile): Promise<void> {
    const rotated = join(this.#options.dir, `${file.name}.rotated-${Date.now()}`);
    await rename(join(this.#options.dir, file.name), rotated);
    this.#files.delete(file.name);
    // What was appended between the last read and the rename is read now, before any line of the
    // new file: read only after the grace period, it would be recorded out of order.
    await this.#readFile(file);
    const finish = (async () => {
      await new Promise((resolve) => setTimeout(resolve, this.#stopped ? 0 : ROTATED_GRACE_MS));
      await this.#readFile(file);
      if (file.partial.trim() !== '') this.#skip(file.name, 'an unfinished last line');
      await file.handle.close();
      await unlink(rotated);
    })()
      .catch((error: unknown) =>
        this.#options.logger.error({ err: error, file: rotated }, 'shell spool: reading a rotated file failed'),
      )
      .finally(() => this.#rotations.delete(finish));
    this.#rotations.add(finish);
  }

  /** Removes the files of shells that have exited, once read to the end. */
  async #sweep(): Promise<void> {
    for (const file of [...this.#files.values()]) {
      if (this.#options.isAlive(file.pid)) continue;
      try {
        const { size } = await file.handle.stat();
        if (size !== file.offset) continue;
        this.#files.delete(file.name);
        await file.handle.close();
        await unlink(join(this.#options.dir, file.name));
      } catch (error) {
        this.#options.logger.warn(
          { err: error, file: file.name },
          'shell spool: could not remove the file of a shell that exited',
        );
      }
    }
  }
}
