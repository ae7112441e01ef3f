import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, isHookboxError } from '../core/errors.ts';
import type { InboxMessage } from '../core/inbox/inbox.ts';
import type { ApiRoutes } from '../core/http/api-routes.ts';
import type { ConsumableInbox } from '../core/inbox/inbox-consumer.ts';
import type { Logger } from '../core/logger.ts';
import type { ApiClient } from './api-client.ts';

// A session inbox of the running hub for a client process: claim the next message under a lease
// (GET /sessions/X/next), acknowledge it with the claim number (POST …/ack?claim=N). The loop
// that consumes it is core/inbox/inbox-consumer.ts, the same for a hub of this process's own.
// The hook claims that point hooks at the session (POST /hooks/claims) are kept here too.

/** Longest wait of one long poll: inside the API client's 30 s request timeout. */
const LONG_POLL_S = 25;

/** A session inbox of the running hub, seen through its control API. */
export class SessionInbox implements ConsumableInbox {
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
