// The low-level Server, not McpServer: McpServer takes tool inputs as zod schemas, and Hookbox
// writes every schema once, in TypeBox (the JSON Schema sent as inputSchema is the one we check).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode as McpErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type Notification,
  type Request,
  type Result,
} from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, isHookboxError } from '../../core/errors.ts';
import type { InboxMessage } from '../../core/inbox/inbox.ts';
import { SESSION_NAME_PATTERN } from '../../core/inbox/session-name.ts';
import type { Logger } from '../../core/logger.ts';
import { HOOKBOX_VERSION } from '../../core/version.ts';
import type { ApiClient } from '../api-client.ts';
import { consumeInbox } from '../../core/inbox/inbox-consumer.ts';
import { HookClaimKeeper, SessionInbox } from '../inbox-consumer.ts';
import { watchInboxes } from './inbox-watch.ts';
import { StdioLineTransport } from './mcp-stdio-transport.ts';
import { agentMessage, checkArguments, TOOLS, type ToolContext } from './mcp-tools.ts';

/** Claude Code's channel event (its "Channels reference"): content, and identifier-keyed meta. */
interface ChannelNotification extends Notification {
  method: 'notifications/claude/channel';
  params: { content: string; meta: { source: string; hook: string; message_id: string; session: string } };
}

export const CHANNEL_METHOD = 'notifications/claude/channel';
const RESOURCE_PREFIX = 'hookbox://sessions/';

export interface McpServerOptions {
  client: ApiClient;
  session: string;
  /** Hooks to point at the session while the server runs (as `hookbox run --daemon --hook`). */
  hooks: string[];
  /** Claim each new message and push it as a channel notification. */
  push: boolean;
  /** Seconds a claimed message stays ours without an ack. */
  leaseS: number;
  logger: Logger;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

function instructions(session: string, push: boolean): string {
  return [
    `Hookbox is the local hook hub. This server is bound to the Hookbox session "${session}": its inbox holds webhooks that Hookbox hooks received, scheduled reminders, and messages that people, tools or other agents sent to it.`,
    push
      ? 'Each new message arrives as a <channel source="hookbox"> event whose attributes name its source (webhook, schedule, inject…), the hook, the message_id and the session; it is already acknowledged. Read the content and act on it when it asks for something; otherwise note it.'
      : 'Call inbox_next to claim the next message (wait_seconds to wait for one) and inbox_ack with its id once handled; an unacknowledged message comes back after its lease.',
    'inbox_list shows what waits without claiming; send_message hands work to another session; events_recent and events_search answer "what ran or failed in my terminal?"; hook_runs shows the recent webhook runs of this session\'s hooks with their stderr.',
  ].join('\n');
}

function textResult(value: unknown, isError = false): CallToolResult {
  return {
    content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }],
    ...(isError
      ? { isError: true }
      : typeof value === 'object' && value !== null
        ? { structuredContent: value as Record<string, unknown> }
        : {}),
  };
}

/** A tool error as one line for the agent: never a stack. */
function toolError(error: unknown): CallToolResult {
  if (isHookboxError(error) && error.code === ErrorCode.NotRunning) {
    return textResult(`${error.message}. This MCP server keeps trying: call the tool again once Hookbox runs.`, true);
  }
  return textResult(error instanceof Error ? error.message : String(error), true);
}

function sessionOfUri(uri: string): string {
  const name = uri.startsWith(RESOURCE_PREFIX) ? decodeURIComponent(uri.slice(RESOURCE_PREFIX.length)) : '';
  if (!SESSION_NAME_PATTERN.test(name))
    throw new McpError(McpErrorCode.InvalidParams, `unknown resource ${uri}: use ${RESOURCE_PREFIX}{session name}`);
  return name;
}

/**
 * `hookbox mcp`: serves MCP over stdio until the client disconnects (stdin ends) or `stop` aborts.
 * Everything goes through the running hub's API; with no hub, tools say so and the push loop,
 * the hook claim and the change stream keep retrying.
 */
