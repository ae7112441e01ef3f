import { newId } from '../util/ids.ts';
import type { Database, Statement } from 'better-sqlite3';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { checkSessionName, type Inbox } from './inbox.ts';

export interface Schedule {
  id: string;
  session: string;
  cron: string;
  content: string;
  next_at: string;
  created_at: string;
}

interface ScheduleRow extends Omit<Schedule, 'next_at'> {
  next_at: number;
}

const MAX_SLEEP_MS = 60_000;

export function nextCronRun(expression: string, after: Date): Date {
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true });
  } catch (error) {
    throw new HookboxError(
      ErrorCode.InvalidInput,
      `invalid cron expression '${expression}': ${(error as Error).message}`,
    );
  }
  const next = cron.nextRun(after);
  if (!next) throw new HookboxError(ErrorCode.InvalidInput, `cron expression '${expression}' never fires`);
  return next;
}

/**
 * Recurring messages (`hookbox schedule --cron`). Each schedule remembers its next time in
 * SQLite; when it is due, a message with source "schedule" goes into the session's inbox and
 * the next time is computed. One-off messages (`--in`, `--at`) need no schedule: they are
 * inbox messages that become deliverable later.
 */
export class Scheduler {
  readonly #inbox: Inbox;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #insert: Statement;
  readonly #due: Statement<[number], ScheduleRow>;
  readonly #advance: Statement;
  readonly #all: Statement<[], ScheduleRow>;
  readonly #remove: Statement<[string]>;
  readonly #earliest: Statement<[], { at: number | null }>;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: { db: Database; inbox: Inbox; clock: Clock; logger: Logger }) {
    this.#inbox = options.inbox;
    this.#clock = options.clock;
    this.#logger = options.logger;
    const db = options.db;
    this.#insert = db.prepare(
      'INSERT INTO schedules (id, session, cron, content, next_at, created_at) VALUES (@id, @session, @cron, @content, @next_at, @created_at)',
    );
    this.#due = db.prepare('SELECT * FROM schedules WHERE next_at <= ? ORDER BY next_at');
    this.#advance = db.prepare('UPDATE schedules SET next_at = @next_at WHERE id = @id');
    this.#all = db.prepare('SELECT * FROM schedules ORDER BY created_at');
    this.#remove = db.prepare('DELETE FROM schedules WHERE id = ?');
    this.#earliest = db.prepare('SELECT min(next_at) AS at FROM schedules');
  }

  add(input: { session: string; cron: string; content: string }): Schedule {
    checkSessionName(input.session);
    if (input.content.trim() === '') throw new HookboxError(ErrorCode.InvalidInput, 'message is empty');
    const now = this.#clock.now();
    const row: ScheduleRow = {
      id: newId(),
      session: input.session,
      cron: input.cron,
      content: input.content,
      next_at: nextCronRun(input.cron, now).getTime(),
      created_at: now.toISOString(),
    };
    this.#inbox.ensureSession(input.session);
    this.#insert.run(row);
    this.#arm();
    return toSchedule(row);
  }

  list(): Schedule[] {
    return this.#all.all().map(toSchedule);
  }

  remove(id: string): boolean {
    return this.#remove.run(id).changes > 0;
  }

  start(): void {
    this.#running = true;
    void this.tick();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  /**
   * Delivers every schedule due by the clock (one message each, however many of its times were
   * missed) and arms the timer for the next; resolves when those messages are stored. The timer
   * calls it; so do tests that move an injected clock.
   */
  async tick(): Promise<void> {
    const now = this.#clock.now();
    const stored: Promise<unknown>[] = [];
    for (const row of this.#due.all(now.getTime())) {
      // Advance first, so a slow or failing delivery cannot make the same tick fire twice.
      let next: number;
      try {
        next = nextCronRun(row.cron, now).getTime();
      } catch (error) {
        this.#logger.error(
          { err: error, schedule: row.id },
          `schedule ${row.id} has a broken cron expression; removed`,
        );
        this.#remove.run(row.id);
        continue;
      }
      this.#advance.run({ id: row.id, next_at: next });
      stored.push(
        this.#inbox
          .inject({ session: row.session, source: 'schedule', label: `cron ${row.cron}`, content: row.content })
          .catch((error: unknown) =>
            this.#logger.error({ err: error, schedule: row.id }, `schedule ${row.id}: message not stored`),
          ),
      );
    }
    this.#arm();
    await Promise.all(stored);
  }

  #arm(): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    const earliest = this.#earliest.get()?.at;
    if (earliest === null || earliest === undefined) return;
    const wait = Math.min(MAX_SLEEP_MS, Math.max(0, earliest - this.#clock.now().getTime()));
    this.#timer = setTimeout(() => void this.tick(), wait);
    this.#timer.unref();
  }
}

function toSchedule(row: ScheduleRow): Schedule {
  return { ...row, next_at: new Date(row.next_at).toISOString() };
}
