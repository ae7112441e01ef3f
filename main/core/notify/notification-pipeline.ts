import { newId } from '../util/ids.ts';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { WriteBatcher } from '../db/write-batcher.ts';
import type { CommitHookRunner } from '../db/commit-hooks.ts';
import type { NotificationSettings, NotifyWhen } from '../config/settings-schema.ts';
import type { RecordedEvent } from '../events/event-schema.ts';
import {
  NotificationStore,
  type Delivery,
  type NotificationRecord,
  type NotificationSource,
} from './notification-store.ts';
import { evaluateRules, finishedText, isFailure, shortCommand, type RuleDecision } from './notification-rules.ts';
import type { TerminalFocus } from './focus/terminal-focus.ts';
import { formatDuration } from '../../shared/format-duration.ts';
import type { DesktopNotification, Notifier, Priority } from './notifier.ts';
import { analyzeEvent, postToNotifyService, type FetchLike } from './remote-calls.ts';
import type { OutboxStore } from '../lifecycle/outbox-store.ts';
import { routeNotification } from './notification-routing.ts';
import { ntfyMessage } from './ntfy.ts';

export type { NotificationRecord } from './notification-store.ts';

export interface NotificationPipelineOptions {
  settings: () => NotificationSettings;
  notifier: Notifier;
  db: Database;
  writes: WriteBatcher;
  logger: Logger;
  clock: Clock;
  fetch?: FetchLike;
  /** True while the user paused notifications (the tray or the window): nothing is raised. */
  paused?: () => boolean;
  /** For rules whose `when` is "unfocused": is the command's terminal in front? Default: never known. */
  focus?: TerminalFocus;
  /** The outbox ntfy pushes go through, and how to wake its worker. */
  outbox?: { store: OutboxStore; kick: () => void };
  /** This machine's name (a tag on every push). */
  host?: string;
  /** The desktop's idle time in ms, null where the platform does not tell it. */
  idleMs?: () => number | null;
  /** Writes that commit with each notification (the NATS outbox). */
  commitHooks?: CommitHookRunner<{ notification: NotificationRecord }>;
}

/** `hookbox notify-next` (or the tray): the next command that ends in one of these shells, or in any. */
interface NextCommandArm {
  /** The shell's pid and its ancestors' (the CLI cannot tell which is the shell); null: any shell. */
  pids: number[] | null;
  /** The command line that armed it ends first: it is passed over (and says which shell it was). */
  skipOne: boolean;
}

/**
 * Decides whether an event deserves a notification (the analysis server when configured and
 * answering, the rules otherwise), delivers it to the desktop and the notify service, and
 * records what was raised and where it went.
 */
export class NotificationPipeline {
  readonly #options: NotificationPipelineOptions;
  readonly #store: NotificationStore;
  readonly #fetch: FetchLike;
  #arms: NextCommandArm[] = [];

  constructor(options: NotificationPipelineOptions) {
    this.#options = options;
    this.#store = new NotificationStore(options.db);
    this.#fetch = options.fetch ?? fetch;
  }

  /**
   * Decides and delivers the notification for one recorded event, if any. Returns null, not a
   * promise, when nothing can come of it (paused, or no rule fires and no analysis server asks):
   * that is most events, and a promise chain per event costs ingestion measurably.
   */
  handle(event: RecordedEvent): Promise<NotificationRecord | null> | null {
    if (this.#arms.length > 0 && this.#takeArm(event)) return this.#notifyNext(event);
    if (this.#options.paused?.()) return null;
    const settings = this.#options.settings();
    const byRules = evaluateRules(event, {
      ...settings,
      onFailure: settings.onFailure && settings.failureWhen !== 'never',
      onLongRunning: settings.onLongRunning && settings.longRunningWhen !== 'never',
    });
    if (!byRules && !settings.bamlUrl) return null;
    const when = byRules?.rule === 'failure' ? settings.failureWhen : byRules ? settings.longRunningWhen : 'always';
    return this.#inFront(event, when).then((inFront) =>
      inFront
        ? null
        : this.#decide(event, settings, byRules).then((decision) =>
            decision ? this.#deliverAndRecord({ ...decision, source: 'command', eventId: event.id }, settings) : null,
          ),
    );
  }

  /** Only asked when the rule says "unfocused"; false when it cannot be told. */
  async #inFront(event: RecordedEvent, when: NotifyWhen): Promise<boolean> {
    if (when !== 'unfocused' || !this.#options.focus) return false;
    const inFront = await this.#options.focus.isFocused(event.metadata);
    if (inFront)
      this.#options.logger.debug({ event_id: event.id }, 'notification not raised: its terminal is in front');
    return inFront;
  }

  /**
   * Arms a one-shot notification for the next command that ends in the shell among `pids` (the
   * command line that armed it is passed over), or with `pids` null in any shell, whatever the
   * rules, focus or a pause say. Arms live until used or the hub stops.
   */
  armNextCommand(pids: number[] | null): void {
    this.#arms.push({ pids, skipOne: pids !== null });
  }

