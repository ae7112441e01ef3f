import { newId } from '../util/ids.ts';
import type { Clock } from '../clock.ts';
import type { EventInput, RecordedEvent } from './event-schema.ts';
import type { EventPage, EventQuery, EventStore } from './event-store.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import type { CommitHookRunner } from '../db/commit-hooks.ts';

const EVENT_LIST_DEFAULT = 50;
const EVENT_LIST_MAX = 500;

/** How many events a "recent events" list answers (GET /events, the window's listEvents): 50 by default, at most 500. */
export function eventListLimit(asked: number | undefined): number {
  return Math.min(asked ?? EVENT_LIST_DEFAULT, EVENT_LIST_MAX);
}

/** Events removed per write when pruning by age. */
const PRUNE_CHUNK = 2_000;

/**
 * Event ingestion and reads: durable writes through the hub's group commit (WriteBatcher), plus an in-memory cache of the
 * newest `cacheSize` events (AGENTD_HISTORY_SIZE) that answers the common "recent events" reads
 * without touching SQLite. History beyond the cache stays in the database up to `retention`.
 */
export class EventLog {
  readonly #store: EventStore;
  readonly #clock: Clock;
  readonly #cacheSize: number;
  readonly #retention: number;
  readonly #writes: WriteBatcher;
  readonly #commitHooks: CommitHookRunner<{ event: RecordedEvent }> | undefined;
  /** Newest last. */
  #recent: RecordedEvent[];

  constructor(options: {
    store: EventStore;
    writes: WriteBatcher;
    clock: Clock;
    cacheSize: number;
    retention: number;
    /** Writes that commit with each event (the NATS outbox). */
    commitHooks?: CommitHookRunner<{ event: RecordedEvent }>;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#cacheSize = options.cacheSize;
    this.#retention = options.retention;
    this.#recent = this.#store.newest(this.#cacheSize).reverse();
    this.#writes = options.writes;
    this.#commitHooks = options.commitHooks;
  }

  /**
   * Resolves once the event is committed to disk (with `durable: false`, once committed: WriteOptions);
   * `alsoWrite` runs in the same transaction.
   */
  async record(input: EventInput, options: { alsoWrite?: () => void; durable?: boolean } = {}): Promise<RecordedEvent> {
    const event: RecordedEvent = {
      id: newId(),
      received_at: this.#clock.now().toISOString(),
      kind: input.kind,
      command: input.command,
      exit_code: input.exit_code,
      duration_ms: input.duration_ms ?? 0,
      output: input.output ?? '',
      metadata: input.metadata ?? {},
    };
    const { alsoWrite } = options;
    const durable = options.durable !== false;
    const hooks = this.#commitHooks?.has('event') ? this.#commitHooks : undefined;
    if (alsoWrite || hooks)
      await this.#writes.write(
        () => {
          this.#store.insert(event, this.#retention);
          hooks?.run('event', event);
          alsoWrite?.();
        },
        { durable },
      );
    else await this.#writes.write(() => this.#store.insert(event, this.#retention), { oneStatement: true, durable });
    this.#remember(event);
    return event;
  }

  /** Newest first. */
  list(limit: number): RecordedEvent[] {
    const cachedAll = this.#recent.length >= this.#store.count();
    if (limit <= this.#recent.length || cachedAll) return this.#recent.slice(-limit).reverse();
    return this.#store.newest(limit);
  }

  /** Newest first, without the agents' tool calls: what agentd's GET /events lists. */
  listAgentd(limit: number): RecordedEvent[] {
    const cached = this.#recent.filter((e) => e.kind !== 'agent');
    const cachedAll = this.#recent.length >= this.#store.count();
    if (limit <= cached.length || cachedAll) return cached.slice(-limit).reverse();
    return this.#store.query({ withoutAgents: true, limit }).events;
  }

  /** Replaces a recorded event's outcome (duration, exit code, output, metadata); resolves once committed. */
  async update(event: RecordedEvent, options: { durable?: boolean } = {}): Promise<void> {
    await this.#writes.write(() => this.#store.update(event), {
      oneStatement: true,
      durable: options.durable !== false,
    });
    const index = this.#recent.findLastIndex((e) => e.id === event.id);
    if (index >= 0) this.#recent[index] = event;
  }

  /**
   * Prunes events received more than `maxAgeMs` ago, oldest first, PRUNE_CHUNK per write so the
   * API is never held for long; resolves with how many were removed.
   */
  async pruneOlderThan(maxAgeMs: number): Promise<number> {
    const cutoff = new Date(this.#clock.now().getTime() - maxAgeMs);
    let removed = 0;
    for (;;) {
      const n = await this.#writes.write(() => this.#store.pruneReceivedBefore(cutoff, PRUNE_CHUNK));
      removed += n;
      if (n < PRUNE_CHUNK) break;
    }
    if (removed > 0) {
      const cut = cutoff.toISOString();
      this.#recent = this.#recent.filter((e) => e.received_at >= cut);
    }
    return removed;
  }

  /** A filtered page of the whole history, straight from the database. */
  query(q: EventQuery): EventPage {
    return this.#store.query(q);
  }

  get(id: string): RecordedEvent | undefined {
    return this.#recent.find((e) => e.id === id) ?? this.#store.get(id);
  }

  count(): number {
    return this.#store.count();
  }

  #remember(event: RecordedEvent): void {
    this.#recent.push(event);
    // Trimmed in chunks, not on every event (shifting the array was 4% of ingest CPU); never
    // holding more than the database keeps.
    const keep = Math.min(this.#cacheSize, this.#retention);
    if (this.#recent.length > Math.min(keep + 256, this.#retention)) this.#recent = this.#recent.slice(-keep);
  }
}
