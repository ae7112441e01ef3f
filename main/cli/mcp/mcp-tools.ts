import { Type, type Static, type TSchema } from 'typebox';
import { schemaCheck } from '../../core/util/schema-check.ts';
import { HOOK_KINDS } from '../../core/events/event-schema.ts';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import type { InboxMessage } from '../../core/inbox/inbox.ts';
import { SESSION_NAME_PATTERN } from '../../core/inbox/session-name.ts';
import { describeSchemaIssues } from '../../core/util/schema-errors.ts';
import type { ApiOperations, RecordedEvent } from '../../shared/api-contract.ts';
import type { ApiClient } from '../api-client.ts';
import type { SessionInbox } from '../inbox-consumer.ts';

// The tools `hookbox mcp` offers an agent. Names are fixed (agents' instructions name them); each
// input is a TypeBox schema, sent as the tool's inputSchema and checked before the tool runs, so a
// bad argument is one line naming the field. Results are JSON text (and the same object as
// structuredContent).

/** What the tools use: the hub's API and the session this server is bound to. */
export interface ToolContext {
  client: ApiClient;
  inbox: SessionInbox;
  session: string;
  /** Seconds a message claimed by inbox_next stays ours without an ack. */
  leaseS: number;
  /** The claim number of each message inbox_next handed out, for a fenced ack. */
  claims: Map<string, number>;
}

const Strict = { additionalProperties: false } as const;
const Limit = (max: number, fallback: number) =>
  Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: max,
      default: fallback,
      description: `how many (default ${fallback}, at most ${max})`,
    }),
  );
const OUTPUT_TAIL = 1_000;
const STDERR_TAIL = 2_000;

/** A message as an agent sees it. */
export function agentMessage(message: InboxMessage) {
  return {
    id: message.id,
    source: message.source,
    hook: message.source_label,
    content: message.content,
    received_at: message.created_at,
    state: message.state,
  };
}

