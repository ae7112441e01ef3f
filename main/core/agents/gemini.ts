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

// Gemini CLI's hooks (google-gemini/gemini-cli docs/hooks/reference.md; checked 2026). Input has
// session_id, transcript_path, cwd, hook_event_name, timestamp; BeforeTool/AfterTool add
// tool_name/tool_input (AfterTool tool_response {llmContent, returnDisplay, error}).
//
// Answers are JSON: `decision` "deny" + `reason` (BeforeTool: the tool does not run and the reason
// goes to the model; BeforeAgent: the prompt is dropped; AfterTool: the output is replaced; AfterAgent:
// the reason is the next prompt), `hookSpecificOutput.tool_input` for changed arguments and
// `hookSpecificOutput.additionalContext`. The model hooks (BeforeModel …) are not Hookbox's.

const EVENTS: Record<string, AgentEventKind> = {
  SessionStart: 'session-start',
  SessionEnd: 'session-end',
  BeforeAgent: 'prompt',
  BeforeTool: 'pre-tool',
  AfterTool: 'post-tool',
  AfterAgent: 'stop',
  PreCompress: 'compaction',
  Notification: 'notification',
};

const Str = Type.Optional(Type.String());
export const GeminiHookInput = Type.Object(
  {
    hook_event_name: Type.String({ minLength: 1 }),
    session_id: Str,
    transcript_path: Str,
    cwd: Str,
    timestamp: Str,
    tool_name: Str,
    tool_input: Type.Optional(Type.Unknown()),
    tool_response: Type.Optional(Type.Unknown()),
    prompt: Str,
    prompt_response: Str,
    stop_hook_active: Type.Optional(Type.Boolean()),
    source: Str,
    reason: Str,
    trigger: Str,
    notification_type: Str,
    message: Str,
  },
  { additionalProperties: true },
);
type GeminiHookInput = Static<typeof GeminiHookInput>;
const check = inputChecker<GeminiHookInput>('Gemini CLI', GeminiHookInput);

function toolResponse(response: unknown): { text: string; error: string | null } {
  const r = response as { llmContent?: unknown; returnDisplay?: unknown; error?: unknown } | null | undefined;
  if (r && typeof r === 'object' && ('llmContent' in r || 'error' in r)) {
    const error =
      r.error === undefined || r.error === null
        ? null
        : typeof r.error === 'string'
          ? r.error
          : JSON.stringify(r.error);
    return { text: responseText(r.llmContent ?? r.returnDisplay ?? ''), error };
  }
  return { text: responseText(response), error: null };
}

export const geminiAdapter: AgentAdapter = {
  id: 'gemini',
  label: 'Gemini CLI',
  source: 'gemini-cli',
  // ~/.gemini/settings.json or <project>/.gemini/settings.json; timeouts in milliseconds.
  hooksFile: {
    path: ({ project, home }) => join(project !== undefined ? resolve(project) : home, '.gemini', 'settings.json'),
    events: Object.keys(EVENTS),
    entry: (_event, command) => ({ hooks: [{ type: 'command', name: 'hookbox', command, timeout: 60_000 }] }),
    skeleton: {},
    grouped: true,
  },
  parse(value) {
    const input = check(value);
    let kind = EVENTS[input.hook_event_name];
    if (!kind) return null;
    const response = kind === 'post-tool' ? toolResponse(input.tool_response) : null;
    if (response?.error) kind = 'tool-failure';
    const call: AgentCall = {
      ...emptyCall('gemini', input.hook_event_name, kind),
      session: input.session_id ?? null,
      cwd: input.cwd ?? null,
      transcriptPath: input.transcript_path ?? null,
      prompt: input.prompt ?? null,
      message: input.message ?? null,
      notificationType: input.notification_type ?? null,
      stopHookActive: input.stop_hook_active === true,
      source: input.source ?? input.reason ?? input.trigger ?? null,
    };
    if (input.tool_name !== undefined || input.tool_input !== undefined)
      call.tool = toolOf(input.tool_name, input.tool_input);
    if (response) {
      call.response = response.text;
      call.error = response.error;
    }
    if (kind === 'stop') call.response = input.prompt_response ?? null;
    return call;
  },
  answer(call, verdict) {
    const event = call.nativeEvent;
    const more = stopContinuation(call, verdict);
    if (more !== null) return jsonAnswer({ decision: 'deny', reason: more });
    if (!verdict.allowed) {
      if (event !== 'BeforeTool' && event !== 'BeforeAgent' && event !== 'AfterTool')
        return unblockable(this, call, verdict);
      return jsonAnswer({ decision: 'deny', reason: blockReason(verdict) });
    }
    if (event === 'BeforeTool' && verdict.updatedInput)
      return jsonAnswer({ hookSpecificOutput: { hookEventName: 'BeforeTool', tool_input: verdict.updatedInput } });
    if (verdict.context && (event === 'SessionStart' || event === 'BeforeAgent' || event === 'AfterTool')) {
      return jsonAnswer({ hookSpecificOutput: { hookEventName: event, additionalContext: verdict.context } });
    }
    return NO_ANSWER;
  },
};
