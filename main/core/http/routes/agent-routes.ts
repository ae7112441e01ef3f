import { Type, type Static } from 'typebox';
import { AGENT_IDS, AgentAnswerSchema, notAgentInput, type AgentCall } from '../../agents/agent-adapter.ts';
import { ErrorCode, isHookboxError } from '../../errors.ts';
import { agentAdapter, readAgentCall } from '../../agents/agent-hooks.ts';
import type { AgentHookService } from '../../agents/agent-hook-service.ts';
import { TMUX_PANE_PATTERN, WINDOW_ID_PATTERN } from '../../agents/agent-terminal.ts';
import { ApiErrorBody } from '../api-error.ts';
import type { ApiServer } from '../api-types.ts';
import { requireControlToken } from '../require-token.ts';

// Coding agents' hooks over the local API. Both routes run the lifecycle chain (scripts), so both
// need the control token:
// - POST /agents/:agent/run: what `hookbox agent-hook AGENT` relays; the answer comes back as the
//   exit code, stdout and stderr the command should produce.
// - POST /agents/claude/hook: Claude Code's `type: "http"` hook. Claude Code posts its hook JSON
//   and reads a 2xx JSON body as the hook's output (the same JSON the command form prints with
//   --json). It sends the token from the hook's `headers`, with the variable listed in
//   `allowedEnvVars` (hookbox agents install claude --http writes both).

const Token = Type.Optional(Type.String());
/** The agent's answer as its adapter made it (agent-hook relays it unchanged), and the lifecycle event. */
export const AgentRunReply = Type.Object({
  answer: AgentAnswerSchema,
  event_id: Type.Union([Type.String(), Type.Null()]),
});
export type AgentRunReply = Static<typeof AgentRunReply>;

export const AgentRunQuery = Type.Object({
  json: Type.Optional(Type.Boolean()),
  event: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  // Where the agent's session runs, from its hook's environment (core/agents/agent-terminal.ts).
  tmux_pane: Type.Optional(Type.String({ pattern: TMUX_PANE_PATTERN, maxLength: 20 })),
  tmux_socket: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  window_id: Type.Optional(Type.String({ pattern: WINDOW_ID_PATTERN, maxLength: 20 })),
  token: Token,
});

export function registerAgentRoutes(app: ApiServer, deps: { agents: AgentHookService; token: string }): void {
  const guarded = { onRequest: requireControlToken(deps.token) };

  app.post(
    '/agents/:agent/run',
    {
      ...guarded,
      schema: {
        params: Type.Object({ agent: Type.Union(AGENT_IDS.map((id) => Type.Literal(id))) }),
        querystring: AgentRunQuery,
        body: Type.Unknown(),
        response: { 200: AgentRunReply, '4xx': ApiErrorBody },
      },
    },
    async (request) => {
      const adapter = agentAdapter(request.params.agent);
      let call: AgentCall | null;
      try {
        call = readAgentCall(adapter, request.body, request.query.event);
      } catch (error) {
        // The input is checked here, once; what agent-hook prints about it is part of the answer.
        if (isHookboxError(error) && error.code === ErrorCode.InvalidInput)
          return { answer: notAgentInput(error.message), event_id: null };
        throw error;
      }
      const { tmux_pane, tmux_socket, window_id } = request.query;
      const terminal = {
        ...(tmux_pane ? { tmuxPane: tmux_pane, ...(tmux_socket ? { tmuxSocket: tmux_socket } : {}) } : {}),
        ...(window_id ? { windowId: window_id } : {}),
      };
      return deps.agents.handle(adapter, call, {
        json: request.query.json ?? false,
        terminal: Object.keys(terminal).length > 0 ? terminal : null,
      });
    },
  );

  app.post(
    '/agents/claude/hook',
    {
      ...guarded,
      schema: {
        querystring: Type.Object({ token: Token }),
        body: Type.Unknown(),
        response: { 200: Type.Record(Type.String(), Type.Unknown()), '4xx': ApiErrorBody },
      },
    },
    async (request) => {
      const adapter = agentAdapter('claude');
      const call = readAgentCall(adapter, request.body);
      const { answer } = await deps.agents.handle(adapter, call, { json: true });
      // An empty object is "no decision": Claude Code goes on as without the hook.
      return answer.json ?? {};
    },
  );
}
