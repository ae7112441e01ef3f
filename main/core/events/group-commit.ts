// Group commit: requests that arrive in the same turn of the event loop are written in one
// SQLite transaction, so one fsync acknowledges all of them. Each caller's promise settles only
// after that commit returned, i.e. after its data is on disk.

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T> {
  readonly #commit: (items: T[]) => void;
  #pending: Pending<T>[] = [];
  #scheduled = false;

  constructor(commit: (items: T[]) => void) {
    this.#commit = commit;
  }

  write(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (also called on shutdown so nothing acknowledged is left). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    try {
      this.#commit(batch.map((p) => p.item));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const p of batch) p.resolve();
  }
}
