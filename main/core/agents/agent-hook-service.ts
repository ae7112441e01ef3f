import type { Clock } from '../clock.ts';
import type { EventLog } from '../events/event-log.ts';
import type { RecordedEvent } from '../events/event-schema.ts';
import type { Inbox } from '../inbox/inbox.ts';
import type { LifecycleService } from '../lifecycle/lifecycle-service.ts';
import { NO_ANSWER, type AgentAdapter, type AgentAnswer, type AgentCall, type AgentVerdict } from './agent-adapter.ts';
import type { AgentTerminal } from './agent-terminal.ts';

// The hub's side of `agent-hook` and Claude Code's http hook — one path for both:
// 1. the chain decides (LifecycleService.agentEvent: recorded as a lifecycle event, notices);
// 2. with `[claude] inbox = "SESSION"`, Claude Code's Stop takes in the messages waiting there
//    (`decision: "block"` with them as the reason, at most MAX_STOP_CONTINUATIONS stops in a row)
//    and SessionStart adds them as context; each message is claimed and acknowledged;
// 3. each tool call goes into the events history (kind "agent"): the pre call when it is decided,
//    completed by its post call (paired by the agent's tool-use id) with the duration and outcome;
// 4. the verdict is answered in the agent's protocol.
// The agent's tool call waits for the answer, so the records are committed (visible to every
// reader) before it goes out but not waited on to reach the disk (WriteOptions.durable).

export const MAX_STOP_CONTINUATIONS = 8;
const DRAIN_MAX_MESSAGES = 20;
const DRAIN_LEASE_MS = 60_000;
const PENDING_CALLS_KEPT = 10_000;
const TERMINALS_KEPT = 500;
const SUMMARY_CHARS = 500;
const OUTPUT_CHARS = 4_000;

export interface AgentHookServiceDeps {
  lifecycle: LifecycleService;
  eventLog: EventLog;
  inbox: Inbox;
  clock: Clock;
  /** A history event was recorded or completed (the window's live list). */
  onRecorded?: (event: RecordedEvent) => void;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The tool input in one line: the shell command, a file path, or the JSON. */
export function inputSummary(call: AgentCall): string {
  const tool = call.tool;
  if (!tool) return '';
  if (tool.command !== null) return clip(tool.command.replace(/\s+/g, ' ').trim(), SUMMARY_CHARS);
  const input = tool.input as Record<string, unknown> | null;
  const path =
    input && typeof input === 'object' ? (input.file_path ?? input.path ?? input.url ?? input.pattern) : undefined;
  if (typeof path === 'string') return clip(path, SUMMARY_CHARS);
  return clip(typeof tool.input === 'string' ? tool.input : JSON.stringify(tool.input ?? {}), SUMMARY_CHARS);
}

export class AgentHookService {
  readonly #deps: AgentHookServiceDeps;
  /** agent + tool-use id → the recorded pre call waiting for its result. */
  readonly #pending = new Map<string, { event: RecordedEvent; startedMs: number }>();
  /** agent + session → stops answered with inbox messages in a row. */
  readonly #continuations = new Map<string, number>();
  /** Notified event id → the terminal of the session it is about (a click brings it forward). */
  readonly #terminals = new Map<string, AgentTerminal>();

  constructor(deps: AgentHookServiceDeps) {
    this.#deps = deps;
  }

  async handle(
    adapter: AgentAdapter,
    call: AgentCall | null,
    options: { json: boolean; terminal?: AgentTerminal | null },
  ): Promise<{ answer: AgentAnswer; event_id: string | null }> {
    if (!call) return { answer: NO_ANSWER, event_id: null };
    const drainSession = adapter.id === 'claude' ? this.#deps.lifecycle.config.claudeInbox : null;
    const { verdict, event_id, result } = await this.#deps.lifecycle.agentEvent(adapter, call, {
      skipInbox: drainSession,
    });
    // The events that raise a notification (Notification, Stop) remember where their session runs.
    if (options.terminal && (call.kind === 'notification' || call.kind === 'stop')) {
      this.#terminals.set(event_id, options.terminal);
      if (this.#terminals.size > TERMINALS_KEPT) this.#terminals.delete(this.#terminals.keys().next().value!);
    }
    if (drainSession) await this.#drain(adapter, call, verdict, drainSession);
    const rule = (result.result.data.safety_guard as { rule?: unknown } | undefined)?.rule;
    await this.#record(adapter, call, verdict, event_id, typeof rule === 'string' ? rule : null);
    return { answer: adapter.answer(call, verdict, options), event_id };
  }

  /** The terminal of the agent session a notified event is about, when its hook said. */
  terminalOf(eventId: string): AgentTerminal | null {
    return this.#terminals.get(eventId) ?? null;
  }

