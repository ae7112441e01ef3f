/**
 * At most `max` tasks at once, at most `queueSize` more waiting; beyond that `acquire` says no at
 * once, so a burst becomes 429s instead of unbounded memory and processes.
 */
export class ConcurrencyLimit {
  readonly max: number;
  readonly queueSize: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(max: number, queueSize: number) {
    this.max = max;
    this.queueSize = queueSize;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /** A promise of a release function, or undefined when the queue is full. */
  acquire(): Promise<() => void> | undefined {
    if (this.#active < this.max) {
      this.#active += 1;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiting.length >= this.queueSize) return undefined;
    return new Promise((resolve) => this.#waiting.push(() => resolve(this.#releaser())));
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active -= 1;
    };
  }
}
