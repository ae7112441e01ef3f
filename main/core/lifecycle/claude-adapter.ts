import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { ErrorCode, HookboxError } from '../errors.ts';
import type { Priority } from '../notify/notifier.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import type { LoomEvent } from './lifecycle-events.ts';
import type { MergedResult } from './loom-protocol.ts';
import { JsonTooDeepError, parseJsonInput } from '../util/json-input.ts';

// Claude Code's hook protocol in and out. Claude Code runs `hookbox claude-hook` with its hook
// JSON on stdin; it is mapped to the Loom event and Context that match:
//
//   PreToolUse        → pre-tool-call   (tool_call: name, command = tool_input.command, args = tool_input)
//   PostToolUse       → post-tool-call  (+ response: the tool's output)
//   UserPromptSubmit  → pre-prompt      (metadata.prompt)
//   SessionStart      → on-claim        (metadata.source)
//   Notification      → on-block        (response: the message) + desktop notification + inbox
//   Stop              → post-response   (response: Claude's last message) + desktop notification + inbox
//   SubagentStop      → post-response
//
// and the chain's answer goes back in Claude Code's terms: a block is exit 2 with the reason on
// stderr, or with --json the JSON form (PreToolUse: hookSpecificOutput.permissionDecision "deny";
// PostToolUse / UserPromptSubmit: decision "block"). A new_context becomes additionalContext.
// An allowed tool call answers nothing: "allow" would skip Claude Code's own permission prompt,
// which is not ours to waive.

