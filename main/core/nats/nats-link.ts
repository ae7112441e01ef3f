import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import {
  connect,
  credsAuthenticator,
  nanos,
  nkeyAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import type { Clock } from '../clock.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import { HookboxError } from '../errors.ts';
import type { EventInput } from '../events/event-schema.ts';
import type { MessageSource } from '../inbox/inbox.ts';
import type { OutboxStore } from '../lifecycle/outbox-store.ts';
import { newId } from '../util/ids.ts';
import type { NatsConfig, NatsSubscription } from './nats-config.ts';
import { inboxText, readNatsRecord, type NatsRecord } from './nats-messages.ts';

// The hub's link to NATS JetStream, one connection for both directions.
//
// Publish: a record to publish is an outbox row (channel 'nats', the same table as webhooks and
// ntfy) written in the record's own transaction (queueInTransaction); this loop sends the rows one at a time in the order they
// were written, each with Nats-Msg-Id = the record's Hookbox id (JetStream drops a duplicate), and
// deletes a row once JetStream acknowledged it. While NATS is unreachable the rows wait; the head
// of the queue says why. One at a time keeps the order per subject across an outage.
//
// Subscribe: each [[nats.subscribe]] binds a durable pull consumer (explicit ack, up to WINDOW
// messages unacknowledged). A message is validated (nats-messages.ts; an invalid one is terminated
// with the reason logged, never retried) and handed to the inbox's or the history's write path with
// its id in nats_received, in the order received: the messages of one turn share a commit and its
// fsync, and each is acknowledged only once its commit is on disk. A crash before the commit means
// a redelivery, one after it a duplicate that the id turns away. Order per subject holds through
// failures: a message is stored only if the one before it was, and a session that ends with
// messages unacknowledged (a crash, a failed commit) makes the next start again after the
// consumer's ack floor, so no newer message overtakes them.
//
// Bad credentials or an unreachable server: one log line per distinct error, the state in
// status(), retries with backoff; the hub keeps serving locally.

export type NatsState = 'connecting' | 'connected' | 'disconnected' | 'error' | 'stopped';

export interface NatsSubscriptionStatus {
  subject: string;
  durable: string;
  into: string;
  received: number;
  duplicates: number;
  terminated: number;
  last_error: string | null;
}

export interface NatsStatus {
  state: NatsState;
  servers: string[];
  server: string | null;
  host: string;
  stream: string;
  error: string | null;
  /** Records waiting in the outbox to be published. */
  pending: number;
  published: number;
  subscriptions: NatsSubscriptionStatus[];
}

export interface NatsLinkDeps {
  config: NatsConfig;
  db: Database;
  store: OutboxStore;
  writes: WriteBatcher;
  clock: Clock;
  logger: Logger;
  /** The inbox's one write path; `alsoWrite` runs in the message's transaction. */
  intoInbox: (
    input: { session: string; source: MessageSource; label: string; content: string },
    alsoWrite: () => void,
  ) => Promise<unknown>;
  /** The history's one record path (notifications included); `alsoWrite` runs in the event's transaction. */
  intoEvents: (input: EventInput, alsoWrite: () => void) => Promise<unknown>;
}

const BATCH = 200;
/**
 * Messages a subscription holds unacknowledged: received, their commits under way. Those of one
 * turn share a commit and its fsync; each is acknowledged once its own commit is on disk.
 */
const WINDOW = 64;

interface ConsumeChain {
  /** The id of the message last handed to the write path in this session. */
  previous: string | undefined;
  /** Messages refused before their write (terminated): the next one may follow them. */
  refused: Set<string>;
  failed: boolean;
  /** A commit failed: stop taking messages; the next session starts again from the ack floor. */
  fail: () => void;
}
const PUBLISH_TIMEOUT_MS = 5_000;
const MAX_RETRY_MS = 30_000;
const STOP_DEADLINE_MS = 5_000;
const RECEIVED_KEPT_MS = 30 * 24 * 3_600_000;

/** A NATS or JetStream error in one line. */
function describeNatsError(error: unknown): string {
  const e = error as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const message = e.message ?? String(error);
  const cause = e.cause?.code ?? e.cause?.message;
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}

function authOptions(config: NatsConfig): Partial<NodeConnectionOptions> {
  const auth = config.auth;
  switch (auth.kind) {
    case 'token':
      return { token: auth.token };
    case 'user':
      return { user: auth.user, pass: auth.password };
    case 'nkey':
      return { authenticator: nkeyAuthenticator(auth.seed) };
    case 'creds':
      return { authenticator: credsAuthenticator(auth.creds) };
    case 'none':
      return {};
  }
}

export class NatsLink {
  readonly #deps: NatsLinkDeps;
  readonly #config: NatsConfig;
  readonly #seen: Statement<{ consumer: string; msg_id: string }, { one: number }>;
  readonly #remember: Statement;
  readonly #subs: NatsSubscriptionStatus[];
  #running = false;
  #nc: NatsConnection | undefined;
  #js: JetStreamClient | undefined;
  #state: NatsState = 'connecting';
  #error: string | null = null;
  #lastLogged: string | null = null;
  #published = 0;
  #wake: (() => void) | undefined;
  readonly #consumers = new Set<ConsumerMessages>();
  readonly #loops = new Set<Promise<void>>();
  readonly #sleeps = new Set<() => void>();

  constructor(deps: NatsLinkDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.#seen = deps.db.prepare('SELECT 1 AS one FROM nats_received WHERE consumer = @consumer AND msg_id = @msg_id');
    this.#remember = deps.db.prepare(
      'INSERT INTO nats_received (consumer, msg_id, received_at) VALUES (@consumer, @msg_id, @received_at)',
    );
    this.#subs = this.#config.subscribe.map((s) => ({
      subject: s.subject,
      durable: s.durable,
      into: s.into.kind === 'events' ? 'events' : `inbox:${s.into.session}`,
      received: 0,
      duplicates: 0,
      terminated: 0,
      last_error: null,
    }));
  }

  get host(): string {
    return this.#config.host;
  }

  publishes(kind: NatsConfig['publish'][number]): boolean {
    return this.#config.publish.includes(kind);
  }

  start(): void {
    this.#running = true;
    const cutoff = this.#deps.clock.now().getTime() - RECEIVED_KEPT_MS;
    void this.#deps.writes.write(() =>
      this.#deps.db.prepare('DELETE FROM nats_received WHERE received_at < ?').run(cutoff),
    );
    this.#loop(this.#run());
  }

  /** Closes the connection; a message being received and not committed is redelivered to the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#state = 'stopped';
    for (const c of this.#consumers) await c.close().catch(() => undefined);
    this.#wake?.();
    for (const wake of this.#sleeps) wake();
    await this.#nc?.close().catch(() => undefined);
    await Promise.race([
      Promise.allSettled([...this.#loops]),
      new Promise((resolve) => setTimeout(resolve, STOP_DEADLINE_MS).unref()),
    ]);
  }

  status(): NatsStatus {
    return {
      state: this.#state,
      servers: this.#config.servers,
      server: this.#state === 'connected' ? (this.#nc?.getServer() ?? null) : null,
      host: this.#config.host,
      stream: this.#config.stream,
      error: this.#error,
      pending: this.#deps.store.natsPendingCount(),
      published: this.#published,
      subscriptions: this.#subs.map((s) => ({ ...s })),
    };
  }

  /**
   * Queues a record for publishing on `subject`: its outbox row. Called inside the write that
   * stores the record (db/commit-hooks.ts), so the row commits with it or not at all.
   */
  queueInTransaction(subject: string, record: NatsRecord): void {
    const at = this.#deps.clock.now();
    this.#deps.store.insert({
      id: newId(),
      channel: 'nats',
      event_id: record.id,
      event: record.kind,
      hook: subject,
      url: subject,
      body: JSON.stringify(record),
      max_attempts: 0,
      timeout_ms: PUBLISH_TIMEOUT_MS,
      next_attempt_at: at.getTime(),
      created_at: at.toISOString(),
    });
    // The transaction commits before any microtask runs (better-sqlite3 is synchronous).
    queueMicrotask(() => this.#wake?.());
  }

  #loop(work: Promise<void>): void {
    const task = work
      .catch((error: unknown) => this.#deps.logger.error({ err: error }, `NATS: ${describeNatsError(error)}`))
      .finally(() => this.#loops.delete(task));
    this.#loops.add(task);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#sleeps.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#sleeps.add(done);
    });
  }

  /** Logs a problem once (not again until it changes or clears) and shows it in status(). */
  #problem(state: NatsState, message: string): void {
    this.#state = state;
    this.#error = message;
    if (this.#lastLogged === message) return;
    this.#lastLogged = message;
    this.#deps.logger.error(`NATS: ${message}; the hub keeps serving locally and retries`);
  }

  async #run(): Promise<void> {
    const { servers } = this.#config;
    let delay = 1_000;
    while (this.#running && !this.#nc) {
      try {
        this.#nc = await connect({
          servers,
          name: `hookbox ${this.#config.host}`,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1_000,
          timeout: 5_000,
          // Each request (every publish) would build an Error up front for a longer stack trace:
          // about a twentieth of the fan-out's CPU, for errors we log as one line anyway.
          noAsyncTraces: true,
          ...authOptions(this.#config),
        });
      } catch (error) {
        this.#problem(
          'error',
          `cannot connect to ${servers.join(', ')}: ${describeNatsError(error)}${this.#authHint()}`,
        );
        await this.#sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
    const nc = this.#nc;
    if (!nc || !this.#running) {
      await nc?.close();
      return;
    }
    this.#state = 'connecting';
    this.#error = null;
    this.#lastLogged = null;
    this.#loop(this.#watch(nc));
    const jsm = await jetstreamManager(nc);
    this.#js = jetstream(nc);
    await this.#ensureStream(jsm);
    // Connected once the stream is there (what is published to hookbox.> from now on is kept),
    // unless the stream step or the connection said otherwise meanwhile.
    if (this.#error === null) this.#state = 'connected';
    this.#deps.logger.info(`NATS: connected to ${nc.getServer()} as host ${this.#config.host}`);
    this.#loop(this.#publish());
    for (const sub of this.#config.subscribe) this.#loop(this.#consume(jsm, sub));
  }

  /** What Hookbox can tell about a refusal: a .creds file whose user JWT is past its expiry. */
  #authHint(): string {
    const auth = this.#config.auth;
    if (auth.kind !== 'creds' || !auth.expiresAt || auth.expiresAt > this.#deps.clock.now()) return '';
    return ` (the user JWT in ${auth.file} expired at ${auth.expiresAt.toISOString()})`;
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (!this.#running) return;
      if (s.type === 'disconnect') this.#problem('disconnected', `disconnected from ${s.server}`);
      else if (s.type === 'reconnect') {
        this.#state = 'connected';
        this.#error = null;
        this.#lastLogged = null;
        this.#deps.logger.info(`NATS: reconnected to ${s.server}`);
        this.#wake?.();
      } else if (s.type === 'error') this.#problem(this.#state, `${describeNatsError(s.error)}${this.#authHint()}`);
    }
  }

  /** Uses the stream if it exists, creates it (hookbox.>) if the account may. */
  async #ensureStream(jsm: JetStreamManager): Promise<void> {
    const name = this.#config.stream;
    try {
      await jsm.streams.info(name);
      return;
    } catch (error) {
      if (!/stream not found/i.test(describeNatsError(error))) {
        this.#problem(this.#state, `JetStream stream ${name}: ${describeNatsError(error)}`);
        return;
      }
    }
    try {
      await jsm.streams.add({ name, subjects: ['hookbox.>'], storage: StorageType.File });
      this.#deps.logger.info(`NATS: created JetStream stream ${name} for hookbox.>`);
    } catch (error) {
      this.#problem(this.#state, `no JetStream stream ${name}, and creating it failed: ${describeNatsError(error)}`);
    }
  }

  async #publish(): Promise<void> {
    let delay = 500;
    while (this.#running) {
      const js = this.#js;
      const batch = js && this.#state === 'connected' ? this.#deps.store.natsPending(BATCH) : [];
      if (!js || batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, 1_000).unref();
        });
        continue;
      }
      const done: string[] = [];
      try {
        for (const row of batch) {
          if (!this.#running) break;
          await js.publish(row.url, row.body, { msgID: row.event_id, timeout: PUBLISH_TIMEOUT_MS });
          done.push(row.id);
        }
        delay = 500;
      } catch (error) {
        const head = batch[done.length];
        const message = `publishing ${head?.url ?? ''} failed: ${describeNatsError(error)}`;
        if (head)
          await this.#deps.writes.write(() =>
            this.#deps.store.noteFailure(head.id, message, this.#deps.clock.now().toISOString()),
          );
        this.#problem(this.#state === 'connected' ? 'error' : this.#state, message);
        await this.#sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
        if (this.#state === 'error' && this.#nc && !this.#nc.isClosed()) this.#state = 'connected';
      } finally {
        if (done.length > 0) {
          // Not waiting for the disk: a removal lost in a power cut only publishes those rows
          // again (the same Nats-Msg-Id; subscribers drop the copy), as a crash before it would.
          await this.#deps.writes.write(() => this.#deps.store.remove(done), { durable: false });
          this.#published += done.length;
        }
      }
    }
  }

  async #consume(jsm: JetStreamManager, sub: NatsSubscription): Promise<void> {
    const status = this.#subs.find((s) => s.durable === sub.durable)!;
    const config = {
      durable_name: sub.durable,
      filter_subject: sub.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(sub.ackWaitMs),
      max_ack_pending: WINDOW,
    };
    let delay = 1_000;
    while (this.#running) {
      try {
        await this.#bindConsumer(jsm, sub, config);
        const consumer = await this.#js!.consumers.get(this.#config.stream, sub.durable);
        const messages = await consumer.consume({ max_messages: WINDOW });
        this.#consumers.add(messages);
        status.last_error = null;
        const receiving = new Set<Promise<void>>();
        const chain: ConsumeChain = {
          previous: undefined,
          refused: new Set(),
          failed: false,
          fail: () => {
            chain.failed = true;
            void messages.close().catch(() => undefined);
          },
        };
        try {
          for await (const m of messages) {
            if (!this.#running || chain.failed) break;
            const task = this.#receive(sub, status, m, chain).finally(() => receiving.delete(task));
            receiving.add(task);
          }
        } finally {
          this.#consumers.delete(messages);
          await Promise.allSettled([...receiving]);
        }
        if (chain.failed) {
          this.#problem(this.#state, `consumer ${sub.durable} on ${sub.subject}: ${status.last_error}`);
          await this.#sleep(delay);
          delay = Math.min(delay * 2, MAX_RETRY_MS);
        } else delay = 1_000;
      } catch (error) {
        if (!this.#running) return;
        status.last_error = describeNatsError(error);
        this.#problem(this.#state, `consumer ${sub.durable} on ${sub.subject}: ${status.last_error}`);
        await this.#sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
  }

  /**
   * Creates the durable consumer, or brings an existing one in line. One that still has messages
   * delivered and not acknowledged (a crash, a failed commit) starts again after its ack floor:
   * waiting for their redelivery would let newer messages overtake them through the free places of
   * the window. What of them was committed comes back as a duplicate and is acknowledged.
   */
  async #bindConsumer(
    jsm: JetStreamManager,
    sub: NatsSubscription,
    config: Partial<ConsumerConfig> & { durable_name: string },
  ): Promise<void> {
    const stream = this.#config.stream;
    const info = await jsm.consumers.info(stream, sub.durable).catch((error: unknown) => {
      if (/consumer not found/i.test(describeNatsError(error))) return undefined;
      throw error;
    });
    if (!info) {
      await jsm.consumers.add(stream, config);
      return;
    }
    if (info.num_ack_pending > 0) {
      await jsm.consumers.delete(stream, sub.durable);
      await jsm.consumers.add(stream, {
        ...config,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: info.ack_floor.stream_seq + 1,
      });
      return;
    }
    const { durable_name: _d, deliver_policy: _p, ...update } = config;
    await jsm.consumers.update(stream, sub.durable, update);
  }

  /**
   * Validates a message and hands it to the write path. Synchronously: the messages of one turn
   * commit together, in the order received. A message is stored only if the one handed over before
   * it was (`chain.previous`), so a failed commit never lets a later message overtake it; the
   * failure ends the session (`chain.failed`), and the next one starts again from the ack floor.
   */
  #receive(sub: NatsSubscription, status: NatsSubscriptionStatus, m: JsMsg, chain: ConsumeChain): Promise<void> {
    const parsed = readNatsRecord(m.data);
    const terminate = (reason: string) => {
      status.terminated += 1;
      this.#deps.logger.warn(
        { subject: m.subject, seq: m.seq, durable: sub.durable },
        `NATS: message ${m.seq} on ${m.subject} terminated (not retried): ${reason}`,
      );
      // No reason on the wire: nats-server before 2.10.4 ignores a "+TERM reason" (the message
      // then comes back every ack_wait). The reason is in our log.
      m.term();
    };
    if (!parsed.ok) return Promise.resolve(terminate(parsed.reason));
    const record = parsed.record;
    const msgId = m.headers?.get('Nats-Msg-Id') || record.id;
    const key = { consumer: sub.durable, msg_id: msgId };
    if (this.#seen.get(key)) {
      status.duplicates += 1;
      m.ack();
      return Promise.resolve();
    }
    const after = chain.previous;
    const remember = () => {
      if (after !== undefined && !chain.refused.has(after) && !this.#seen.get({ consumer: sub.durable, msg_id: after }))
        throw new Error(`message ${m.seq} follows one that was not stored`);
      this.#remember.run({ ...key, received_at: this.#deps.clock.now().getTime() });
    };
    let writing: Promise<unknown>;
    if (sub.into.kind === 'inbox') {
      const label =
        record.kind === 'inbox' && record.record.label
          ? `nats:${record.host} ${record.record.label}`
          : `nats:${record.host}`;
      writing = this.#deps.intoInbox(
        {
          session: sub.into.session,
          source: record.kind === 'inbox' ? record.record.source : 'background',
          label: label.slice(0, 200),
          content: inboxText(record),
        },
        remember,
      );
    } else if (record.kind === 'event') {
      const r = record.record;
      writing = this.#deps.intoEvents(
        { ...r, metadata: { ...r.metadata, host: record.host, nats: { subject: m.subject, id: record.id } } },
        remember,
      );
    } else return Promise.resolve(terminate(`into = "events" takes event records, not ${record.kind}`));
    // Handed over (its write is queued; `remember` runs at the commit): the next message follows it.
    chain.previous = msgId;
    return writing.then(
      () => {
        status.received += 1;
        m.ack();
      },
      (error: unknown) => {
        // A record the local side refuses (too large, an unknown session name…) never gets better.
        // Refused before its write (a microtask, ahead of the batch's commit): the next may follow it.
        if (error instanceof HookboxError) {
          chain.refused.add(msgId);
          return terminate(error.message);
        }
        // The first failure is the reason; those after it only followed it.
        if (!chain.failed) status.last_error = describeNatsError(error);
        chain.fail();
      },
    );
  }
}