function tail(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(-max)}`;
}

function agentEvent(event: RecordedEvent) {
  return { ...event, output: tail(event.output, OUTPUT_TAIL) };
}

async function queryEvents(ctx: ToolContext, query: ApiOperations['queryEvents']['request']) {
  const json = await ctx.client.rpc('queryEvents', query);
  return {
    events: json.events.map(agentEvent),
    total: json.total,
    long_running_threshold_ms: json.long_running_threshold_ms,
  };
}

interface Tool<S extends TSchema> {
  name: string;
  description: string;
  input: S;
  /** `signal` aborts when the client cancels the call or disconnects. */
  run: (args: Static<S>, ctx: ToolContext, signal: AbortSignal) => Promise<unknown>;
}

function tool<S extends TSchema>(definition: Tool<S>): Tool<TSchema> {
  return definition as unknown as Tool<TSchema>;
}

const EventFilters = {
  failed: Type.Optional(
    Type.Boolean({
      description: 'only failed commands, as the notification rules say (non-zero, not Ctrl-C 130/143/148)',
    }),
  ),
  long_running: Type.Optional(
    Type.Boolean({
      description:
        "only commands longer than the hub's long-running threshold, leaving out its ignore list (vim, ssh …)",
    }),
  ),
  kind: Type.Optional(Type.Enum([...HOOK_KINDS], { description: 'shell, git or system' })),
  text: Type.Optional(
    Type.String({ minLength: 1, maxLength: 500, description: 'text the command or its output contains' }),
  ),
};

export const TOOLS: readonly Tool<TSchema>[] = [
  tool({
    name: 'inbox_next',
    description:
      "Claims the next message of this session's Hookbox inbox (webhooks, scheduled and injected messages), waiting up to wait_seconds for one. Acknowledge it with inbox_ack once handled; unacknowledged, it returns to the inbox after its lease.",
    input: Type.Object(
      {
        wait_seconds: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: 300,
            default: 0,
            description: 'how long to wait for a message (0-300, default 0)',
          }),
        ),
      },
      Strict,
    ),
    async run(args, ctx, signal) {
      const message = await ctx.inbox.next({ waitS: args.wait_seconds ?? 0, leaseS: ctx.leaseS, signal });
      if (!message)
        return { message: null, session: ctx.session, note: `no message waiting in session ${ctx.session}` };
      ctx.claims.set(message.id, message.claims);
      return { message: { ...agentMessage(message), lease_seconds: ctx.leaseS }, session: ctx.session };
    },
  }),
  tool({
    name: 'inbox_ack',
    description: 'Acknowledges a message claimed with inbox_next (it is handled and will not come again).',
    input: Type.Object(
      { id: Type.String({ minLength: 1, maxLength: 200, description: 'the message id inbox_next returned' }) },
      Strict,
    ),
    async run(args, ctx) {
      const acked = await ctx.inbox.ack(args.id, ctx.claims.get(args.id));
      ctx.claims.delete(args.id);
      return { message: agentMessage(acked), session: ctx.session };
    },
  }),
  tool({
    name: 'inbox_list',
    description:
      "Lists the messages waiting in this session's inbox (oldest first) without claiming them; all: true adds recently handled ones.",
    input: Type.Object(
      { all: Type.Optional(Type.Boolean({ description: 'also recently handled messages' })), limit: Limit(200, 50) },
      Strict,
    ),
    async run(args, ctx) {
      const limit = args.limit ?? 50;
      const messages = await ctx.inbox.list(1000);
      const waiting = messages
        .filter((m) => m.state !== 'acked')
        .reverse()
        .slice(0, limit)
        .map(agentMessage);
      return {
        session: ctx.session,
        waiting,
        ...(args.all
          ? {
              handled: messages
                .filter((m) => m.state === 'acked')
                .slice(0, limit)
                .map(agentMessage),
            }
          : {}),
      };
    },
  }),
  tool({
    name: 'send_message',
    description: "Puts a message into another session's inbox (handing work to another agent).",
    input: Type.Object(
      {
        session: Type.String({ pattern: SESSION_NAME_PATTERN.source, description: 'the receiving session' }),
        content: Type.String({ minLength: 1, description: 'the message' }),
        label: Type.Optional(
          Type.String({ minLength: 1, maxLength: 200, description: 'who sends it (default: mcp:<this session>)' }),
        ),
      },
      Strict,
    ),
    async run(args, ctx) {
      if (args.content.trim() === '') throw new HookboxError(ErrorCode.InvalidInput, "'content' is empty");
      const body = { content: args.content, source: 'inject' as const, label: args.label ?? `mcp:${ctx.session}` };
      const { json } = await ctx.client.call('POST /sessions/:name/messages', { params: { name: args.session }, body });
      return { sent: agentMessage(json.message), to: args.session };
    },
  }),
  tool({
    name: 'events_recent',
    description:
      'The most recent command events Hookbox recorded (shell commands, git operations, agent events), newest first.',
    input: Type.Object({ limit: Limit(100, 20) }, Strict),
    run: (args, ctx) => queryEvents(ctx, { limit: args.limit ?? 20 }),
  }),
  tool({
    name: 'events_search',
    description:
      'Searches the command history newest first: failed commands, long-running ones, by kind, by text ("what failed in my terminal?").',
    input: Type.Object({ ...EventFilters, limit: Limit(100, 20) }, Strict),
    run: (args, ctx) =>
      queryEvents(ctx, {
        limit: args.limit ?? 20,
        ...(args.failed ? { failed_only: true } : {}),
        ...(args.long_running ? { long_running: true } : {}),
        ...(args.kind ? { kind: args.kind } : {}),
        ...(args.text ? { text: args.text } : {}),
      }),
  }),
  tool({
    name: 'hook_runs',
    description:
      "Recent runs of this session's webhook hooks, newest first: the request, the outcome, the exit code and the tail of stderr.",
    input: Type.Object(
      {
        hook: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'only this hook' })),
        limit: Limit(50, 10),
      },
      Strict,
    ),
    async run(args, ctx) {
      const limit = args.limit ?? 10;
      const { json } = await ctx.client.call('GET /hooks/runs', {
        query: { limit: args.hook ? limit : 1000, ...(args.hook ? { hook: args.hook } : {}) },
      });
      const ours = json.runs.filter((run) => args.hook !== undefined || run.session === ctx.session).slice(0, limit);
      const runs = await Promise.all(
        ours.map(async ({ id }) => {
          const { json: run } = await ctx.client.call('GET /hooks/runs/:id', { params: { id } });
          const { stderr, stdout: _stdout, body: _body, headers: _headers, ...summary } = run;
          return { ...summary, stderr_tail: tail(stderr, STDERR_TAIL) };
        }),
      );
      return { session: ctx.session, runs };
    },
  }),
];

const checkers = new Map(TOOLS.map((t) => [t.name, schemaCheck(t.input)]));

/** The tool's arguments checked against its schema; a problem names the field. */
export function checkArguments(name: string, args: unknown): unknown {
  const value = args ?? {};
  const check = checkers.get(name)!;
  if (check.Check(value)) return value;
  const problem = describeSchemaIssues([...check.Errors(value)]);
  throw new HookboxError(
    ErrorCode.InvalidInput,
    `invalid arguments for ${name}: ${problem?.message ?? 'they do not match the input schema'}`,
  );
}
