import { newId } from '../util/ids.ts';
import { EventEmitter } from 'node:events';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import type { CommitHookRunner } from '../db/commit-hooks.ts';
import {
  InboxStore,
  type InboxMessage,
  type MessageSource,
  type MessageState,
  type SessionSummary,
} from './inbox-store.ts';
import { SESSION_NAME_PATTERN } from './session-name.ts';

export type { InboxMessage, MessageSource, SessionSummary } from './inbox-store.ts';

export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface InjectInput {
  session: string;
  source: MessageSource;
  /** The hook, schedule or client that produced it. */
  label: string;
  content: string;
  /** Deliver no earlier than this (scheduled messages). */
  availableAt?: Date;
}

export interface InboxEvents {
  /** A message was committed to a session's inbox. */
  message: [message: InboxMessage];
  /** A message was acknowledged (handled). */
  acked: [message: InboxMessage];
}

export function checkSessionName(name: string): string {
  if (!SESSION_NAME_PATTERN.test(name)) {
    throw new HookboxError(
      ErrorCode.InvalidInput,
      `invalid session name ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-' (at most 128)`,
    );
  }
  return name;
}

/**
 * Durable per-session inboxes. Consumers claim the next message in delivery order (source
 * priority, then FIFO) under a lease and acknowledge it; a claim that is not acknowledged in
 * time returns to the queue at its original place.
 */
export class Inbox {
  readonly events = new EventEmitter<InboxEvents>();
  readonly #writes: WriteBatcher;
  readonly #store: InboxStore;
  readonly #clock: Clock;
  readonly #commitHooks: CommitHookRunner<{ inbox: InboxMessage }> | undefined;

  /** `commitHooks`: writes that commit with each message (the NATS outbox). */
  constructor(options: {
    db: Database;
    writes: WriteBatcher;
    clock: Clock;
    commitHooks?: CommitHookRunner<{ inbox: InboxMessage }>;
  }) {
    this.#writes = options.writes;
    this.#commitHooks = options.commitHooks;
    this.#store = new InboxStore(options.db);
    this.#clock = options.clock;
    this.events.setMaxListeners(0);
  }

  ensureSession(name: string): void {
    this.#store.ensureSession(checkSessionName(name), this.#clock.now().toISOString());
  }

