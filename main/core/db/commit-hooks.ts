// Writes that must commit with a record, whoever writes the record. A service that stores a
// record of a kind calls run(kind, record) inside the write that stores it; whatever registered
// for that kind (today: the NATS outbox row that publishes it) is written in the same SQLite
// transaction. So the record and what follows from it are both on disk or both absent: a crash
// between two commits cannot keep one and lose the other. A write that throws here rolls the
// record back with it (the caller's write fails, and its caller may retry).

type Write<T> = (record: T) => void;

/** What a service that stores records of these kinds sees of the hooks. */
export interface CommitHookRunner<Records extends object> {
  has(kind: keyof Records): boolean;
  run<K extends keyof Records>(kind: K, record: Records[K]): void;
}

export class CommitHooks<Records extends object> implements CommitHookRunner<Records> {
  readonly #writes = new Map<keyof Records, Write<never>[]>();

  /** Adds `write`, run inside every transaction that stores a record of `kind`. */
  on<K extends keyof Records>(kind: K, write: Write<Records[K]>): void {
    const list = this.#writes.get(kind) ?? [];
    list.push(write as Write<never>);
    this.#writes.set(kind, list);
  }

  /**
   * True when a record of `kind` has writes to go with it: its write is then more than one
   * statement (WriteOptions.oneStatement must be off, so a failure rolls back all of it).
   */
  has(kind: keyof Records): boolean {
    return this.#writes.has(kind);
  }

  /** Runs inside the record's write, after the record was stored; a throw undoes the record too. */
  run<K extends keyof Records>(kind: K, record: Records[K]): void {
    for (const write of this.#writes.get(kind) ?? []) (write as Write<Records[K]>)(record);
  }
}
