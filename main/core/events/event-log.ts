import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { HookEventInput, RecordedEvent } from './event-schema.ts';
import type { EventStore } from './event-store.ts';
import { GroupCommit } from './group-commit.ts';

/**
 * Event ingestion and reads: durable writes through group commit, plus an in-memory cache of the
 * newest `cacheSize` events (AGENTD_HISTORY_SIZE) that answers the common "recent events" reads
 * without touching SQLite. History beyond the cache stays in the database up to `retention`.
 */
export class EventLog {
  readonly #store: EventStore;
  readonly #clock: Clock;
  readonly #cacheSize: number;
  readonly #retention: number;
  readonly #writes: GroupCommit<RecordedEvent>;
  /** Newest last. */
  #recent: RecordedEvent[];

  constructor(options: { store: EventStore; clock: Clock; cacheSize: number; retention: number }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#cacheSize = options.cacheSize;
    this.#retention = options.retention;
    this.#recent = this.#store.newest(this.#cacheSize).reverse();
    this.#writes = new GroupCommit((batch) => {
      this.#store.insertBatch(batch, this.#retention);
      this.#remember(batch);
    });
  }

  /** Resolves once the event is committed to disk. */
  async record(input: HookEventInput): Promise<RecordedEvent> {
    const event: RecordedEvent = {
      id: randomUUID(),
      received_at: this.#clock.now().toISOString(),
      kind: input.kind,
      command: input.command,
      exit_code: input.exit_code,
      duration_ms: input.duration_ms ?? 0,
      output: input.output ?? '',
      metadata: input.metadata ?? {},
    };
    await this.#writes.write(event);
    return event;
  }

  /** Newest first. */
  list(limit: number): RecordedEvent[] {
    const cachedAll = this.#recent.length >= this.#store.count();
    if (limit <= this.#recent.length || cachedAll) return this.#recent.slice(-limit).reverse();
    return this.#store.newest(limit);
  }

  get(id: string): RecordedEvent | undefined {
    return this.#recent.find((e) => e.id === id) ?? this.#store.get(id);
  }

  count(): number {
    return this.#store.count();
  }

  /** Writes whatever is queued; called on shutdown after the server stopped accepting. */
  flush(): void {
    this.#writes.flush();
  }

  #remember(batch: RecordedEvent[]): void {
    this.#recent.push(...batch);
    const keep = Math.min(this.#cacheSize, this.#retention);
    if (this.#recent.length > keep) this.#recent.splice(0, this.#recent.length - keep);
  }
}