  async #drain(adapter: AgentAdapter, call: AgentCall, verdict: AgentVerdict, session: string): Promise<void> {
    const key = `${adapter.id}\u0000${call.session ?? ''}`;
    if (call.kind === 'stop') {
      // A stop that is not a continuation starts the count again.
      const count = call.stopHookActive ? (this.#continuations.get(key) ?? 0) : 0;
      if (count >= MAX_STOP_CONTINUATIONS) {
        this.#continuations.delete(key);
        return;
      }
      const messages = await this.#take(session);
      if (messages.length === 0) {
        this.#continuations.delete(key);
        return;
      }
      this.#continuations.set(key, count + 1);
      verdict.continueWith = `Messages for you in the Hookbox inbox '${session}':\n\n${messages.join('\n\n')}`;
    } else if (call.kind === 'session-start') {
      const messages = await this.#take(session);
      if (messages.length === 0) return;
      const text = `Messages waiting in the Hookbox inbox '${session}':\n\n${messages.join('\n\n')}`;
      verdict.context = verdict.context ? `${verdict.context}\n\n${text}` : text;
    }
  }

  /** Claims and acknowledges the waiting messages (oldest first); their texts. */
  async #take(session: string): Promise<string[]> {
    const texts: string[] = [];
    for (let i = 0; i < DRAIN_MAX_MESSAGES; i += 1) {
      const message = await this.#deps.inbox.claimNext(session, DRAIN_LEASE_MS);
      if (!message) break;
      await this.#deps.inbox.ack(session, message.id, message.claims);
      texts.push(message.source_label ? `[${message.source_label}] ${message.content}` : message.content);
    }
    return texts;
  }

  async #record(
    adapter: AgentAdapter,
    call: AgentCall,
    verdict: AgentVerdict,
    lifecycleEventId: string,
    guardRule: string | null,
  ): Promise<void> {
    const tool = call.tool;
    if (!tool) return;
    const pairKey = tool.useId ? `${adapter.id}\u0000${tool.useId}` : null;
    if (call.kind === 'post-tool' || call.kind === 'tool-failure') {
      const failed = call.kind === 'tool-failure';
      const output = clip(failed ? (call.error ?? '') : (call.response ?? ''), OUTPUT_CHARS);
      const pending = pairKey ? this.#pending.get(pairKey) : undefined;
      if (pending) {
        this.#pending.delete(pairKey!);
        const done: RecordedEvent = {
          ...pending.event,
          exit_code: failed ? 1 : 0,
          duration_ms: Math.max(0, this.#deps.clock.now().getTime() - pending.startedMs),
          output,
          metadata: { ...pending.event.metadata, state: failed ? 'failed' : 'done', post_event_id: lifecycleEventId },
        };
        await this.#deps.eventLog.update(done, { durable: false });
        this.#deps.onRecorded?.(done);
        return;
      }
      const event = await this.#deps.eventLog.record(
        {
          kind: 'agent',
          command: `${tool.name}: ${inputSummary(call)}`,
          exit_code: failed ? 1 : 0,
          duration_ms: 0,
          output,
          metadata: this.#metadata(adapter, call, verdict, lifecycleEventId, guardRule, failed ? 'failed' : 'done'),
        },
        { durable: false },
      );
      this.#deps.onRecorded?.(event);
      return;
    }
    // Pre calls; a permission request only when it was refused (the pre call already has the rest).
    if (call.kind !== 'pre-tool' && !(call.kind === 'permission-request' && !verdict.allowed)) return;
    const denied = !verdict.allowed;
    const event = await this.#deps.eventLog.record(
      {
        kind: 'agent',
        command: `${tool.name}: ${inputSummary(call)}`,
        exit_code: denied ? 2 : 0,
        duration_ms: 0,
        output: denied ? (verdict.reason ?? '') : '',
        metadata: this.#metadata(
          adapter,
          call,
          verdict,
          lifecycleEventId,
          guardRule,
          denied ? 'denied' : pairKey ? 'running' : 'allowed',
        ),
      },
      { durable: false },
    );
    this.#deps.onRecorded?.(event);
    if (!denied && pairKey) {
      this.#pending.set(pairKey, { event, startedMs: this.#deps.clock.now().getTime() });
      // Calls whose result never came (interrupted) are forgotten oldest first.
      if (this.#pending.size > PENDING_CALLS_KEPT) this.#pending.delete(this.#pending.keys().next().value!);
    }
  }

  #metadata(
    adapter: AgentAdapter,
    call: AgentCall,
    verdict: AgentVerdict,
    lifecycleEventId: string,
    guardRule: string | null,
    state: string,
  ): Record<string, unknown> {
    return {
      agent: adapter.id,
      agent_name: adapter.label,
      session: call.session,
      tool: call.tool?.name ?? null,
      tool_use_id: call.tool?.useId ?? null,
      input: inputSummary(call),
      cwd: call.cwd,
      hook_event: call.nativeEvent,
      decision: verdict.allowed ? 'allow' : 'deny',
      reason: verdict.reason,
      // The handler that denied, and the safety-guard rule when it was the guard.
      rule: verdict.hook,
      ...(guardRule ? { guard_rule: guardRule } : {}),
      state,
      lifecycle_event_id: lifecycleEventId,
    };
  }
}
