import type { Logger } from 'pino';
import type { WriteBatcher } from '../db/write-batcher.ts';
import type { EventStore } from './event-store.ts';

// Fills the trigram search index off the ingest hot path. Tokenizing an event's output for the
// index costs several times the event's own insert (measured: ~200 µs against ~40 µs for a
// failed `cargo build`), far over the 15% of POST /events throughput it may take; so events are
// acknowledged without it and indexed here in small chunks, each one a write of the hub's group
// commit, on a share of the time: little while events keep arriving, more when the hub is quiet.
// A search covers what is not indexed yet with a scan (EventStore.query), so nothing recorded is
// ever missing from the results. The same loop builds the index for a history recorded before
// the index existed (migration 8), with a progress line in the log.

/** A chunk should take about this long: the API waits at most that long behind it. */
const CHUNK_TARGET_MS = 15;
const CHUNK_MIN = 8;
const CHUNK_MAX = 5_000;
/** Share of the time spent indexing while other writes arrive (POST /events keeps its speed), and while quiet. */
const BUSY_SHARE = 0.02;
const IDLE_SHARE = 0.5;
/** After an event, wait this long for more (a burst is indexed in one go). */
const NUDGE_DELAY_MS = 200;
const RETRY_AFTER_ERROR_MS = 60_000;
/** Backlogs at least this large are reported in the log, with progress. */
const REPORTED_BACKLOG = 10_000;
const PROGRESS_EVERY_MS = 5_000;

export interface SearchIndexerOptions {
  store: EventStore;
  writes: WriteBatcher;
  logger: Logger;
}

export class SearchIndexer {
  readonly #store: EventStore;
  readonly #writes: WriteBatcher;
  readonly #logger: Logger;
  #chunk = 64;
  #timer: NodeJS.Timeout | undefined;
  #step: Promise<void> | undefined;
  #stopped = false;
  #committedBefore = 0;
  /** performance.now() before which the next step may not start (the share of time the last one allows). */
  #restUntil = 0;
  /** Set while a large backlog is being indexed (progress lines). */
  #report: { backlog: number; done: number; startedAt: number; lastLineAt: number } | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(options: SearchIndexerOptions) {
    this.#store = options.store;
    this.#writes = options.writes;
    this.#logger = options.logger;
  }

  start(): void {
    const backlog = this.#store.unindexed();
    if (backlog >= REPORTED_BACKLOG) {
      this.#logger.info(
        `search index: indexing ${backlog.toLocaleString('en-US')} events in the background; until it is done, searches also scan the events not indexed yet`,
      );
      const now = performance.now();
      this.#report = { backlog, done: 0, startedAt: now, lastLineAt: now };
    }
    this.#schedule(0);
  }

  /** An event was recorded: index it soon. */
  nudge(): void {
    // Not sooner than the last step's share allows: an indexer that keeps up with a stream of
    // events would otherwise index each one inline, every NUDGE_DELAY_MS (measured: half of
    // POST /events throughput), instead of taking BUSY_SHARE of the time and catching up later.
    if (this.#timer === undefined && this.#step === undefined)
      this.#schedule(Math.max(NUDGE_DELAY_MS, this.#restUntil - performance.now()));
  }

  /** Resolves when everything recorded so far is indexed (tests, the bench). */
  caughtUp(): Promise<void> {
    if (this.#timer === undefined && this.#step === undefined && this.#store.unindexed() === 0)
      return Promise.resolve();
    if (this.#timer === undefined && this.#step === undefined) this.#schedule(0);
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#step;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#step = this.#runStep().finally(() => (this.#step = undefined));
    }, delayMs);
    this.#timer.unref();
  }

  async #runStep(): Promise<void> {
    // Nothing to index: no write at all (an idle hub's batcher stays untouched).
    if (this.#store.unindexed() === 0) {
      this.#finishReport();
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      return;
    }
    const othersWrote = this.#writes.writesCommitted - this.#committedBefore > 0;
    const size = this.#chunk;
    let elapsed = 0;
    let indexed: number;
    try {
      indexed = await this.#writes.write(() => {
        const started = performance.now();
        const n = this.#store.indexNext(size);
        elapsed = performance.now() - started;
        return n;
      });
    } catch (error) {
      this.#logger.error(
        { err: error },
        `search index: indexing failed (${(error as Error).message}); retrying in a minute, searches scan meanwhile`,
      );
      this.#schedule(RETRY_AFTER_ERROR_MS);
      return;
    }
    // Our own commit counts too: what changes beyond it was written by others.
    this.#committedBefore = this.#writes.writesCommitted;
    this.#chunk = Math.min(
      CHUNK_MAX,
      Math.max(CHUNK_MIN, Math.round((size * CHUNK_TARGET_MS) / Math.max(elapsed, 0.5))),
    );
    this.#progress(indexed);
    const share = othersWrote ? BUSY_SHARE : IDLE_SHARE;
    const rest = elapsed * (1 / share - 1);
    this.#restUntil = performance.now() + rest;
    if (indexed < size) {
      this.#finishReport();
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      return;
    }
    this.#schedule(rest);
  }

  #progress(indexed: number): void {
    const report = this.#report;
    if (!report) return;
    report.done += indexed;
    const now = performance.now();
    if (now - report.lastLineAt < PROGRESS_EVERY_MS) return;
    report.lastLineAt = now;
    const percent = Math.min(100, Math.floor((report.done / report.backlog) * 100));
    this.#logger.info(
      `search index: ${report.done.toLocaleString('en-US')} of ${report.backlog.toLocaleString('en-US')} events indexed (${percent}%)`,
    );
  }

  #finishReport(): void {
    const report = this.#report;
    if (!report) return;
    this.#report = undefined;
    const seconds = ((performance.now() - report.startedAt) / 1000).toFixed(0);
    this.#logger.info(`search index: done, ${report.done.toLocaleString('en-US')} events indexed in ${seconds} s`);
  }
}
