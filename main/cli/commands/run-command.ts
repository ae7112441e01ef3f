import type { Command } from 'commander';
import { Option } from 'commander';
import { checkSessionName } from '../../core/inbox/inbox.ts';
import { consumeInbox, localSessionInbox, type ConsumableInbox } from '../../core/inbox/inbox-consumer.ts';
import { formatInboxMessage, type InboxOutputFormat } from '../../core/inbox/inbox-output.ts';
import { createLogger } from '../../core/logger.ts';
import { createHeadlessNotifier } from '../../core/notify/libnotify-notifier.ts';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { ApiClient } from '../api-client.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { integerOption } from '../cli-options.ts';
import { HookClaimKeeper, SessionInbox } from '../inbox-consumer.ts';

export interface RunFlags extends GlobalFlags {
  name: string;
  daemon?: boolean;
  format: InboxOutputFormat;
  hook: string[];
  port?: number;
}

/** Prints each message of the session, acknowledging it once written (the one consume loop). */
function printInbox(
  inbox: ConsumableInbox,
  flags: RunFlags,
  out: NodeJS.WritableStream,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  return consumeInbox(inbox, {
    follow: flags.daemon ?? false,
    leaseS: 60,
    signal,
    logger,
    deliver: async (message) => {
      if (!out.write(formatInboxMessage(message, flags.format)))
        await new Promise((resolve) => out.once('drain', resolve));
    },
  });
}

/**
 * Octomind's `run --name X --daemon --format jsonl --hook A --hook B`: a hub with those hooks
 * injecting into session X, whose inbox is written to stdout (one JSON object per line) for an
 * agent reading the pipe. Each message is acknowledged once written, so nothing is printed
 * twice, and nothing acknowledged is lost across restarts. Logs go to stderr.
 * Without --daemon it prints what is queued and exits. When a Hookbox is already running on the
 * configured address, it attaches to that one instead (runAttached).
 */
export async function runCommand(flags: RunFlags, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const session = checkSessionName(flags.name);
  const ctx = loadCliContext(flags, flags.port !== undefined ? { port: flags.port } : {});
  const logger = createLogger({ format: ctx.settings.logFormat, destination: process.stderr });
  // A Hookbox already running on this data dir's address (`hookbox serve`, the desktop app)
  // owns the API port and the hooks' addresses: a second hub could bind neither. Then this run
  // attaches to it. An explicit --port always means a hub of its own.
  if (flags.port === undefined) {
    const client = new ApiClient(flags);
    if (await client.isHookboxRunning()) return runAttached(client, flags, session, out, logger);
  }
  // Loaded here, not at the top: every other command would otherwise pay for the whole hub.
  const { createHub } = await import('../../core/hub.ts');
  const hub = createHub({
    dataDir: ctx.dataDir,
    settings: ctx.settings,
    configFile: ctx.config.path,
    notifier: createHeadlessNotifier(logger),
    logger,
    hookSelection: { names: flags.hook, session },
  });
  const address = await hub.start();
  hub.inbox.ensureSession(session);
  const hooks = hub.hooks.status().map((h) => ({ name: h.name, port: h.port, state: h.state }));
  logger.info(
    { url: address.url, session, hooks },
    `Hookbox run: session ${session}, API on ${address.url}, hooks: ${hooks.map((h) => `${h.name}:${h.port}`).join(', ') || 'none'}`,
  );
  if (flags.format === 'jsonl')
    out.write(`${JSON.stringify({ type: 'ready', session_id: session, api: address.url, hooks })}\n`);

  const stop = stopOnSignals(logger);

  try {
    await printInbox(localSessionInbox(hub.inbox, session), flags, out, stop.signal, logger);
  } finally {
    stop.dispose();
    await hub.stop();
  }
}

/** Ctrl-C / SIGTERM aborts the signal (a second one exits at once); dispose() stops listening. */
function stopOnSignals(logger: Logger): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(1);
    logger.info(`${signal}: stopping`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * `hookbox run` against the hub that is already running: this process consumes session X
 * through the API (long poll, then acknowledge; inbox-consumer.ts), printing what the
 * hub-of-its-own mode prints. With --daemon, the named hooks are claimed for X while this run
 * lasts (HookClaimKeeper), and given back when it stops or, killed, stops renewing.
 */
async function runAttached(
  client: ApiClient,
  flags: RunFlags,
  session: string,
  out: NodeJS.WritableStream,
  logger: Logger,
): Promise<void> {
  const stop = stopOnSignals(logger);
  let claim: HookClaimKeeper | undefined;
  try {
    const listHooks = async () => (await client.call('GET /hooks', {})).json.hooks;
    let running = await listHooks();
    for (const name of flags.hook) {
      if (!running.some((h) => h.name === name))
        throw new HookboxError(
          ErrorCode.NotFound,
          `the Hookbox running on ${client.baseUrl} has no hook named ${name}`,
        );
    }
    if (flags.daemon && flags.hook.length > 0) {
      claim = await HookClaimKeeper.take(client, session, flags.hook, logger);
      running = await listHooks();
    }
    const names = flags.hook.length > 0 ? flags.hook : running.filter((h) => h.session === session).map((h) => h.name);
    const hooks = running
      .filter((h) => names.includes(h.name))
      .map((h) => ({ name: h.name, port: h.port, state: h.state }));
    logger.info(
      { url: client.baseUrl, session, hooks },
      `Hookbox run: attached to the Hookbox running on ${client.baseUrl}, session ${session}, hooks: ${hooks.map((h) => `${h.name}:${h.port}`).join(', ') || 'none'}`,
    );
    if (flags.format === 'jsonl')
      out.write(
        `${JSON.stringify({ type: 'ready', session_id: session, api: client.baseUrl, hooks, attached: true })}\n`,
      );

    await printInbox(new SessionInbox(client, session), flags, out, stop.signal, logger);
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  } finally {
    stop.dispose();
    await claim?.release();
  }
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a session: its hooks listen, its inbox streams to stdout (Octomind-compatible)')
    .requiredOption('--name <session>', 'session name')
    .option('--daemon', 'keep running and stream messages as they arrive (default: print what is queued and exit)')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'plain']).default('plain'))
    .option(
      '--hook <name>',
      'activate this [[hooks]] entry for the session (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addOption(
      new Option('--port <n>', 'local API port (overrides AGENTD_PORT; 0 picks a free one)').argParser(
        integerOption('--port', 0, 65535),
      ),
    )
    .action((options: Omit<RunFlags, keyof GlobalFlags>) => runCommand({ ...program.opts(), ...options }));
}
