import { join, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import {
  blockReason,
  emptyCall,
  inputChecker,
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

// Cursor's agent hooks (cursor.com/docs/agent/hooks; checked 2026). Every payload names its event
// (hook_event_name) and the conversation (conversation_id). Shell commands come through
// beforeShellExecution/afterShellExecution, MCP tools through before/afterMCPExecution, file reads
// through beforeReadFile, and every tool through preToolUse/postToolUse.
//
// Answers are JSON: the permission events `{"permission": "deny", "user_message", "agent_message"}`
// (preToolUse also takes `updated_input`), beforeSubmitPrompt `{"continue": false, "user_message"}`,
// stop `{"followup_message"}` (Cursor sends it as the next prompt), sessionStart and postToolUse
// `{"additional_context"}`.

const EVENTS: Record<string, AgentEventKind> = {
  sessionStart: 'session-start',
  sessionEnd: 'session-end',
  beforeSubmitPrompt: 'prompt',
  preToolUse: 'pre-tool',
  beforeShellExecution: 'pre-tool',
  beforeMCPExecution: 'pre-tool',
  beforeReadFile: 'pre-tool',
  postToolUse: 'post-tool',
  afterShellExecution: 'post-tool',
  afterMCPExecution: 'post-tool',
  afterFileEdit: 'post-tool',
  postToolUseFailure: 'tool-failure',
  stop: 'stop',
  subagentStart: 'subagent-start',
  subagentStop: 'subagent-stop',
  preCompact: 'compaction',
};
const PERMISSION_EVENTS = new Set(['preToolUse', 'beforeShellExecution', 'beforeMCPExecution', 'beforeReadFile']);

const Str = Type.Optional(Type.String());
export const CursorHookInput = Type.Object(
  {
    hook_event_name: Type.String({ minLength: 1 }),
    conversation_id: Str,
    generation_id: Str,
    workspace_roots: Type.Optional(Type.Array(Type.String())),
    cwd: Str,
    command: Str,
    output: Type.Optional(Type.Unknown()),
    tool_name: Str,
    tool_input: Type.Optional(Type.Unknown()),
    tool_output: Type.Optional(Type.Unknown()),
    tool_use_id: Str,
    result_json: Type.Optional(Type.Unknown()),
    file_path: Str,
    edits: Type.Optional(Type.Unknown()),
    error_message: Str,
    prompt: Str,
    status: Str,
    loop_count: Type.Optional(Type.Number()),
    transcript_path: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    subagent_type: Str,
  },
  { additionalProperties: true },
);
type CursorHookInput = Static<typeof CursorHookInput>;
const check = inputChecker<CursorHookInput>('Cursor', CursorHookInput);

function toolFor(event: string, input: CursorHookInput) {
  const useId = input.tool_use_id ?? input.generation_id ?? null;
  if (event === 'beforeShellExecution' || event === 'afterShellExecution')
    return toolOf('Shell', { command: input.command ?? '', ...(input.cwd ? { cwd: input.cwd } : {}) }, useId);
  if (event === 'beforeReadFile') return toolOf('Read', { file_path: input.file_path ?? '' }, useId);
  if (event === 'afterFileEdit') return toolOf('Edit', { file_path: input.file_path ?? '', edits: input.edits }, useId);
  return toolOf(input.tool_name, input.tool_input, useId);
}

export const cursorAdapter: AgentAdapter = {
  id: 'cursor',
  label: 'Cursor',
  source: 'cursor',
  // ~/.cursor/hooks.json or <project>/.cursor/hooks.json. The specific shell/MCP/file events rather
  // than preToolUse, which every Cursor version with hooks has (both would check a command twice).
  hooksFile: {
    path: ({ project, home }) => join(project !== undefined ? resolve(project) : home, '.cursor', 'hooks.json'),
    events: [
      'sessionStart',
      'sessionEnd',
      'beforeSubmitPrompt',
      'beforeShellExecution',
      'beforeMCPExecution',
      'afterShellExecution',
      'afterMCPExecution',
      'afterFileEdit',
      'stop',
    ],
    entry: (_event, command) => ({ command }),
    skeleton: { version: 1 },
    grouped: false,
  },
  parse(value) {
    const input = check(value);
    const event = input.hook_event_name;
    const kind = EVENTS[event];
    if (!kind) return null;
    const call: AgentCall = {
      ...emptyCall('cursor', event, kind),
      session: input.conversation_id ?? null,
      cwd: input.cwd ?? input.workspace_roots?.[0] ?? null,
      transcriptPath: input.transcript_path ?? null,
      prompt: input.prompt ?? null,
      stopHookActive: (input.loop_count ?? 0) > 0,
      source: input.status ?? input.subagent_type ?? null,
    };
    if (kind === 'pre-tool' || kind === 'post-tool' || kind === 'tool-failure') call.tool = toolFor(event, input);
    if (kind === 'post-tool') call.response = responseText(input.output ?? input.tool_output ?? input.result_json);
    if (kind === 'tool-failure') call.error = input.error_message ?? 'the tool failed';
    return call;
  },
  answer(call, verdict) {
    const event = call.nativeEvent;
    const more = stopContinuation(call, verdict);
    if (more !== null) return jsonAnswer({ followup_message: more });
    if (!verdict.allowed) {
      const reason = blockReason(verdict);
      if (PERMISSION_EVENTS.has(event))
        return jsonAnswer({ permission: 'deny', user_message: reason, agent_message: reason });
      if (event === 'beforeSubmitPrompt') return jsonAnswer({ continue: false, user_message: reason });
      return unblockable(this, call, verdict);
    }
    if (event === 'preToolUse' && verdict.updatedInput)
      return jsonAnswer({
        permission: 'ask',
        user_message: 'Hookbox changed the tool input',
        updated_input: verdict.updatedInput,
      });
    if (verdict.context && (event === 'sessionStart' || event === 'postToolUse' || event === 'subagentStart'))
      return jsonAnswer({ additional_context: verdict.context });
    return NO_ANSWER;
  },
};
