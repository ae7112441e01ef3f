import { Type, type Static } from 'typebox';
import { join, resolve } from 'node:path';
import { ErrorCode, HookboxError } from '../errors.ts';
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
  type AgentCall,
  type AgentEventKind,
} from './agent-adapter.ts';
import { stopContinuation } from './stop-continuation.ts';

// GitHub Copilot CLI's hooks (github/docs content/copilot/reference/copilot-cli-reference/
// cli-hooks-reference.md; checked 2026). The payload's shape follows the event name in the hook
// file: a camelCase name (preToolUse) sends camelCase fields and no event name, so the installed
// command names it (`agent-hook copilot --event preToolUse`); a PascalCase name (PreToolUse)
// sends snake_case fields with hook_event_name, like VS Code's Copilot extension.
//
// Answers are JSON only (Copilot logs and skips a failing hook, so exit 2 would not deny):
// preToolUse `permissionDecision` "deny" + `permissionDecisionReason`, `modifiedArgs` for changed
// input; permissionRequest `behavior` "deny" + `message`; agentStop/subagentStop `decision`
// "block" + `reason` (the next prompt); postToolUseFailure and notification `additionalContext`.

const EVENTS: Record<string, AgentEventKind> = {
  sessionStart: 'session-start',
  sessionEnd: 'session-end',
  userPromptSubmitted: 'prompt',
  preToolUse: 'pre-tool',
  permissionRequest: 'permission-request',
  postToolUse: 'post-tool',
  postToolUseFailure: 'tool-failure',
  errorOccurred: 'tool-failure',
  agentStop: 'stop',
  subagentStart: 'subagent-start',
  subagentStop: 'subagent-stop',
  preCompact: 'compaction',
  notification: 'notification',
};
const PASCAL: Record<string, string> = {
  SessionStart: 'sessionStart',
  SessionEnd: 'sessionEnd',
  UserPromptSubmit: 'userPromptSubmitted',
  PreToolUse: 'preToolUse',
  PermissionRequest: 'permissionRequest',
  PostToolUse: 'postToolUse',
  PostToolUseFailure: 'postToolUseFailure',
  ErrorOccurred: 'errorOccurred',
  Stop: 'agentStop',
  SubagentStart: 'subagentStart',
  SubagentStop: 'subagentStop',
  PreCompact: 'preCompact',
  Notification: 'notification',
};

const Str = Type.Optional(Type.String());
export const CopilotHookInput = Type.Object(
  {
    hook_event_name: Str,
    sessionId: Str,
    session_id: Str,
    timestamp: Type.Optional(Type.Union([Type.Number(), Type.String()])),
    cwd: Str,
    toolName: Str,
    tool_name: Str,
    toolArgs: Type.Optional(Type.Unknown()),
    tool_input: Type.Optional(Type.Unknown()),
    toolResult: Type.Optional(Type.Unknown()),
    tool_result: Type.Optional(Type.Unknown()),
    error: Type.Optional(Type.Unknown()),
    prompt: Str,
    source: Str,
    reason: Str,
    trigger: Str,
    transcriptPath: Str,
    transcript_path: Str,
    agentName: Str,
    agent_name: Str,
    message: Str,
    title: Str,
    notification_type: Str,
  },
  { additionalProperties: true },
);
type CopilotHookInput = Static<typeof CopilotHookInput>;
const check = inputChecker<CopilotHookInput>('Copilot CLI', CopilotHookInput);

function errorText(error: unknown): string | null {
  if (error === undefined || error === null) return null;
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : JSON.stringify(error);
}

export const copilotAdapter: AgentAdapter = {
  id: 'copilot',
  label: 'Copilot CLI',
  source: 'copilot-cli',
  // Hookbox's own file, .github/hooks/hookbox.json in a repository or ~/.copilot/hooks/hookbox.json;
  // camelCase event names, each command told its event.
  hooksFile: {
    path: ({ project, env, home }) =>
      project !== undefined
        ? join(resolve(project), '.github', 'hooks', 'hookbox.json')
        : join(env.COPILOT_HOME || join(home, '.copilot'), 'hooks', 'hookbox.json'),
    events: Object.keys(EVENTS),
    entry: (_event, command) => ({ type: 'command', bash: command, timeoutSec: 30 }),
    args: (event) => ['--event', event],
    skeleton: { version: 1 },
    grouped: false,
  },
  parse(value, event) {
    const input = check(value);
    const named = event ?? input.hook_event_name;
    if (!named)
      throw new HookboxError(
        ErrorCode.InvalidInput,
        "Copilot CLI's hook input names no event: install with `hookbox agents install copilot` (it passes --event)",
      );
    const camel = PASCAL[named] ?? named;
    const kind = EVENTS[camel];
    if (!kind) return null;
    const call: AgentCall = {
      ...emptyCall('copilot', named, kind),
      session: input.sessionId ?? input.session_id ?? null,
      cwd: input.cwd ?? null,
      transcriptPath: input.transcriptPath ?? input.transcript_path ?? null,
      prompt: input.prompt ?? null,
      message: input.message ?? null,
      title: input.title ?? null,
      notificationType: input.notification_type ?? null,
      source: input.source ?? input.reason ?? input.trigger ?? input.agentName ?? input.agent_name ?? null,
    };
    const toolName = input.toolName ?? input.tool_name;
    const args = input.toolArgs ?? input.tool_input;
    if (toolName !== undefined || args !== undefined) call.tool = toolOf(toolName, args);
    if (kind === 'post-tool') {
      const result = (input.toolResult ?? input.tool_result) as
        | { textResultForLlm?: unknown; text_result_for_llm?: unknown }
        | undefined;
      call.response = responseText(result?.textResultForLlm ?? result?.text_result_for_llm ?? result);
    }
    if (kind === 'tool-failure') call.error = errorText(input.error);
    return call;
  },
  answer(call, verdict) {
    const camel = PASCAL[call.nativeEvent] ?? call.nativeEvent;
    const more = stopContinuation(call, verdict);
    if (more !== null) return jsonAnswer({ decision: 'block', reason: more });
    if (!verdict.allowed) {
      // userPromptSubmitted's output is not read: a block there can only be reported.
      if (!isBlockable(call.kind) || camel === 'userPromptSubmitted' || camel === 'postToolUse')
        return unblockable(this, call, verdict);
      const reason = blockReason(verdict);
      if (camel === 'permissionRequest') return jsonAnswer({ behavior: 'deny', message: reason });
      return jsonAnswer({ permissionDecision: 'deny', permissionDecisionReason: reason });
    }
    if (verdict.approved && camel === 'permissionRequest') return jsonAnswer({ behavior: 'allow' });
    if (camel === 'preToolUse' && verdict.updatedInput)
      return jsonAnswer({
        permissionDecision: 'ask',
        permissionDecisionReason: 'Hookbox changed the tool arguments',
        modifiedArgs: verdict.updatedInput,
      });
    if (verdict.context && (camel === 'postToolUseFailure' || camel === 'notification' || camel === 'subagentStart'))
      return jsonAnswer({ additionalContext: verdict.context });
    return NO_ANSWER;
  },
};
