import type { Logger } from 'pino';
import type { ScriptRunner } from '../process/script-runner.ts';
import type { SessionConfig } from '../config/hub-config.ts';
import type { Inbox } from './inbox.ts';

const MAX_BACKOFF_MS = 5 * 60_000;

/** 1 s, 2 s, 4 s … capped at 5 minutes. */
export function deliveryBackoffMs(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Pipes each message of a session to its configured command (e.g. `octomind send --name X`),
 * one at a time in delivery order. Exit 0 acknowledges the message; anything else gives it back
 * to the inbox to retry with exponential backoff. The command is an argument list, never a
 * shell string, and gets the message on stdin only.
 */
export class DeliveryWorker {
  readonly session: SessionConfig;
  readonly #inbox: Inbox;
  readonly #logger: Logger;
  readonly #scripts: ScriptRunner;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: { session: SessionConfig; inbox: Inbox; logger: Logger; scripts: ScriptRunner }) {
    this.session = options.session;
    this.#inbox = options.inbox;
    this.#logger = options.logger;
    this.#scripts = options.scripts;
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const [command, ...args] = this.session.deliverCommand ?? [];
    if (!command) return;
    const name = this.session.name;
    const lease = this.session.deliverTimeoutMs + 30_000;
    while (!this.#stop.signal.aborted) {
      const message = await this.#inbox.waitForNext(name, {
        waitMs: 30_000,
        leaseMs: lease,
        signal: this.#stop.signal,
      });
      if (!message) continue;
      // The worker keeps its claim and retries this message until it is delivered, so a failure
      // never lets a later message overtake it.
      for (let attempt = 1; ; attempt += 1) {
        const result = await this.#scripts.run({
          command,
          args,
          input: message.content,
          env: { ...process.env, HOOK_SESSION: name },
          timeoutMs: this.session.deliverTimeoutMs,
          maxOutputBytes: 64 * 1024,
          signal: this.#stop.signal,
        });
        if (result.outcome === 'exited' && result.exitCode === 0) {
          await this.#inbox.ack(name, message.id);
          this.#logger.info(
            { session: name, message_id: message.id, attempt },
            `session ${name}: message delivered to ${command}`,
          );
          break;
        }
        if (this.#stop.signal.aborted) {
          // Shutting down: hand the message back now so the next start delivers it promptly.
          await this.#inbox.release(name, message.id);
          return;
        }
        const delay = deliveryBackoffMs(attempt);
        const why =
          result.error ??
          `exit ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').at(-1)}` : ''}`;
        this.#logger.warn(
          { session: name, message_id: message.id, attempt },
          `session ${name}: delivery to ${command} failed (${why}); retrying in ${delay / 1000} s`,
        );
        await this.#inbox.extendLease(name, message.id, delay + lease);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.#stop.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
        if (this.#stop.signal.aborted) {
          await this.#inbox.release(name, message.id);
          return;
        }
      }
    }
  }
}
