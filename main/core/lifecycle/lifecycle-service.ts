import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import type { CommitHookRunner } from '../db/commit-hooks.ts';
import type { Inbox } from '../inbox/inbox.ts';
import type { NotificationPipeline, NotificationRecord } from '../notify/notification-pipeline.ts';
import { newId } from '../util/ids.ts';
import type { BuiltinEffect } from './builtins/builtin-hooks.ts';
import {
  mapAgentCall,
  verdictOf,
  type AgentAdapter,
  type AgentCall,
  type AgentVerdict,
} from '../agents/agent-adapter.ts';
import { clip, envelope, runChain, runEnvelopeScript, type ChainOutcome, type HandlerRun } from './lifecycle-chain.ts';
import {
  describeHandler,
  handlersFor,
  runsInChain,
  type LifecycleConfig,
  type ScriptHandler,
} from './lifecycle-config.ts';
import { resolveEventName, validatePayload, type LifecycleEventName } from './lifecycle-events.ts';
import { lifecycleNotice } from './lifecycle-notifications.ts';
import { LifecycleStore, type LifecycleEventRecord } from './lifecycle-store.ts';
import type { ScriptRunner } from '../process/script-runner.ts';
import { OutboxStore, type Delivery, type DeliverySummary } from './outbox-store.ts';
import { WebhookOutbox, type OutboxHook } from './webhook-outbox.ts';

// The hub's lifecycle hooks: an emitted event is validated, its chain decides, and then — in one
// transaction — the event, every handler run and one outbox row per webhook are stored. After the
// commit: webhooks are sent by the outbox worker, `script` handlers run in the background (their
// outcome recorded when they finish), follow-ups go to the inbox and the notification (task.failed,
// agent.stalled …) is raised. A blocked event is stored with its decision but triggers nothing.

export const LIFECYCLE_EVENTS_KEPT = 100_000;

export interface LifecycleServiceDeps {
  db: Database;
  writes: WriteBatcher;
  clock: Clock;
  logger: Logger;
  /** Environment scripts start from. */
  env: NodeJS.ProcessEnv;
  /** The hub's script runner. */
  scripts: ScriptRunner;
  inbox: Inbox;
  notifications: NotificationPipeline;
  config: LifecycleConfig;
  fetch?: typeof fetch;
  random?: () => number;
  onEvent?: (record: LifecycleEventRecord) => void;
  /** Writes that commit with each lifecycle event (the NATS outbox). */
  commitHooks?: CommitHookRunner<{ lifecycle: LifecycleEventRecord }>;
  onNotification?: (record: NotificationRecord) => void;
  /** A delivery's state changed (an attempt was recorded, or a dead one was revived). */
  onDelivery?: (delivery: DeliverySummary) => void;
  /** The one outbox store (the notification pipeline queues ntfy pushes in it too). */
  outboxStore?: OutboxStore;
  /** The destination of a delivery on another channel than 'webhook' (ntfy), undefined when unconfigured. */
  channelHook?: (delivery: Delivery) => OutboxHook | undefined;
}

export interface EmitResult {
  event_id: string;
  event: LifecycleEventName;
  allowed: boolean;
  reason: string | null;
  hook: string | null;
  duration_ms: number;
  result: ChainOutcome['result'];
  runs: HandlerRun[];
  not_run: string[];
  /** Outbox rows created (one per webhook handler), when allowed. */
  deliveries: string[];
  /** `script` handlers started in the background, when allowed. */
  background: string[];
  followups: number;
}

export interface HandlerView {
  event: string;
  name: string;
  kind: string;
  enabled: boolean;
  in_chain: boolean;
  timeout_s: number;
  on_failure: 'block' | 'allow' | null;
  description: string;
}

export class LifecycleService {
  readonly store: LifecycleStore;
  readonly outboxStore: OutboxStore;
  readonly outbox: WebhookOutbox;
  readonly #deps: LifecycleServiceDeps;
  #config: LifecycleConfig;
  readonly #background = new Set<Promise<unknown>>();

  constructor(deps: LifecycleServiceDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.store = new LifecycleStore(deps.db, { keep: LIFECYCLE_EVENTS_KEPT });
    this.outboxStore = deps.outboxStore ?? new OutboxStore(deps.db);
    this.outbox = new WebhookOutbox({
      store: this.outboxStore,
      writes: deps.writes,
      clock: deps.clock,
      logger: deps.logger.child({ component: 'outbox' }),
      settings: () => this.#config.outbox,
      hookFor: (delivery) =>
        delivery.channel === 'webhook'
          ? this.#webhookFor(delivery.event, delivery.hook, delivery.url)
          : deps.channelHook?.(delivery),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      onAttempt: (delivery) => {
        const { body: _body, ...summary } = delivery;
        deps.onDelivery?.(summary);
      },
    });
  }

  get config(): LifecycleConfig {
    return this.#config;
  }

  start(): void {
    this.outbox.start();
  }

