import { join, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import {
  blockReason,
  emptyCall,
  inputChecker,
  isBlockable,
  jsonAnswer,
  NO_ANSWER,
  responseText,
  toolOf,
  unblockable,
  type AgentAdapter,
  type AgentAnswer,
  type AgentCall,
  type AgentEventKind,
  type AgentId,
  type AgentVerdict,
  type HooksFileSpec,
} from './agent-adapter.ts';
import { stopContinuation } from './stop-continuation.ts';

// Claude Code's hook protocol (docs: code.claude.com "Hooks reference"; checked 2026). Codex CLI
// speaks the same protocol with fewer events and stricter output schemas, so codex.ts builds its
// adapter from the same function.
//
//   SessionStart → session-start    UserPromptSubmit → prompt       PreToolUse → pre-tool
//   PermissionRequest → permission-request                          PostToolUse → post-tool
//   PostToolUseFailure → tool-failure   Stop → stop   SubagentStart/Stop → subagent-start/stop
//   PreCompact → compaction   Notification → notification   SessionEnd → session-end
//
// A block is exit 2 with the reason on stderr, or with --json the JSON form (PreToolUse:
// hookSpecificOutput.permissionDecision "deny"; PermissionRequest: decision.behavior "deny"; the
// others: decision "block"). A handler's new_context becomes additionalContext. An allowed tool call
// answers nothing: "allow" would skip the agent's own permission prompt, which is not ours to waive —
// unless an allow rule says so (a handler's data.permission = "allow": PermissionRequest
// decision.behavior "allow", PreToolUse permissionDecision "allow").

export const ClaudeHookInput = Type.Object(
  {
    hook_event_name: Type.String({ minLength: 1 }),
    session_id: Type.Optional(Type.String()),
    transcript_path: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    cwd: Type.Optional(Type.String()),
    permission_mode: Type.Optional(Type.String()),
    tool_name: Type.Optional(Type.String()),
    tool_input: Type.Optional(Type.Unknown()),
    tool_response: Type.Optional(Type.Unknown()),
    tool_use_id: Type.Optional(Type.String()),
    error: Type.Optional(Type.Unknown()),
    prompt: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    notification_type: Type.Optional(Type.String()),
    source: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    trigger: Type.Optional(Type.String()),
    agent_id: Type.Optional(Type.String()),
    agent_type: Type.Optional(Type.String()),
    stop_hook_active: Type.Optional(Type.Boolean()),
    last_assistant_message: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type ClaudeHookInput = Static<typeof ClaudeHookInput>;

export const CLAUDE_EVENTS: Record<string, AgentEventKind> = {
  SessionStart: 'session-start',
  SessionEnd: 'session-end',
  UserPromptSubmit: 'prompt',
  PreToolUse: 'pre-tool',
  PermissionRequest: 'permission-request',
  PostToolUse: 'post-tool',
  PostToolUseFailure: 'tool-failure',
  Stop: 'stop',
  SubagentStart: 'subagent-start',
  SubagentStop: 'subagent-stop',
  PreCompact: 'compaction',
  Notification: 'notification',
};

// The events whose hookSpecificOutput takes additionalContext.
const CONTEXT_EVENTS = new Set([
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'SubagentStart',
]);

export interface ClaudeStyle {
  id: AgentId;
  label: string;
  source: string;
  events: (name: string) => AgentEventKind | undefined;
  /** Codex has no --json switch: it always gets the JSON form its schemas describe. */
  alwaysJson: boolean;
  hooksFile: HooksFileSpec;
}

function errorText(error: unknown): string | null {
  if (error === undefined || error === null) return null;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

export function claudeStyleAdapter(style: ClaudeStyle): AgentAdapter {
  const check = inputChecker<ClaudeHookInput>(style.label, ClaudeHookInput);
  return {
    id: style.id,
    label: style.label,
    source: style.source,
    hooksFile: style.hooksFile,
    parse(value) {
      const input = check(value);
      const kind = style.events(input.hook_event_name);
      if (!kind) return null;
      const call: AgentCall = {
        ...emptyCall(style.id, input.hook_event_name, kind),
        session: input.session_id ?? null,
        cwd: input.cwd ?? null,
        transcriptPath: input.transcript_path ?? null,
        prompt: input.prompt ?? null,
        message: input.message ?? null,
        title: input.title ?? null,
        notificationType: input.notification_type ?? null,
        stopHookActive: input.stop_hook_active === true,
        source: input.source ?? input.reason ?? input.trigger ?? input.agent_type ?? null,
      };
      if (input.tool_name !== undefined || input.tool_input !== undefined)
        call.tool = toolOf(input.tool_name, input.tool_input, input.tool_use_id);
      if (kind === 'post-tool') call.response = responseText(input.tool_response);
      if (kind === 'tool-failure') call.error = errorText(input.error);
      if (kind === 'stop' || kind === 'subagent-stop') call.response = input.last_assistant_message ?? null;
      return call;
    },
    answer(call, verdict, options) {
      return claudeStyleAnswer(this, call, verdict, {
        json: style.alwaysJson || options.json,
        codex: style.id === 'codex',
      });
    },
  };
}

function claudeStyleAnswer(
  adapter: AgentAdapter,
  call: AgentCall,
  verdict: AgentVerdict,
  options: { json: boolean; codex: boolean },
): AgentAnswer {
  const name = call.nativeEvent;
  const more = stopContinuation(call, verdict);
  if (more !== null) return jsonAnswer({ decision: 'block', reason: more });
  if (!verdict.allowed) {
    if (!isBlockable(call.kind)) return unblockable(adapter, call, verdict);
    const reason = blockReason(verdict);
    if (!options.json) return { exitCode: 2, stdout: '', stderr: `${reason}\n` };
    if (name === 'PreToolUse')
      return jsonAnswer({
        hookSpecificOutput: {
          hookEventName: 'PreToolUse',
          permissionDecision: 'deny',
          permissionDecisionReason: reason,
        },
      });
    if (name === 'PermissionRequest')
      return jsonAnswer({
        hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: reason } },
      });
    return jsonAnswer({ decision: 'block', reason });
  }
  // An allow rule: only the JSON form can grant (exit 0 alone means "no opinion").
  if (verdict.approved && name === 'PermissionRequest')
    return jsonAnswer({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } });
  if (verdict.approved && name === 'PreToolUse' && !verdict.updatedInput)
    return jsonAnswer({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'allow',
        permissionDecisionReason: 'allowed by a Hookbox rule',
        ...(verdict.context ? { additionalContext: verdict.context } : {}),
      },
    });
  if (name === 'PreToolUse' && verdict.updatedInput) {
    // Changed input goes back with "ask": the user still approves the call, now with what will run.
    return jsonAnswer({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'ask',
        permissionDecisionReason: 'Hookbox changed the tool input',
        updatedInput: verdict.updatedInput,
        ...(verdict.context ? { additionalContext: verdict.context } : {}),
      },
    });
  }
  // Codex's SubagentStart output schema has no additionalContext.
  if (
    verdict.context &&
    CONTEXT_EVENTS.has(name) &&
    !(options.codex && (name === 'SubagentStart' || name === 'PostToolUseFailure'))
  ) {
    return jsonAnswer({ hookSpecificOutput: { hookEventName: name, additionalContext: verdict.context } });
  }
  return NO_ANSWER;
}

export const CLAUDE_HOOK_TIMEOUT_S = 60;

// settings.json: hooks.<Event> is a list of matcher groups; no matcher means every tool. Never
// WorktreeCreate (it wants a path on stdout) or any event Hookbox does not answer.
export const claudeAdapter: AgentAdapter = claudeStyleAdapter({
  id: 'claude',
  label: 'Claude Code',
  source: 'claude-code',
  events: (name) => CLAUDE_EVENTS[name],
  alwaysJson: false,
  hooksFile: {
    path: ({ project, env, home }) =>
      project !== undefined
        ? join(resolve(project), '.claude', 'settings.json')
        : join(env.CLAUDE_CONFIG_DIR || join(home, '.claude'), 'settings.json'),
    events: Object.keys(CLAUDE_EVENTS),
    entry: (_event, command) => ({ hooks: [{ type: 'command', command, timeout: CLAUDE_HOOK_TIMEOUT_S }] }),
    skeleton: {},
    grouped: true,
  },
});
