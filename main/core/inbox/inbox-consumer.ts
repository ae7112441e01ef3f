import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, isHookboxError, type HookboxError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Inbox, InboxMessage } from './inbox.ts';

// The one consume loop over a session inbox: claim the next message under a lease, hand it over,
// acknowledge it with its claim number so a lapsed lease is fenced. `hookbox run` (with a hub of
// its own or attached to a running one) and `hookbox mcp` all consume through here; what differs
// is only where the inbox is (this process's hub, or the running hub's API).

/** A session inbox a consumer can read: the hub's own (localSessionInbox) or one over the API. */
export interface ConsumableInbox {
  /** Claims the next message, waiting up to `waitS` seconds; undefined when none came or `signal` aborted. */
  next(options: { waitS: number; leaseS: number; signal?: AbortSignal }): Promise<InboxMessage | undefined>;
  /** Acknowledges a claimed message; `claim` (its `claims` count when claimed) fences a lapsed lease. */
  ack(id: string, claim?: number): Promise<unknown>;
}

/** How long one wait for the next message lasts when following (within an API long poll). */
export const FOLLOW_WAIT_S = 25;

/** A session of this process's hub as a ConsumableInbox. */
export function localSessionInbox(inbox: Inbox, session: string): ConsumableInbox {
  return {
    next: ({ waitS, leaseS, signal }) =>
      inbox.waitForNext(session, { waitMs: waitS * 1000, leaseMs: leaseS * 1000, ...(signal ? { signal } : {}) }),
    ack: (id, claim) => inbox.ack(session, id, claim),
  };
}

export interface ConsumeOptions {
  /** Keep waiting for more (a daemon); otherwise stop when the inbox is empty. */
  follow: boolean;
  leaseS: number;
  signal: AbortSignal;
  /** Hands one message over; it is acknowledged once this resolves, never if it throws. */
  deliver: (message: InboxMessage) => Promise<void>;
  logger: Logger;
  /**
   * The hub cannot be reached: seconds to wait before trying again, or undefined to give up
   * (the error is thrown). Without it, the first failure is thrown.
   */
  retryAfter?: (error: HookboxError, attempt: number) => number | undefined;
}

/** Claim, deliver, acknowledge, in inbox order, until stopped (or, not following, until empty). */
export async function consumeInbox(inbox: ConsumableInbox, options: ConsumeOptions): Promise<void> {
  let failures = 0;
  while (!options.signal.aborted) {
    let message: InboxMessage | undefined;
    try {
      message = await inbox.next({
        waitS: options.follow ? FOLLOW_WAIT_S : 0,
        leaseS: options.leaseS,
        signal: options.signal,
      });
      failures = 0;
    } catch (error) {
      if (options.signal.aborted) return;
      const delay =
        isHookboxError(error) && error.code === ErrorCode.NotRunning
          ? options.retryAfter?.(error, (failures += 1))
          : undefined;
      if (delay === undefined) throw error;
      await sleep(delay * 1000, undefined, { signal: options.signal }).catch(() => undefined);
      continue;
    }
    if (!message) {
      if (!options.follow) return;
      continue;
    }
    await options.deliver(message);
    try {
      await inbox.ack(message.id, message.claims);
    } catch (error) {
      // Delivered, but the lease had run out and another consumer claimed it: it will be
      // delivered twice, which the claim fence makes visible rather than silent.
      if (!isHookboxError(error) || error.code !== ErrorCode.Conflict) throw error;
      options.logger.warn(`message ${message.id} was delivered after its lease ran out: ${error.message}`);
    }
  }
}