  /** Waits for webhook attempts in flight, background scripts and notifications (each bounded by its timeout). */
  async stop(): Promise<void> {
    await this.outbox.stop();
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  /** A valid config edit: new handlers apply to the next event; pending deliveries keep going. */
  apply(config: LifecycleConfig): void {
    this.#config = config;
    this.outbox.kick();
  }

  handlers(): HandlerView[] {
    return [...this.#config.handlers.values()].flat().map((h) => ({
      event: h.event,
      name: h.name,
      kind: h.kind,
      enabled: h.enabled && this.#config.enabled,
      in_chain: runsInChain(h),
      timeout_s: h.timeoutMs / 1000,
      on_failure: runsInChain(h) ? h.onFailure : null,
      description: describeHandler(h),
    }));
  }

  #webhookFor(event: string, hook: string, url: string) {
    const list = [...(this.#config.handlers.get(event as LifecycleEventName) ?? [])].filter(
      (h) => h.kind === 'webhook',
    );
    const found = list.find((h) => h.name === hook) ?? list.find((h) => h.kind === 'webhook' && h.url === url);
    return found && found.kind === 'webhook' ? { secret: found.secret, headers: found.headers } : undefined;
  }

  #track(work: Promise<unknown>): void {
    const task = work
      .catch((error: unknown) => this.#deps.logger.error({ err: error }, 'lifecycle background work failed'))
      .finally(() => this.#background.delete(task));
    this.#background.add(task);
  }

  /** `durable: false`: answers once the record is committed, not once it is on disk (WriteOptions.durable). */
  async emit(
    name: string,
    data: unknown,
    source: string,
    options: { notify?: boolean; durable?: boolean } = {},
  ): Promise<EmitResult> {
    const event = resolveEventName(name);
    return this.#decide(event, validatePayload(event, data), source, options);
  }

  /** The chain decides a valid payload: stored, delivered, notified. */
  async #decide(
    event: LifecycleEventName,
    payload: Record<string, unknown>,
    source: string,
    options: { notify?: boolean; durable?: boolean },
  ): Promise<EmitResult> {
    const config = this.#config;
    const handlers = handlersFor(config, event);
    const at = this.#deps.clock.now();
    const id = newId();
    const outcome = await runChain(event, payload, handlers, {
      env: this.#deps.env,
      at,
      clock: this.#deps.clock,
      scripts: this.#deps.scripts,
      eventId: id,
      failureCount: (taskId) => this.store.failureCount(taskId),
    });
    const webhooks = outcome.allowed ? handlers.filter((h) => h.kind === 'webhook') : [];
    const body = envelope(event, at, payload);
    const deliveries = webhooks.map((h) => ({
      id: newId(),
      event_id: id,
      event,
      hook: h.name,
      url: h.url,
      body,
      max_attempts: h.retry + 1,
      timeout_ms: h.timeoutMs,
      next_attempt_at: at.getTime(),
      created_at: at.toISOString(),
    }));
    const record: LifecycleEventRecord = {
      id,
      received_at: at.toISOString(),
      event,
      source,
      data: payload,
      allowed: outcome.allowed,
      reason: outcome.reason,
      hook: outcome.hook,
      duration_ms: outcome.duration_ms,
      result: outcome.result,
    };
    await this.#deps.writes.write(
      () => {
        this.store.insertEvent(record);
        this.#deps.commitHooks?.run('lifecycle', record);
        for (const run of outcome.runs) this.store.insertRun(id, run);
        for (const delivery of deliveries) this.outboxStore.insert(delivery);
        for (const effect of outcome.effects) {
          if (effect.kind === 'failure')
            this.store.recordFailure({
              task_id: effect.task_id,
              agent_id: effect.agent_id,
              error: effect.error,
              at: record.received_at,
            });
        }
      },
      { durable: options.durable !== false },
    );
    this.#deps.onEvent?.(record);
    if (deliveries.length > 0) this.outbox.kick();

    const followups = await this.#deliverFollowups(id, event, outcome.effects);
    const background = outcome.allowed ? handlers.filter((h): h is ScriptHandler => h.kind === 'script') : [];
    for (const handler of background) this.#track(this.#runInBackground(id, handler, envelope(event, at, payload)));
    if (outcome.allowed && options.notify !== false && config.notify.has(event)) {
      const notice = lifecycleNotice(event, payload);
      this.#track(this.#raise({ eventId: id, rule: `lifecycle:${event}`, ...notice }));
    }
    return {
      event_id: id,
      event,
      allowed: outcome.allowed,
      reason: outcome.reason,
      hook: outcome.hook,
      duration_ms: outcome.duration_ms,
      result: outcome.result,
      runs: outcome.runs,
      not_run: outcome.not_run,
      deliveries: deliveries.map((d) => d.id),
      background: background.map((h) => h.name),
      followups,
    };
  }

  /**
   * A coding agent's hook call through the matching chain: recorded as a lifecycle event from the
   * agent; Notification and Stop raise a desktop notification and put a message in the inbox
   * (not into `skipInbox`, the session being drained into the agent — it would come straight back).
   */
  async agentEvent(
    adapter: AgentAdapter,
    call: AgentCall,
    options: { skipInbox?: string | null } = {},
  ): Promise<{ verdict: AgentVerdict; event_id: string; result: EmitResult }> {
    // The agent's input was checked once, against its adapter's schema; the payload made from it
    // is ours, so it goes to the chain without a second check.
    const mapping = mapAgentCall(adapter, call);
    // The agent's tool call waits for this answer; the record need not be on disk first.
    const emitted = await this.#decide(mapping.event, mapping.payload, adapter.source, {
      notify: false,
      durable: false,
    });
    const notice = mapping.notice;
    if (notice && this.#config.claudeNotify) {
      this.#track(
        this.#raise({
          eventId: emitted.event_id,
          rule: `${adapter.source}:${call.nativeEvent}`,
          title: notice.title,
          message: notice.message,
          priority: notice.priority,
        }),
      );
      if (options.skipInbox !== this.#config.inboxSession) {
        try {
          await this.#deps.inbox.inject({
            session: this.#config.inboxSession,
            source: 'background',
            label: `${adapter.source} ${call.nativeEvent}`,
            content: notice.inbox,
          });
        } catch (error) {
          this.#deps.logger.error({ err: error }, `${adapter.label} notice not stored in the inbox`);
        }
      }
    }
    return { verdict: verdictOf(emitted), event_id: emitted.event_id, result: emitted };
  }

  /** A dead delivery gets one more attempt now. Resolves with the delivery as revived (pending). */
  async retryDelivery(idOrPrefix: string): Promise<DeliverySummary> {
    const delivery = this.outboxStore.find(idOrPrefix);
    if (!delivery) throw new HookboxError(ErrorCode.NotFound, `no webhook delivery with id ${idOrPrefix}`);
    if (delivery.state !== 'dead')
      throw new HookboxError(
        ErrorCode.Conflict,
        `delivery ${delivery.id} is ${delivery.state}; only a dead one can be retried`,
      );
    const now = this.#deps.clock.now();
    await this.#deps.writes.write(() => this.outboxStore.revive(delivery.id, now.getTime(), now.toISOString()));
    const { body: _body, ...revived } = this.outboxStore.find(delivery.id)!;
    this.#deps.onDelivery?.(revived);
    this.outbox.kick();
    return revived;
  }

  async #raise(input: {
    eventId: string;
    rule: string;
    title: string;
    message: string;
    priority: NotificationRecord['priority'];
  }): Promise<void> {
    const record = await this.#deps.notifications.raise({ source: 'lifecycle', ...input });
    if (record) this.#deps.onNotification?.(record);
  }

  async #deliverFollowups(eventId: string, event: LifecycleEventName, effects: BuiltinEffect[]): Promise<number> {
    let count = 0;
    for (const effect of effects) {
      if (effect.kind !== 'followups') continue;
      for (const item of effect.items) {
        const content = `Follow-up${effect.task_id ? ` for ${effect.task_id}` : ''} (${item.kind}, from ${event}): ${item.text}`;
        try {
          // followup-creator's items are work produced out of band, on the session's behalf, by an
          // automated process: the inbox's "background" source (above skill/inject/webhook).
          await this.#deps.inbox.inject(
            { session: this.#config.inboxSession, source: 'background', label: 'followup-creator', content },
            (message) =>
              this.store.insertFollowup({
                id: newId(),
                event_id: eventId,
                task_id: effect.task_id,
                agent_id: effect.agent_id,
                kind: item.kind,
                text: item.text,
                created_at: message.created_at,
                message_id: message.id,
              }),
          );
          count += 1;
        } catch (error) {
          this.#deps.logger.error({ err: error, event_id: eventId }, 'follow-up not delivered to the inbox');
        }
      }
    }
    return count;
  }

  async #runInBackground(eventId: string, handler: ScriptHandler, input: string): Promise<void> {
    const started = this.#deps.clock.now();
    const out = await runEnvelopeScript(handler, input, { env: this.#deps.env, eventId, scripts: this.#deps.scripts });
    const ok = out.outcome === 'exited' && out.exitCode === 0;
    const run: HandlerRun = {
      id: newId(),
      hook: handler.name,
      kind: handler.kind,
      started_at: started.toISOString(),
      duration_ms: out.durationMs,
      outcome: ok ? 'ok' : 'failed',
      decision: null,
      policy: null,
      exit_code: out.exitCode,
      stdout: clip(out.stdout),
      stderr: clip(out.stderr),
      error: ok ? null : (out.error ?? `exited with ${out.exitCode ?? out.signal}`),
      result: null,
    };
    await this.#deps.writes.write(() => this.store.insertRun(eventId, run));
    if (!ok)
      this.#deps.logger.warn(
        { event_id: eventId, hook: handler.name },
        `lifecycle script ${handler.name} (${handler.event}) failed: ${run.error}`,
      );
  }
}
