import { EventEmitter } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import { writeAtomically } from '../shell/integration-files.ts';

// "Pause notifications for 1 h / until resumed" (the tray and the window). A pause is state of
// this machine's hub, not configuration: it runs out, and it must not rewrite the config file the
// user keeps by hand. It survives a restart (a pause "until resumed" would otherwise end at the
// next login) in a small file in the data dir.

export interface PauseState {
  paused: boolean;
  /** When the pause ends; null with paused=true means "until resumed". */
  until: string | null;
}

interface PauseEvents {
  changed: [state: PauseState];
}

const FILE = 'notification-pause.json';
const NOT_PAUSED: PauseState = { paused: false, until: null };

export class NotificationPause {
  readonly events = new EventEmitter<PauseEvents>();
  readonly #file: string;
  readonly #clock: Clock;
  #until: number | null = null;
  #paused = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { dataDir: string; clock: Clock }) {
    this.#file = join(options.dataDir, FILE);
    this.#clock = options.clock;
  }

  /** Reads a pause left by the previous run (a missing or unreadable file means none). */
  load(): void {
    try {
      const saved = JSON.parse(readFileSync(this.#file, 'utf8')) as { until?: unknown };
      const until = typeof saved.until === 'string' ? Date.parse(saved.until) : null;
      if (until !== null && Number.isNaN(until)) return;
      this.#set(true, until, false);
    } catch {
      // not paused
    }
  }

  state(): PauseState {
    if (!this.#paused) return NOT_PAUSED;
    if (this.#until !== null && this.#until <= this.#clock.now().getTime()) return NOT_PAUSED;
    return { paused: true, until: this.#until === null ? null : new Date(this.#until).toISOString() };
  }

  isPaused(): boolean {
    return this.state().paused;
  }

  /** Pauses for `ms` from now, or until resumed when null. */
  pause(ms: number | null): PauseState {
    this.#set(true, ms === null ? null : this.#clock.now().getTime() + ms, true);
    return this.state();
  }

  resume(): PauseState {
    this.#set(false, null, true);
    return this.state();
  }

  /** Stops the timer that announces the end of a timed pause. */
  close(): void {
    clearTimeout(this.#timer);
  }

  #set(paused: boolean, until: number | null, persist: boolean): void {
    this.#paused = paused;
    this.#until = until;
    if (persist) {
      if (paused)
        writeAtomically(
          this.#file,
          `${JSON.stringify({ until: until === null ? null : new Date(until).toISOString() })}\n`,
          { mode: 0o600 },
        );
      else rmSync(this.#file, { force: true });
    }
    clearTimeout(this.#timer);
    if (paused && until !== null) {
      // Announce the end so the tray and the window stop showing "paused" on their own.
      const delay = Math.max(0, until - this.#clock.now().getTime());
      this.#timer = setTimeout(() => this.events.emit('changed', this.state()), Math.min(delay + 50, 2 ** 31 - 1));
      this.#timer.unref();
    }
    this.events.emit('changed', this.state());
  }
}
