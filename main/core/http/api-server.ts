import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { NotificationSettings } from '../config/settings-schema.ts';
import type { EventLog } from '../events/event-log.ts';
import type { HookEventInput, RecordedEvent } from '../events/event-schema.ts';
import type { ScriptOptions } from '../shell/script-text.ts';
import { InvalidBodyError, installErrorHandlers } from './api-error.ts';
import { answerClientError, type ClientError } from './client-error.ts';
import type { ApiServer } from './api-types.ts';
import { localGuard } from './local-guard.ts';
import { registerEventRoutes } from './routes/event-routes.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { registerShellRoutes, type ShellScriptProvider } from './routes/shell-routes.ts';
import { typeboxValidatorCompiler } from './validation.ts';
import { JsonTooDeepError, parseJsonInput } from '../util/json-input.ts';
import { registerHookRoutes } from './routes/hook-routes.ts';
import { registerScheduleRoutes } from './routes/schedule-routes.ts';
import { registerSessionRoutes } from './routes/session-routes.ts';
import type { Inbox } from '../inbox/inbox.ts';
import type { Scheduler } from '../inbox/scheduler.ts';
import type { HookManager } from '../webhooks/hook-manager.ts';
import type { HookRunStore } from '../webhooks/hook-run-store.ts';
import type { AppApi } from '../app-api/app-api-interface.ts';
import { registerAppRoutes } from './routes/app-routes.ts';
import { registerUiRoutes, type UiOptions } from './routes/ui-routes.ts';
import type { LifecycleService } from '../lifecycle/lifecycle-service.ts';
import type { AgentHookService } from '../agents/agent-hook-service.ts';
import { registerLifecycleRoutes } from './routes/lifecycle-routes.ts';
import { registerAgentRoutes } from './routes/agent-routes.ts';
import type { NatsStatus } from '../nats/nats-link.ts';

const MAX_PARAM_LENGTH = 256;

export interface ApiServerOptions {
  logger: Logger;
  version: string;
  maxBodyBytes: number;
  eventLog: EventLog;
  notifications: () => NotificationSettings;
  /** Records an event and hands it to the notifications (events/event-ingest.ts). */
  ingestEvent: (input: HookEventInput) => Promise<RecordedEvent>;
  /** `hookbox notify-next` (notify/notification-pipeline.ts). */
  armNextCommand: (pids: number[] | null) => void;
  shellScripts?: ShellScriptProvider;
  /** What GET /shell/{shell} bakes into the script ([shell], the long-running rule). */
  shellOptions: () => ScriptOptions;
  inbox: Inbox;
  scheduler: Scheduler;
  hooks: HookManager;
  hookRuns: HookRunStore;
  /** Control routes (sessions, schedules, hooks) need it. */
  controlToken: string;
  configError: () => string | null;
  /** The window's contract (POST /app/rpc/…, GET /app/events); control token required. */
  app: AppApi;
  /** Serve the window's page at `/` (hookbox serve). */
  ui?: UiOptions;
  /** Lifecycle hooks (/lifecycle/…); control token required. */
  lifecycle: LifecycleService;
  /** Coding agents' hooks (/agents/…); control token required. */
  agents: AgentHookService;
  /** The NATS link's state for /health; null when [nats] is not configured. */
  nats?: () => NatsStatus | null;
}

/**
 * Builds the local API (agentd's routes and Hookbox's own) without listening; the hub decides
 * where it listens. Plugins are registered explicitly: the bundled desktop build has no
 * autoload.
 */
export function buildApiServer(options: ApiServerOptions): ApiServer {
  const app: ApiServer = Fastify({
    loggerInstance: options.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // One line per request would drown the log at shell-prompt rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (a pino child costs more than the rest of a POST /events);
    // the few lines a request logs say which request they are about themselves.
    childLoggerFactory: (logger) => logger,
    bodyLimit: options.maxBodyBytes,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Session names run to 128 characters and ids to 200 (fastify's default is 100).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Requests refused before routing get the API's error shape too, not fastify's own.
    clientErrorHandler: (error: ClientError, socket: Socket) =>
      answerClientError(error, socket, ({ code, message }) => ({ success: false, error: code, message })),
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply.code(tooLong ? 414 : 400).send({
        success: false,
        error: tooLong ? 'path_parameter_too_long' : 'bad_url',
        message: tooLong
          ? `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`
          : 'the URL is not valid (malformed percent-encoding?)',
      });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(typeboxValidatorCompiler);
  installErrorHandlers(app, options.maxBodyBytes);

  // agentd's clients send JSON with or without a Content-Type (`curl -d` says form-urlencoded),
  // so every body is read as JSON; the Origin check, not the media type, keeps browsers out.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    // No body at all is for the route's schema to judge (POST /events needs one, a replay doesn't).
    if (text.trim() === '') return done(null, undefined);
    try {
      // Refuses prototype-poisoning keys and nesting past JSON_MAX_DEPTH, for every route.
      done(null, parseJsonInput(text, 'request body'));
    } catch (error) {
      if (error instanceof JsonTooDeepError) done(new InvalidBodyError(error.message, error.code), undefined);
      else done(new InvalidBodyError(`request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });

  // Read once after listen: address() is a system call, too dear for every request.
  let boundPort = 0;
  const port = (): number => {
    if (boundPort === 0) {
      const address = app.server.address();
      boundPort = typeof address === 'object' && address ? address.port : 0;
    }
    return boundPort;
  };
  app.addHook('onRequest', localGuard({ port }));

  registerHealthRoutes(app, {
    eventLog: options.eventLog,
    notifications: options.notifications,
    version: options.version,
    nats: options.nats ?? (() => null),
  });
  registerEventRoutes(app, {
    eventLog: options.eventLog,
    ingestEvent: options.ingestEvent,
    armNextCommand: options.armNextCommand,
    token: options.controlToken,
  });
  registerShellRoutes(app, {
    scripts: options.shellScripts,
    baseUrl: () => `http://127.0.0.1:${port()}`,
    options: options.shellOptions,
  });
  // Aborted as close begins, so long polls answer and event streams end instead of holding
  // shutdown until the connection deadline.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  registerSessionRoutes(app, { inbox: options.inbox, token: options.controlToken, closing: closing.signal });
  registerScheduleRoutes(app, { scheduler: options.scheduler, token: options.controlToken });
  registerHookRoutes(app, {
    hooks: options.hooks,
    runs: options.hookRuns,
    token: options.controlToken,
    configError: options.configError,
  });
  registerAppRoutes(app, { api: options.app, token: options.controlToken, closing: closing.signal });
  registerLifecycleRoutes(app, { lifecycle: options.lifecycle, token: options.controlToken });
  registerAgentRoutes(app, { agents: options.agents, token: options.controlToken });
  if (options.ui) registerUiRoutes(app, options.ui);
  return app;
}