  /** Whether the event uses up an arm (the first that matches). */
  #takeArm(event: RecordedEvent): boolean {
    if (event.kind !== 'shell') return false;
    const pid = event.metadata.pid;
    const index = this.#arms.findIndex(
      (arm) => arm.pids === null || (typeof pid === 'number' && arm.pids.includes(pid)),
    );
    const arm = this.#arms[index];
    if (!arm) return false;
    if (arm.skipOne) {
      // The arming line itself: from now on only this shell counts.
      arm.skipOne = false;
      arm.pids = [pid as number];
      return false;
    }
    this.#arms.splice(index, 1);
    return true;
  }

  #notifyNext(event: RecordedEvent): Promise<NotificationRecord> {
    const settings = this.#options.settings();
    const failed = isFailure(event);
    return this.#deliverAndRecord(
      {
        source: 'command',
        eventId: event.id,
        rule: 'next_command',
        decidedBy: 'rules',
        title: failed ? 'Command failed' : 'Command finished',
        message: `${finishedText(event)} ${formatDuration(event.duration_ms)}: ${shortCommand(event.command)}`,
        priority: failed ? 'high' : 'normal',
      },
      settings,
    );
  }

  /**
   * Raises a notification whose words were decided elsewhere (a lifecycle event: task.failed,
   * a Claude Code notification …) through the same desktop and notify-service delivery, and
   * records it against that event. Paused notifications raise nothing.
   */
  async raise(input: {
    source: NotificationSource;
    eventId: string;
    rule: string;
    title: string;
    message: string;
    priority: Priority;
  }): Promise<NotificationRecord | null> {
    if (this.#options.paused?.()) return null;
    return this.#deliverAndRecord({ ...input, decidedBy: 'rules' }, this.#options.settings());
  }

  async #deliverAndRecord(
    d: {
      source: NotificationSource;
      eventId: string;
      rule: string;
      decidedBy: 'rules' | 'analysis';
      title: string;
      message: string;
      priority: Priority;
    },
    settings: NotificationSettings,
  ): Promise<NotificationRecord> {
    const notification: DesktopNotification = {
      title: d.title,
      message: d.message,
      priority: d.priority,
      eventId: d.eventId,
    };
    const now = this.#options.clock.now();
    const route = routeNotification(settings, d.rule, { now, idleMs: this.#options.idleMs?.() ?? null });
    const deliveries = await Promise.all([
      ...(route.desktop ? [this.#toDesktop(notification)] : []),
      ...(settings.notifyServiceUrl
        ? [this.#toNotifyService(settings.notifyServiceUrl, notification, settings.remoteTimeoutMs)]
        : []),
    ]);
    const id = newId();
    const at = this.#options.clock.now();
    const outbox = this.#options.outbox;
    const ntfy = settings.ntfy && route.ntfy && outbox ? settings.ntfy : undefined;
    // The push is an outbox row written with the notification: queued means it will be sent.
    const push = ntfy
      ? {
          id: newId(),
          channel: 'ntfy' as const,
          event_id: id,
          event: 'ntfy',
          hook: ntfy.topic,
          url: ntfy.url,
          body: JSON.stringify(
            ntfyMessage(ntfy, {
              ...d,
              itemId: d.eventId,
              host: this.#options.host ?? 'hookbox',
              quiet: route.quiet,
            }),
          ),
          max_attempts: ntfy.maxAttempts,
          timeout_ms: ntfy.timeoutMs,
          next_attempt_at: at.getTime(),
          created_at: at.toISOString(),
        }
      : undefined;
    if (push) deliveries.push({ channel: 'ntfy', ok: true });
    else if (route.skipped) this.#options.logger.debug({ rule: d.rule }, `ntfy push skipped: ${route.skipped}`);

    const record: NotificationRecord = {
      id,
      created_at: at.toISOString(),
      event_id: d.eventId,
      source: d.source,
      rule: d.rule,
      decided_by: d.decidedBy,
      title: d.title,
      message: d.message,
      priority: d.priority,
      deliveries,
    };
    const hooks = this.#options.commitHooks?.has('notification') ? this.#options.commitHooks : undefined;
    if (push || hooks)
      await this.#options.writes.write(() => {
        this.#store.insert(record);
        if (push) outbox?.store.insert(push);
        hooks?.run('notification', record);
      });
    else await this.#options.writes.write(() => this.#store.insert(record), { oneStatement: true });
    if (push) outbox?.kick();
    return record;
  }

  forEvent(eventId: string): NotificationRecord[] {
    return this.#store.forEvent(eventId);
  }

  newest(limit: number): NotificationRecord[] {
    return this.#store.newest(limit);
  }

  async #decide(event: RecordedEvent, settings: NotificationSettings, byRules: RuleDecision | null) {
    if (settings.bamlUrl) {
      const analysis = await analyzeEvent(this.#fetch, settings.bamlUrl, event, settings.remoteTimeoutMs);
      if (analysis.ok) {
        const a = analysis.answer;
        if (!a.should_notify) return null;
        return {
          rule: byRules?.rule ?? 'analysis',
          decidedBy: 'analysis' as const,
          title: a.notification_title || byRules?.title || 'Hookbox',
          message: a.notification_message || byRules?.message || event.command,
          priority: a.priority ?? byRules?.priority ?? 'normal',
        };
      }
      this.#options.logger.warn(
        { event_id: event.id, error: analysis.error },
        `analysis server failed (${analysis.error}); the rules decide`,
      );
    }
    return byRules ? { ...byRules, decidedBy: 'rules' as const } : null;
  }

  async #toDesktop(notification: DesktopNotification): Promise<Delivery> {
    const channel = this.#options.notifier.channel;
    try {
      await this.#options.notifier.notify(notification);
      return { channel, ok: true };
    } catch (error) {
      const message = (error as Error).message;
      this.#options.logger.warn({ channel, error: message }, 'desktop notification failed');
      return { channel, ok: false, error: message };
    }
  }

  async #toNotifyService(url: string, notification: DesktopNotification, timeoutMs: number): Promise<Delivery> {
    const result = await postToNotifyService(this.#fetch, url, notification, timeoutMs);
    if (!result.ok)
      this.#options.logger.warn({ error: result.error }, `notify service delivery failed: ${result.error}`);
    return result.ok
      ? { channel: 'notify-service', ok: true }
      : { channel: 'notify-service', ok: false, error: result.error };
  }
}
