import { basename } from 'node:path';
import { Type, type Static, type TSchema } from 'typebox';
import { schemaCheck } from '../util/schema-check.ts';
import { ErrorCode, HookboxError } from '../errors.ts';
import { JsonTooDeepError, parseJsonInput } from '../util/json-input.ts';
import type { LifecycleEventName } from '../lifecycle/lifecycle-events.ts';
import type { Priority } from '../notify/notifier.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';

// One small interface for every coding agent's hook protocol. An adapter reads the agent's hook
// JSON (checked once against its schema) into an AgentCall — what happened, in Hookbox's words —
// and renders the chain's verdict back in the agent's own protocol (exit code, stderr, stdout
// JSON). Which lifecycle event an AgentCall becomes is decided here, once, for all agents.

export const AGENT_IDS = ['claude', 'codex', 'copilot', 'cursor', 'gemini'] as const;
export type AgentId = (typeof AGENT_IDS)[number];

/** What the agent's event means, whichever agent sent it. */
export type AgentEventKind =
  | 'session-start'
  | 'session-end'
  | 'prompt'
  | 'pre-tool'
  | 'permission-request'
  | 'post-tool'
  | 'tool-failure'
  | 'stop'
  | 'subagent-start'
  | 'subagent-stop'
  | 'compaction'
  | 'notification';

export interface AgentTool {
  name: string;
  input: unknown;
  /** The shell command, for a shell tool. */
  command: string | null;
  /** The agent's id for this call (Claude's tool_use_id …), to pair pre and post. */
  useId: string | null;
}

export interface AgentCall {
  agent: AgentId;
  /** The event's name in the agent's own words (PreToolUse, beforeShellExecution …). */
  nativeEvent: string;
  kind: AgentEventKind;
  session: string | null;
  cwd: string | null;
  tool: AgentTool | null;
  /** A tool's output (post-tool) or the agent's last message (stop). */
  response: string | null;
  error: string | null;
  prompt: string | null;
  /** A notification's text and title, and its type (permission_prompt …). */
  message: string | null;
  title: string | null;
  notificationType: string | null;
  /** True when the agent is already continuing because a stop hook said so. */
  stopHookActive: boolean;
  /** SessionStart's source (startup, resume …) or a subagent's name. */
  source: string | null;
  transcriptPath: string | null;
}

/** The chain's decision, in Hookbox's words. */
export interface AgentVerdict {
  allowed: boolean;
  reason: string | null;
  /** The handler that blocked. */
  hook: string | null;
  /** Text for the agent's context (a handler's new_context). */
  context: string | null;
  /** Replacement tool input (a handler's data.updated_input), for agents that accept one. */
  updatedInput: Record<string, unknown> | null;
  /** On a stop: keep working with this text as the next prompt (the inbox drain). */
  continueWith: string | null;
  /**
   * An allow rule matched (a handler's data.permission = "allow"): a permission request is
   * granted for the user, a tool call goes ahead without the agent's prompt. Absent: no opinion,
   * the agent asks as it would. A deny anywhere in the chain wins (allowed is then false).
   */
  approved?: boolean;
}

/** What the agent's hook command prints and exits with; the hub sends it to `agent-hook` as it is. */
export const AgentAnswerSchema = Type.Object({
  exitCode: Type.Integer(),
  stdout: Type.String(),
  stderr: Type.String(),
});
export type AgentAnswer = Static<typeof AgentAnswerSchema> & {
  /** The JSON object stdout holds, when the answer is one (Claude Code's http hook answers with it). */
  json?: Record<string, unknown>;
};

export const NO_ANSWER: AgentAnswer = { exitCode: 0, stdout: '', stderr: '' };

/** Input that is not the agent's: a non-blocking error in every agent's protocol (exit 1, shown to the user). */
export function notAgentInput(message: string): AgentAnswer {
  return { exitCode: 1, stdout: '', stderr: `hookbox: ${message}\n` };
}

export interface AgentAdapter {
  id: AgentId;
  /** The agent's name for people (Claude Code, Codex CLI …). */
  label: string;
  /** The lifecycle `source` and `agent_id` its events carry. */
  source: string;
  /**
   * The agent's hook input as an AgentCall; null for an event Hookbox does not handle (it passes
   * untouched). `event` is the event name from the command line, for agents whose input does not
   * name it (Copilot's camelCase payloads). Throws InvalidInput for input that is not the agent's.
   */
  parse(value: unknown, event?: string): AgentCall | null;
  /** The verdict in the agent's protocol. `json`: answer with JSON where the agent also takes exit 2. */
  answer(call: AgentCall, verdict: AgentVerdict, options: { json: boolean }): AgentAnswer;
  /** Where the agent reads its hooks and how Hookbox's entries look there. */
  hooksFile: HooksFileSpec;
}

