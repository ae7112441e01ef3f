import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, isHookboxError, type HookboxError } from '../core/errors.ts';
import type { InboxMessage } from '../core/inbox/inbox.ts';
import type { ApiRoutes } from '../core/http/api-routes.ts';
import type { Logger } from '../core/logger.ts';
import type { ApiClient } from './api-client.ts';

// The one way a client process reads a session inbox of the running hub: claim the next message
// under a lease (GET /sessions/X/next), hand it over, acknowledge it with the claim number
// (POST …/ack?claim=N). `hookbox run` (attached) and `hookbox mcp` both consume through here; the
// hook claims that point hooks at the session (POST /hooks/claims) are kept here too.

/** Longest wait of one long poll: inside the API client's 30 s request timeout. */
export const LONG_POLL_S = 25;

/** A session inbox of the running hub, seen through its control API. */
export class SessionInbox {
  readonly client: ApiClient;
  readonly session: string;

  constructor(client: ApiClient, session: string) {
    this.client = client;
    this.session = session;
  }

  /**
   * Claims the next message, waiting up to `waitS` seconds (split into long polls the client's
   * timeout allows). Undefined when none came in time or `signal` aborted.
   */
  async next(options: { waitS: number; leaseS: number; signal?: AbortSignal }): Promise<InboxMessage | undefined> {
    const deadline = Date.now() + options.waitS * 1000;
    for (;;) {
      const wait = Math.max(0, Math.min(LONG_POLL_S, Math.ceil((deadline - Date.now()) / 1000)));
      const { json } = await this.client.call('GET /sessions/:name/next', {
        params: { name: this.session },
        query: { wait, lease: options.leaseS },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (json) return json.message;
      if (Date.now() >= deadline || options.signal?.aborted) return undefined;
    }
  }

  /** Acknowledges a claimed message; `claim` (its `claims` count when claimed) fences a lapsed lease. */
  async ack(id: string, claim?: number): Promise<InboxMessage> {
    const { json } = await this.client.call('POST /sessions/:name/messages/:id/ack', {
      params: { name: this.session, id },
      query: { claim },
    });
    return json.message;
  }

  /** Newest first, at most `limit`. */
  async list(limit: number): Promise<InboxMessage[]> {
    const { json } = await this.client.call('GET /sessions/:name/inbox', {
      params: { name: this.session },
      query: { limit },
    });
    return json.messages;
  }
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
export async function consumeInbox(inbox: SessionInbox, options: ConsumeOptions): Promise<void> {
  let failures = 0;
  while (!options.signal.aborted) {
    let message: InboxMessage | undefined;
    try {
      message = await inbox.next({
        waitS: options.follow ? LONG_POLL_S : 0,
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

type HookClaimBody = ApiRoutes['POST /hooks/claims']['response']['claim'];

/** How long the hub keeps a claim without renewal; renewed three times per period. */
export const CLAIM_TTL_S = 30;

/**
 * Points hooks at a session while this process runs (POST /hooks/claims): the hub starts those
 * disabled in its config and routes them to the session; the claim is renewed, taken again when it
 * lapsed (the hub was busy or restarted), and given back by release(). Killed, it stops renewing
 * and the hub gives the hooks back after CLAIM_TTL_S.
 */
export class HookClaimKeeper {
  #claim: HookClaimBody | undefined;
  #renewal: NodeJS.Timeout | undefined;
  #released = false;

  readonly client: ApiClient;
  readonly session: string;
  readonly hooks: string[];
  readonly logger: Logger;

  private constructor(client: ApiClient, session: string, hooks: string[], logger: Logger) {
    this.client = client;
    this.session = session;
    this.hooks = hooks;
    this.logger = logger;
  }

  /** Takes the claim now (throws when the hub refuses it) and keeps it. */
  static async take(client: ApiClient, session: string, hooks: string[], logger: Logger): Promise<HookClaimKeeper> {
    const keeper = new HookClaimKeeper(client, session, hooks, logger);
    await keeper.#take();
    keeper.#keep();
    return keeper;
  }

  /**
   * Keeps trying to take the claim until the hub answers (a server started before the hub),
   * then keeps it. Returns at once; `signal` stops the attempts.
   */
  static eventually(
    client: ApiClient,
    session: string,
    hooks: string[],
    logger: Logger,
    signal: AbortSignal,
  ): HookClaimKeeper {
    const keeper = new HookClaimKeeper(client, session, hooks, logger);
    const attempt = async () => {
      for (let tries = 0; !signal.aborted; tries += 1) {
        try {
          await keeper.#take();
          // Released while the hub was answering: give it straight back.
          if (keeper.#released) await keeper.#giveBack();
          else keeper.#keep();
          return;
        } catch (error) {
          if (tries === 0 || !isHookboxError(error) || error.code !== ErrorCode.NotRunning)
            logger.warn(`cannot claim ${hooks.join(', ')} for session ${session} yet: ${(error as Error).message}`);
          await sleep(2_000, undefined, { signal }).catch(() => undefined);
        }
      }
    };
    void attempt();
    return keeper;
  }

  async #take(): Promise<void> {
    this.#claim = (
      await this.client.call('POST /hooks/claims', {
        body: { session: this.session, hooks: this.hooks, ttl_s: CLAIM_TTL_S },
      })
    ).json.claim;
  }

  #keep(): void {
    const renew = async () => {
      try {
        await this.client.call('POST /hooks/claims/:id/renew', {
          params: { id: this.#claim!.id },
          body: { ttl_s: CLAIM_TTL_S },
        });
      } catch (error) {
        if (!isHookboxError(error) || error.code !== ErrorCode.NotFound) throw error;
        await this.#take();
        this.logger.warn(`the claim on ${this.hooks.join(', ')} had lapsed; claimed again for session ${this.session}`);
      }
    };
    this.#renewal = setInterval(
      () => {
        renew().catch((error: Error) =>
          this.logger.error(
            `cannot keep ${this.hooks.join(', ')} pointed at session ${this.session}: ${error.message}`,
          ),
        );
      },
      (CLAIM_TTL_S * 1000) / 3,
    );
    this.#renewal.unref();
  }

  /** Gives the hooks back (the claim lapses by itself if the hub cannot be told). */
  async release(): Promise<void> {
    this.#released = true;
    clearInterval(this.#renewal);
    await this.#giveBack();
  }

  async #giveBack(): Promise<void> {
    const claim = this.#claim;
    this.#claim = undefined;
    if (!claim) return;
    await this.client
      .call('DELETE /hooks/claims/:id', { params: { id: claim.id } })
      .catch((error: Error) =>
        this.logger.warn(
          `could not give back ${this.hooks.join(', ')}: ${error.message} (the claim lapses within ${CLAIM_TTL_S} s)`,
        ),
      );
  }
}