export async function runMcpServer(options: McpServerOptions, stop: AbortSignal): Promise<void> {
  const { client, session, logger } = options;
  const inbox = new SessionInbox(client, session);
  const ctx: ToolContext = { client, inbox, session, leaseS: options.leaseS, claims: new Map() };
  const done = new AbortController();
  const signal = AbortSignal.any([stop, done.signal]);

  const server = new Server<Request, ChannelNotification, Result>(
    { name: 'hookbox', version: HOOKBOX_VERSION },
    {
      capabilities: {
        tools: {},
        resources: { subscribe: true },
        ...(options.push ? { experimental: { 'claude/channel': {} } } : {}),
      },
      instructions: instructions(session, options.push),
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: TOOLS.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.input as { type: 'object'; [key: string]: unknown },
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const found = TOOLS.find((t) => t.name === request.params.name);
    if (!found)
      throw new McpError(
        McpErrorCode.InvalidParams,
        `unknown tool '${request.params.name}'; the tools are ${TOOLS.map((t) => t.name).join(', ')}`,
      );
    try {
      return textResult(
        await found.run(
          checkArguments(found.name, request.params.arguments),
          ctx,
          AbortSignal.any([extra.signal, signal]),
        ),
      );
    } catch (error) {
      return toolError(error);
    }
  });

  const resource = (name: string) => ({
    uri: `${RESOURCE_PREFIX}${name}`,
    name: `Hookbox inbox of session ${name}`,
    description: `Messages waiting in the Hookbox session ${name}`,
    mimeType: 'application/json',
  });
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: [resource(session)] }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      {
        uriTemplate: `${RESOURCE_PREFIX}{name}`,
        name: 'Hookbox session inbox',
        description: 'Messages waiting in a Hookbox session inbox',
        mimeType: 'application/json',
      },
    ],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const name = sessionOfUri(request.params.uri);
    let messages: InboxMessage[];
    try {
      messages = await new SessionInbox(client, name).list(1000);
    } catch (error) {
      throw new McpError(McpErrorCode.InternalError, (error as Error).message);
    }
    const waiting = messages
      .filter((m) => m.state !== 'acked')
      .reverse()
      .map(agentMessage);
    return {
      contents: [
        {
          uri: request.params.uri,
          mimeType: 'application/json',
          text: JSON.stringify({ session: name, waiting }, null, 2),
        },
      ],
    };
  });

  // Subscriptions: one change stream from the hub, started with the first subscription.
  const subscribed = new Set<string>();
  let watching = false;
  const onChange = (changed: string | null) => {
    for (const name of subscribed) {
      if (changed !== null && changed !== name) continue;
      server
        .sendResourceUpdated({ uri: `${RESOURCE_PREFIX}${name}` })
        .catch((error: Error) => logger.debug(`resource update not sent: ${error.message}`));
    }
  };
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(sessionOfUri(request.params.uri));
    if (!watching) {
      watching = true;
      void watchInboxes(client, onChange, logger, signal);
    }
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(sessionOfUri(request.params.uri));
    return {};
  });

  const claim =
    options.hooks.length > 0 ? HookClaimKeeper.eventually(client, session, options.hooks, logger, signal) : undefined;

  // Push: starts once the client finished initializing (a notification before that would be
  // dropped), so what arrived while no agent was connected is pushed first, in inbox order.
  let pushing: Promise<void> | undefined;
  server.oninitialized = () => {
    if (!options.push || pushing) return;
    pushing = pushMessages(server, inbox, options, signal).catch((error: Error) => {
      if (!signal.aborted) logger.error(`channel push stopped: ${error.message}`);
      done.abort();
    });
  };

  const transport = new StdioLineTransport(options.stdin, options.stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  transport.onerror = (error) => logger.debug(`MCP transport: ${error.message}`);
  await server.connect(transport);
  const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  logger.info(
    `hookbox mcp: session ${session}, hub ${client.baseUrl}${options.push ? ', pushing new messages as channel events' : ''}${options.hooks.length ? `, hooks ${options.hooks.join(', ')}` : ''}`,
  );
  await Promise.race([closed, stopped]);
  done.abort();
  await pushing;
  await claim?.release();
  await server.close().catch(() => undefined);
}

/** Claims each message of the session, writes it as a channel event, then acknowledges it. */
async function pushMessages(
  server: Server<Request, ChannelNotification, Result>,
  inbox: SessionInbox,
  options: McpServerOptions,
  signal: AbortSignal,
): Promise<void> {
  const { logger } = options;
  await consumeInbox(inbox, {
    follow: true,
    leaseS: options.leaseS,
    signal,
    logger,
    retryAfter: (error, attempt) => {
      if (attempt === 1 || attempt % 60 === 0) logger.warn(`${error.message}; channel push retries until it answers`);
      return Math.min(5, attempt);
    },
    // Resolves once the line reached stdout (StdioLineTransport); only then is it acknowledged.
    deliver: (message) =>
      server.notification({
        method: CHANNEL_METHOD,
        params: {
          content: message.content,
          meta: {
            source: message.source,
            hook: message.source_label,
            message_id: message.id,
            session: message.session,
          },
        },
      }),
  });
}