  /**
   * Stores a message (and, in the same transaction, whatever `alsoWrite` records) and announces
   * it once committed.
   */
  async inject(input: InjectInput, alsoWrite?: (message: InboxMessage) => void): Promise<InboxMessage> {
    checkSessionName(input.session);
    if (input.content.trim() === '') throw new HookboxError(ErrorCode.InvalidInput, 'message is empty');
    if (Buffer.byteLength(input.content) > MAX_MESSAGE_BYTES)
      throw new HookboxError(ErrorCode.InvalidInput, `message is larger than ${MAX_MESSAGE_BYTES} bytes`);
    const now = this.#clock.now();
    const message = await this.#writes.write(() => {
      this.#store.ensureSession(input.session, now.toISOString());
      const stored = this.#store.insert({
        id: newId(),
        session: input.session,
        source: input.source,
        source_label: input.label,
        content: input.content,
        created_at: now.toISOString(),
        available_at: (input.availableAt ?? now).getTime(),
      });
      this.#commitHooks?.run('inbox', stored);
      alsoWrite?.(stored);
      return stored;
    });
    this.events.emit('message', message);
    return message;
  }

  claimNext(session: string, leaseMs: number): Promise<InboxMessage | undefined> {
    return this.#writes.write(() => this.#store.claimNext(session, this.#clock.now().getTime(), leaseMs));
  }

  /**
   * Long poll: claims the next message, waiting up to `waitMs` for one to arrive or become due.
   * Resolves undefined when none came in time or `signal` aborted.
   */
  async waitForNext(
    session: string,
    options: { waitMs: number; leaseMs: number; signal?: AbortSignal },
  ): Promise<InboxMessage | undefined> {
    const deadline = Date.now() + options.waitMs;
    for (;;) {
      const claimed = await this.claimNext(session, options.leaseMs);
      if (claimed) return claimed;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || options.signal?.aborted) return undefined;
      const dueAt = this.#store.nextAvailableAt(session, this.#clock.now().getTime());
      const sleep =
        dueAt === undefined ? remaining : Math.min(remaining, Math.max(10, dueAt - this.#clock.now().getTime()));
      await this.#nextArrival(session, sleep, options.signal);
    }
  }

  /**
   * Acknowledges a claimed message. `claim` (the `claims` count the consumer received with the
   * message) fences a consumer whose lease ran out and whose message was claimed again since.
   */
  async ack(session: string, id: string, claim?: number): Promise<InboxMessage> {
    const now = this.#clock.now();
    const message = await this.#writes.write(() => {
      const found = this.#store.get(session, id);
      if (!found) throw new HookboxError(ErrorCode.NotFound, `no message ${id} in session '${session}'`);
      if (found.state === 'acked') return found;
      if (found.state !== 'claimed')
        throw new HookboxError(ErrorCode.Conflict, `message ${id} is not claimed; claim it with /next first`);
      if (claim !== undefined && claim !== found.claims) {
        throw new HookboxError(
          ErrorCode.Conflict,
          `message ${id} was claimed again after your lease ran out (claim ${found.claims}, yours ${claim}); it is not yours to acknowledge`,
        );
      }
      this.#store.setState(found.seq, 'acked', new Date(found.available_at).getTime(), now.toISOString());
      return { ...found, state: 'acked' as const, acked_at: now.toISOString() };
    });
    this.events.emit('acked', message);
    return message;
  }

  /**
   * The user handled a message themselves (the window's "mark handled"): acknowledged whether it
   * was queued or claimed, so no consumer gets it any more.
   */
  async markHandled(session: string, id: string): Promise<InboxMessage> {
    const now = this.#clock.now();
    const message = await this.#writes.write(() => {
      const found = this.#store.get(session, id);
      if (!found) throw new HookboxError(ErrorCode.NotFound, `no message ${id} in session '${session}'`);
      if (found.state === 'acked') return found;
      this.#store.setState(found.seq, 'acked', new Date(found.available_at).getTime(), now.toISOString());
      return { ...found, state: 'acked' as const, acked_at: now.toISOString() };
    });
    const { leaseUntil: _lease, ...shown } = message as InboxMessage & { leaseUntil?: number | null };
    this.events.emit('acked', shown);
    return shown;
  }

  /** Keeps a claim alive for another `leaseMs` (a consumer still working on it, e.g. retrying). */
  extendLease(session: string, id: string, leaseMs: number): Promise<void> {
    return this.#writes.write(() => {
      const found = this.#store.get(session, id);
      if (found?.state === 'claimed') this.#store.extendLease(found.seq, this.#clock.now().getTime() + leaseMs);
    });
  }

  /** Messages after sequence number `seq`, oldest first. */
  since(session: string, seq: number, limit: number): InboxMessage[] {
    return this.#store.since(session, seq, limit);
  }

  /** Gives a claimed message back, deliverable again after `delayMs` (a failed delivery). */
  release(session: string, id: string, delayMs = 0): Promise<void> {
    return this.#writes.write(() => {
      const found = this.#store.get(session, id);
      if (found?.state !== 'claimed') return;
      this.#store.setState(found.seq, 'queued', this.#clock.now().getTime() + delayMs, null);
    });
  }

  list(session: string, options: { state?: MessageState; limit?: number } = {}): InboxMessage[] {
    return this.#store.list(session, {
      limit: options.limit ?? 100,
      ...(options.state ? { state: options.state } : {}),
    });
  }

  sessions(): SessionSummary[] {
    return this.#store.sessions();
  }

  #nextArrival(session: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.events.off('message', onMessage);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const onMessage = (message: InboxMessage) => {
        if (message.session === session) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.events.on('message', onMessage);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