/** Where an agent reads its hooks and how Hookbox's entries look there (agent-install.ts edits it). */
export interface HooksFileSpec {
  /** The agent's hooks file: the user's, or the project's under `project`. */
  path(options: { project?: string; env: NodeJS.ProcessEnv; home: string }): string;
  /** The events Hookbox registers, in the agent's names. */
  events: readonly string[];
  /** The element added to hooks[event] for `command`. */
  entry(event: string, command: string): Record<string, unknown>;
  /** Extra arguments after `agent-hook AGENT` for an event (Copilot: --event). */
  args?(event: string): string[];
  /** Keys a new file starts with (Copilot and Cursor: version 1). */
  skeleton: Record<string, unknown>;
  /** hooks[event] holds matcher groups `{matcher, hooks: [...]}` (Claude, Codex, Gemini), not hooks. */
  grouped: boolean;
}

/** A schema checker that throws InvalidInput naming the agent and the field. */
export function inputChecker<T>(agent: string, schema: TSchema): (value: unknown) => T {
  const checker = schemaCheck(schema);
  return (value) => {
    if (!checker.Check(value)) {
      const problem = describeSchemaIssues([...checker.Errors(value)]);
      throw new HookboxError(ErrorCode.InvalidInput, `${agent}'s hook input: ${problem?.message ?? 'invalid'}`);
    }
    return value as T;
  };
}

/** Parses the bytes an agent wrote on stdin; InvalidInput when they are not JSON. */
export function parseJson(agent: string, text: string): unknown {
  try {
    return parseJsonInput(text, `${agent}'s hook input`);
  } catch (error) {
    if (error instanceof JsonTooDeepError) throw new HookboxError(ErrorCode.InvalidInput, error.message);
    throw new HookboxError(ErrorCode.InvalidInput, `${agent}'s hook input is not JSON: ${(error as Error).message}`);
  }
}

export function emptyCall(agent: AgentId, nativeEvent: string, kind: AgentEventKind): AgentCall {
  return {
    agent,
    nativeEvent,
    kind,
    session: null,
    cwd: null,
    tool: null,
    response: null,
    error: null,
    prompt: null,
    message: null,
    title: null,
    notificationType: null,
    stopHookActive: false,
    source: null,
    transcriptPath: null,
  };
}

export function toolOf(name: string | undefined, input: unknown, useId?: string | null): AgentTool {
  const args = typeof input === 'string' ? parseMaybeJson(input) : input;
  const command = (args as { command?: unknown } | null)?.command;
  return {
    name: name ?? 'unknown',
    input: args,
    command: typeof command === 'string' ? command : null,
    useId: useId ?? null,
  };
}

/** Some agents send tool arguments as a JSON string; an object when it is one. */
function parseMaybeJson(text: string): unknown {
  try {
    const value = parseJsonInput(text, 'tool arguments');
    return typeof value === 'object' && value !== null ? value : text;
  } catch {
    return text;
  }
}

/** A tool's output as text: Bash's {stdout, stderr}, a string, or JSON. */
export function responseText(response: unknown): string {
  if (typeof response === 'string') return response;
  const r = response as { stdout?: unknown; stderr?: unknown } | null;
  if (r && (typeof r.stdout === 'string' || typeof r.stderr === 'string')) {
    return [r.stdout, r.stderr].filter((s): s is string => typeof s === 'string' && s !== '').join('\n');
  }
  return response === undefined || response === null ? '' : JSON.stringify(response);
}