export const ClaudeHookInput = Type.Object(
  {
    hook_event_name: Type.String({ minLength: 1 }),
    session_id: Type.Optional(Type.String()),
    transcript_path: Type.Optional(Type.String()),
    cwd: Type.Optional(Type.String()),
    permission_mode: Type.Optional(Type.String()),
    tool_name: Type.Optional(Type.String()),
    tool_input: Type.Optional(Type.Unknown()),
    tool_response: Type.Optional(Type.Unknown()),
    tool_use_id: Type.Optional(Type.String()),
    prompt: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    notification_type: Type.Optional(Type.String()),
    source: Type.Optional(Type.String()),
    stop_hook_active: Type.Optional(Type.Boolean()),
    last_assistant_message: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type ClaudeHookInput = Static<typeof ClaudeHookInput>;
const checkInput = Compile(ClaudeHookInput);

export interface ClaudeNotice {
  title: string;
  message: string;
  priority: Priority;
  /** The text of the inbox message. */
  inbox: string;
}

export interface ClaudeMapping {
  claudeEvent: string;
  event: LoomEvent;
  payload: Record<string, unknown>;
  notice: ClaudeNotice | null;
}

export interface ClaudeAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function parseClaudeInput(text: string): ClaudeHookInput {
  let value: unknown;
  try {
    value = parseJsonInput(text, "Claude Code's hook input");
  } catch (error) {
    if (error instanceof JsonTooDeepError) throw new HookboxError(ErrorCode.InvalidInput, error.message);
    throw new HookboxError(ErrorCode.InvalidInput, `Claude Code's hook input is not JSON: ${(error as Error).message}`);
  }
  if (!checkInput.Check(value)) {
    const problem = describeSchemaIssues([...checkInput.Errors(value)]);
    throw new HookboxError(ErrorCode.InvalidInput, `Claude Code's hook input: ${problem?.message ?? 'invalid'}`);
  }
  return value as ClaudeHookInput;
}

function firstLine(text: string, max = 200): string {
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A tool's output as text: Bash's {stdout, stderr}, a string, or JSON. */
function responseText(response: unknown): string {
  if (typeof response === 'string') return response;
  const r = response as { stdout?: unknown; stderr?: unknown } | null;
  if (r && (typeof r.stdout === 'string' || typeof r.stderr === 'string')) {
    return [r.stdout, r.stderr].filter((s): s is string => typeof s === 'string' && s !== '').join('\n');
  }
  return response === undefined ? '' : JSON.stringify(response);
}

/** Maps Claude Code's input to a Hookbox event; null when no event matches (SessionEnd, PreCompact …). */
export function mapClaudeHook(input: ClaudeHookInput): ClaudeMapping | null {
  const project = input.cwd ? basename(input.cwd) : null;
  const metadata: Record<string, unknown> = {
    ...(input.cwd ? { cwd: input.cwd } : {}),
    claude: {
      hook_event_name: input.hook_event_name,
      ...(input.session_id ? { session_id: input.session_id } : {}),
      ...(input.transcript_path ? { transcript_path: input.transcript_path } : {}),
      ...(input.permission_mode ? { permission_mode: input.permission_mode } : {}),
      ...(input.tool_use_id ? { tool_use_id: input.tool_use_id } : {}),
    },
  };
  const base = { agent_id: 'claude-code', ...(input.session_id ? { issue_id: input.session_id } : {}), metadata };
  const toolInput = input.tool_input as { command?: unknown } | undefined;
  const toolCall = {
    name: input.tool_name ?? 'unknown',
    ...(typeof toolInput?.command === 'string' ? { command: toolInput.command } : {}),
    ...(input.tool_input !== undefined ? { args: input.tool_input } : {}),
  };
  const where = project ? ` (${project})` : '';
  const session = input.session_id ? `\nClaude Code session ${input.session_id}${input.cwd ? ` in ${input.cwd}` : ''}` : '';
  switch (input.hook_event_name) {
    case 'PreToolUse':
      return { claudeEvent: 'PreToolUse', event: 'pre-tool-call', payload: { ...base, tool_call: toolCall }, notice: null };
    case 'PostToolUse':
      return { claudeEvent: 'PostToolUse', event: 'post-tool-call', payload: { ...base, tool_call: toolCall, response: responseText(input.tool_response) }, notice: null };
    case 'UserPromptSubmit':
      return { claudeEvent: 'UserPromptSubmit', event: 'pre-prompt', payload: { ...base, metadata: { ...metadata, prompt: input.prompt ?? '' } }, notice: null };
    case 'SessionStart':
      return { claudeEvent: 'SessionStart', event: 'on-claim', payload: { ...base, metadata: { ...metadata, source: input.source ?? 'startup' } }, notice: null };
    case 'Notification': {
      const message = input.message?.trim() || 'Claude Code needs your attention';
      return {
        claudeEvent: 'Notification',
        event: 'on-block',
        payload: { ...base, response: message, metadata: { ...metadata, notification_type: input.notification_type ?? null } },
        notice: {
          title: `Claude Code${where}${input.title && input.title !== 'Claude Code' ? `: ${input.title}` : ''}`,
          message,
          priority: input.notification_type === 'permission_prompt' ? 'high' : 'normal',
          inbox: `Claude Code${where}: ${message}${session}`,
        },
      };
    }
    case 'Stop':
    case 'SubagentStop': {
      const last = input.last_assistant_message ?? '';
      const summary = firstLine(last) || 'finished responding';
      return {
        claudeEvent: input.hook_event_name,
        event: 'post-response',
        payload: { ...base, response: last },
        notice:
          input.hook_event_name === 'Stop'
            ? { title: `Claude Code finished${where}`, message: summary, priority: 'normal', inbox: `Claude Code finished${where}: ${summary}${session}` }
            : null,
      };
    }
    default:
      return null;
  }
}

const CONTEXT_EVENTS = new Set(['PostToolUse', 'UserPromptSubmit', 'SessionStart']);
const BLOCKABLE = new Set(['PreToolUse', 'PostToolUse', 'UserPromptSubmit']);

/** The chain's decision in Claude Code's protocol. */
export function claudeAnswer(mapping: ClaudeMapping, decision: { allowed: boolean; reason: string | null; hook: string | null; result: MergedResult }, options: { json: boolean }): ClaudeAnswer {
  const name = mapping.claudeEvent;
  if (!decision.allowed) {
    const reason = `Hookbox${decision.hook ? ` (${decision.hook})` : ''} blocked this: ${decision.reason ?? 'blocked'}`;
    if (!BLOCKABLE.has(name)) return { exitCode: 0, stdout: '', stderr: `hookbox: ${reason} — but Claude Code's ${name} cannot be blocked; ignored\n` };
    if (!options.json) return { exitCode: 2, stdout: '', stderr: `${reason}\n` };
    const body =
      name === 'PreToolUse'
        ? { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } }
        : { decision: 'block', reason };
    return { exitCode: 0, stdout: `${JSON.stringify(body)}\n`, stderr: '' };
  }
  if (decision.result.new_context && CONTEXT_EVENTS.has(name)) {
    return { exitCode: 0, stdout: `${JSON.stringify({ hookSpecificOutput: { hookEventName: name, additionalContext: decision.result.new_context } })}\n`, stderr: '' };
  }
  return { exitCode: 0, stdout: '', stderr: '' };
}

export function unsupportedAnswer(name: string): ClaudeAnswer {
  return { exitCode: 0, stdout: '', stderr: `hookbox: Claude Code's ${name} has no Hookbox event; nothing to do\n` };
}

const TRANSCRIPT_TAIL_BYTES = 1024 * 1024;

/**
 * Claude's last message from the transcript (JSONL), for Claude Code versions whose Stop input
 * has no last_assistant_message. Reads the last megabyte at most; null when there is none.
 */
export function lastAssistantMessage(transcriptPath: string): string | null {
  let fd: number | undefined;
  try {
    const size = statSync(transcriptPath).size;
    const length = Math.min(size, TRANSCRIPT_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fd = openSync(transcriptPath, 'r');
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').reverse();
    for (const line of lines) {
      if (!line.trim().startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as { type?: string; message?: { role?: string; content?: unknown } };
        if (entry.type !== 'assistant' && entry.message?.role !== 'assistant') continue;
        const content = entry.message?.content;
        const text = typeof content === 'string' ? content : Array.isArray(content) ? content.filter((c: { type?: string }) => c?.type === 'text').map((c: { text?: string }) => c.text ?? '').join('\n') : '';
        if (text.trim() !== '') return text;
      } catch {
        // A partial first line of the tail, or not JSON.
      }
    }
    return null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