export function firstLine(text: string, max = 200): string {
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The words a block carries to the agent. */
export function blockReason(verdict: AgentVerdict): string {
  return `Hookbox${verdict.hook ? ` (${verdict.hook})` : ''} blocked this: ${verdict.reason ?? 'blocked'}`;
}

export function jsonAnswer(body: Record<string, unknown>): AgentAnswer {
  return { exitCode: 0, stdout: `${JSON.stringify(body)}\n`, stderr: '', json: body };
}

// --- From an AgentCall to a lifecycle event ------------------------------------------------------

export interface AgentNotice {
  title: string;
  message: string;
  priority: Priority;
  /** The text of the inbox message. */
  inbox: string;
}

export interface AgentMapping {
  event: LifecycleEventName;
  payload: Record<string, unknown>;
  /** Raised as a desktop notification and put in the inbox by the hub. */
  notice: AgentNotice | null;
}

const EVENT_OF: Record<AgentEventKind, LifecycleEventName> = {
  'session-start': 'on-claim',
  'session-end': 'pre-close',
  prompt: 'pre-prompt',
  'pre-tool': 'pre-tool-call',
  'permission-request': 'pre-tool-call',
  'post-tool': 'post-tool-call',
  'tool-failure': 'on-error',
  stop: 'post-response',
  'subagent-start': 'agent.spawned',
  'subagent-stop': 'agent.completed',
  compaction: 'pre-compact',
  notification: 'on-block',
};

/** Whether a block from the chain can stop what the agent is doing (others are only recorded). */
export function isBlockable(kind: AgentEventKind): boolean {
  return kind === 'pre-tool' || kind === 'permission-request' || kind === 'prompt' || kind === 'post-tool';
}

export function mapAgentCall(adapter: AgentAdapter, call: AgentCall): AgentMapping {
  const project = call.cwd ? basename(call.cwd) : null;
  const agentMeta = {
    name: adapter.id,
    event: call.nativeEvent,
    ...(call.session ? { session_id: call.session } : {}),
    ...(call.tool?.useId ? { tool_use_id: call.tool.useId } : {}),
    ...(call.transcriptPath ? { transcript_path: call.transcriptPath } : {}),
  };
  // Claude Code's events keep their `metadata.claude` key (scripts written for claude-hook read it).
  const legacy =
    adapter.id === 'claude'
      ? {
          claude: {
            hook_event_name: call.nativeEvent,
            ...(call.session ? { session_id: call.session } : {}),
            ...(call.tool?.useId ? { tool_use_id: call.tool.useId } : {}),
          },
        }
      : {};
  const metadata: Record<string, unknown> = { ...(call.cwd ? { cwd: call.cwd } : {}), agent: agentMeta, ...legacy };
  const base: Record<string, unknown> = {
    agent_id: adapter.source,
    ...(call.session ? { issue_id: call.session } : {}),
    metadata,
  };
  const toolCall = call.tool
    ? {
        name: call.tool.name,
        ...(call.tool.command !== null ? { command: call.tool.command } : {}),
        ...(call.tool.input !== undefined ? { args: call.tool.input } : {}),
      }
    : { name: 'unknown' };
  const where = project ? ` (${project})` : '';
  const session = call.session ? `\n${adapter.label} session ${call.session}${call.cwd ? ` in ${call.cwd}` : ''}` : '';
  const event = EVENT_OF[call.kind];
  switch (call.kind) {
    case 'pre-tool':
    case 'permission-request':
      return { event, payload: { ...base, tool_call: toolCall }, notice: null };
    case 'post-tool':
      return { event, payload: { ...base, tool_call: toolCall, response: call.response ?? '' }, notice: null };
    case 'tool-failure':
      return {
        event,
        payload: { ...base, tool_call: toolCall, error: call.error?.trim() || 'the tool failed' },
        notice: null,
      };
    case 'prompt':
      return { event, payload: { ...base, metadata: { ...metadata, prompt: call.prompt ?? '' } }, notice: null };
    case 'session-start':
      return { event, payload: { ...base, metadata: { ...metadata, source: call.source ?? 'startup' } }, notice: null };
    case 'session-end':
    case 'compaction':
      return {
        event,
        payload: { ...base, metadata: { ...metadata, ...(call.source ? { source: call.source } : {}) } },
        notice: null,
      };
    case 'subagent-start':
    case 'subagent-stop':
      return {
        event,
        payload: {
          ...base,
          ...(call.source ? { subagent: call.source } : {}),
          ...(call.response ? { summary: call.response } : {}),
        },
        notice: null,
      };
    case 'notification': {
      const message = call.message?.trim() || `${adapter.label} needs your attention`;
      return {
        event,
        payload: { ...base, response: message, metadata: { ...metadata, notification_type: call.notificationType } },
        notice: {
          title: `${adapter.label}${where}${call.title && call.title !== adapter.label ? `: ${call.title}` : ''}`,
          message,
          priority:
            call.notificationType === 'permission_prompt' || call.notificationType === 'ToolPermission'
              ? 'high'
              : 'normal',
          inbox: `${adapter.label}${where}: ${message}${session}`,
        },
      };
    }
    case 'stop': {
      const last = call.response ?? '';
      const summary = firstLine(last) || 'finished responding';
      return {
        event,
        payload: { ...base, response: last },
        notice: {
          title: `${adapter.label} finished${where}`,
          message: summary,
          priority: 'normal',
          inbox: `${adapter.label} finished${where}: ${summary}${session}`,
        },
      };
    }
  }
}

/** The chain outcome as a verdict. */
export function verdictOf(outcome: {
  allowed: boolean;
  reason: string | null;
  hook: string | null;
  result: { new_context: string | null; data: Record<string, unknown> };
}): AgentVerdict {
  const updated = outcome.result.data.updated_input;
  return {
    allowed: outcome.allowed,
    reason: outcome.reason,
    hook: outcome.hook,
    context: outcome.result.new_context,
    updatedInput:
      typeof updated === 'object' && updated !== null && !Array.isArray(updated)
        ? (updated as Record<string, unknown>)
        : null,
    continueWith: null,
    ...(outcome.allowed && outcome.result.data.permission === 'allow' ? { approved: true } : {}),
  };
}

/** A block the agent cannot act on is only reported on stderr. */
export function unblockable(adapter: AgentAdapter, call: AgentCall, verdict: AgentVerdict): AgentAnswer {
  return {
    exitCode: 0,
    stdout: '',
    stderr: `hookbox: ${blockReason(verdict)} — but ${adapter.label}'s ${call.nativeEvent} cannot be blocked; ignored\n`,
  };
}
