import { existsSync, readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { Option, type Command } from 'commander';
import { databaseFile } from '../../core/config/paths.ts';
import { openDatabase, type Database } from '../../core/db/database.ts';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import { describeHandler, runsInChain } from '../../core/lifecycle/lifecycle-config.ts';
import { localLifecycleConfig, runLocalChain } from '../../core/lifecycle/lifecycle-local.ts';
import { LifecycleStore, type LifecycleEventRecord } from '../../core/lifecycle/lifecycle-store.ts';
import {
  DELIVERY_STATES,
  OutboxStore,
  type DeliveryState,
  type DeliverySummary,
} from '../../core/lifecycle/outbox-store.ts';
import { formatDuration } from '../../shared/format-duration.ts';
import { ApiClient, type ApiClientFlags } from '../api-client.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { integerOption } from '../cli-options.ts';
import { JsonTooDeepError, parseJsonInput } from '../../core/util/json-input.ts';

// `hookbox emit EVENT`, `hookbox hooks test EVENT` and `hookbox lifecycle …`.
// emit goes through the running hub (it stores the event, sends webhooks, notifies); hooks test
// runs the configured chain right here, as Loom's `loom hooks test` does; the listings read the
// database and work whether or not the hub is running.

interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}
const processIo = (): Io => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** `--data JSON`, `--data @file`, `--data -` (stdin); without --data: stdin when piped, else {}. */
export async function readData(data: string | undefined, stdin: NodeJS.ReadableStream): Promise<unknown> {
  let source: string;
  let raw: string;
  if (data === undefined || data === '-') {
    if (data === undefined && (stdin as NodeJS.ReadStream).isTTY) return {};
    source = 'stdin';
    raw = await text(stdin);
    if (raw.trim() === '' && data === undefined) return {};
  } else if (data.startsWith('@')) {
    source = data.slice(1);
    try {
      raw = readFileSync(source, 'utf8');
    } catch (error) {
      throw new HookboxError(
        ErrorCode.InvalidInput,
        `--data @${source}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  } else {
    source = '--data';
    raw = data;
  }
  try {
    return parseJsonInput(raw, source);
  } catch (error) {
    if (error instanceof JsonTooDeepError) throw new HookboxError(ErrorCode.InvalidInput, error.message);
    throw new HookboxError(ErrorCode.InvalidInput, `${source}: not valid JSON (${(error as Error).message})`);
  }
}

function decisionLine(r: { allowed: boolean; reason: string | null; hook: string | null }): string {
  return r.allowed ? 'allowed' : `blocked by ${r.hook ?? 'a handler'}: ${r.reason ?? 'no reason given'}`;
}

export async function emitCommand(
  event: string,
  flags: ApiClientFlags & { data?: string; json?: boolean },
  io: Io = processIo(),
): Promise<void> {
  const data = await readData(flags.data, io.stdin);
  const { json } = await new ApiClient(flags).call('POST /lifecycle/events/:event', {
    params: { event },
    query: { source: 'cli' },
    // Whatever JSON was given: the hub checks it is an object and says so.
    body: data as Record<string, unknown>,
  });
  if (flags.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else {
    io.stdout.write(`${json.event} ${json.event_id}: ${decisionLine(json)}\n`);
    const after = [
      json.deliveries.length
        ? `${json.deliveries.length} webhook deliver${json.deliveries.length === 1 ? 'y' : 'ies'} queued`
        : '',
      json.background.length
        ? `${json.background.length} script${json.background.length === 1 ? '' : 's'} started`
        : '',
      json.followups ? `${json.followups} follow-up${json.followups === 1 ? '' : 's'} to the inbox` : '',
    ].filter(Boolean);
    if (after.length) io.stdout.write(`${after.join(', ')}\n`);
  }
  if (!json.allowed) process.exitCode = 1;
}

/** `hookbox hooks test EVENT`: the chain on this input, here; exit 0 allowed, 1 blocked. */
export async function hooksTestCommand(
  event: string,
  flags: GlobalFlags & { data?: string; json?: boolean },
  io: Io = processIo(),
): Promise<void> {
  const ctx = loadCliContext(flags);
  const config = localLifecycleConfig(ctx.config, process.env);
  const data = await readData(flags.data, io.stdin);
  const run = await runLocalChain(config, event, data, process.env);
  const decision = run.allowed ? 'allowed' : 'blocked';
  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify({ event: run.event, decision, allowed: run.allowed, reason: run.reason, hook: run.hook, duration_ms: run.duration_ms, result: run.result, runs: run.runs, not_run: run.not_run }, null, 2)}\n`,
    );
  } else {
    const chain = run.handlers.filter(runsInChain);
    const others = run.handlers.filter((h) => !runsInChain(h));
    io.stdout.write(
      `${run.event}: ${chain.length} handler${chain.length === 1 ? '' : 's'} in the chain${config.file ? ` (${config.file})` : ' (no config file)'}${config.enabled ? '' : ' — lifecycle hooks are disabled'}\n`,
    );
    chain.forEach((handler, i) => {
      const r = run.runs.find((x) => x.hook === handler.name);
      const what = r
        ? `${r.outcome}${r.error ? ` (${r.error})` : ''}, ${formatDuration(r.duration_ms)}`
        : 'not run (the chain stopped)';
      io.stdout.write(`  ${i + 1}. ${handler.name}: ${describeHandler(handler)} → ${what}\n`);
    });
    for (const handler of others)
      io.stdout.write(`  -  ${handler.name}: ${describeHandler(handler)} → not run by hooks test\n`);
    io.stdout.write(`result: ${JSON.stringify(run.result)}\n`);
    io.stdout.write(`decision: ${decisionLine(run)}\n`);
  }
  if (!run.allowed) process.exitCode = 1;
}

/** Opens the database read-only when it has the lifecycle tables; undefined otherwise (nothing recorded yet). */
function withDb<T>(flags: GlobalFlags, empty: T, use: (db: Database) => T): T {
  const file = databaseFile(loadCliContext(flags).dataDir);
  if (!existsSync(file)) return empty;
  const db = openDatabase(file, { readonly: true });
  try {
    if ((db.pragma('user_version', { simple: true }) as number) < 4) return empty;
    return use(db);
  } finally {
    db.close();
  }
}

function time(iso: string): string {
  return iso.replace('T', ' ').slice(0, 19);
}

export function lifecycleEventsCommand(
  flags: GlobalFlags & { event?: string; limit: number; json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const events = withDb(flags, [] as LifecycleEventRecord[], (db) =>
    new LifecycleStore(db).recent({ limit: flags.limit, ...(flags.event ? { event: flags.event } : {}) }),
  );
  if (flags.json) return void out.write(`${JSON.stringify(events, null, 2)}\n`);
  if (events.length === 0) return void out.write('no lifecycle events recorded yet\n');
  out.write(`${'EVENT ID'.padEnd(36)}  TIME (UTC)           ${'EVENT'.padEnd(20)} ${'SOURCE'.padEnd(11)} DECISION\n`);
  for (const e of events)
    out.write(
      `${e.id}  ${time(e.received_at)}  ${e.event.padEnd(20)} ${e.source.padEnd(11)} ${e.allowed ? 'allowed' : `blocked by ${e.hook}: ${e.reason}`}\n`,
    );
}

export function lifecycleShowCommand(
  id: string,
  flags: GlobalFlags & { json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const found = withDb(flags, undefined, (db) => {
    const store = new LifecycleStore(db);
    const event = store.find(id);
    return event
      ? {
          event,
          runs: store.runsFor(event.id),
          deliveries: new OutboxStore(db).list({ eventId: event.id, limit: 1000 }),
          followups: store.followupsFor(event.id),
        }
      : undefined;
  });
  if (!found)
    throw new HookboxError(ErrorCode.NotFound, `no lifecycle event with id '${id}' (or the prefix is ambiguous)`);
  if (flags.json) return void out.write(`${JSON.stringify(found, null, 2)}\n`);
  const { event, runs, deliveries, followups } = found;
  out.write(
    `${[
      `event:     ${event.event} ${event.id} (from ${event.source})`,
      `received:  ${event.received_at}`,
      `decision:  ${decisionLine(event)} (${formatDuration(event.duration_ms)})`,
      `data:      ${JSON.stringify(event.data)}`,
      `result:    ${JSON.stringify(event.result)}`,
      ...runs.map(
        (r) =>
          `run:       ${r.hook} (${r.kind}) ${r.outcome}${r.exit_code !== null ? `, exit ${r.exit_code}` : ''}${r.error ? `: ${r.error}` : ''}, ${formatDuration(r.duration_ms)}`,
      ),
      ...deliveries.map(
        (d) =>
          `webhook:   ${d.hook} → ${d.url}: ${d.state} after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.last_error ? ` (${d.last_error})` : ''}`,
      ),
      ...followups.map((f) => `follow-up: (${f.kind}) ${f.text}`),
    ].join('\n')}\n`,
  );
}

function deliveryLine(d: DeliverySummary): string {
  const status = d.state === 'pending' ? `pending, next ${time(new Date(d.next_attempt_at).toISOString())}` : d.state;
  return `${d.id}  ${time(d.created_at)}  ${d.event.padEnd(20)} ${d.hook.padEnd(16)} ${String(d.attempts).padStart(2)}/${d.max_attempts}  ${status}${d.last_error ? `  (${d.last_error})` : ''}`;
}

export function lifecycleDeliveriesCommand(
  flags: GlobalFlags & { state?: DeliveryState; limit: number; json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const deliveries = withDb(flags, [] as DeliverySummary[], (db) =>
    new OutboxStore(db).list({ limit: flags.limit, ...(flags.state ? { state: flags.state } : {}) }),
  );
  if (flags.json) return void out.write(`${JSON.stringify(deliveries, null, 2)}\n`);
  if (deliveries.length === 0)
    return void out.write(flags.state ? `no ${flags.state} webhook deliveries\n` : 'no webhook deliveries yet\n');
  out.write(`${'DELIVERY'.padEnd(36)}  CREATED (UTC)        ${'EVENT'.padEnd(20)} ${'HOOK'.padEnd(16)} TRIES  STATE\n`);
  for (const d of deliveries) out.write(`${deliveryLine(d)}\n`);
}

export function lifecycleDeliveryCommand(
  id: string,
  flags: GlobalFlags & { json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const found = withDb(flags, undefined, (db) => {
    const store = new OutboxStore(db);
    const delivery = store.find(id);
    return delivery ? { delivery, attempts: store.attempts(delivery.id) } : undefined;
  });
  if (!found)
    throw new HookboxError(ErrorCode.NotFound, `no webhook delivery with id '${id}' (or the prefix is ambiguous)`);
  if (flags.json) return void out.write(`${JSON.stringify(found, null, 2)}\n`);
  const { delivery: d, attempts } = found;
  out.write(`${deliveryLine(d)}\nurl: ${d.url}\nbody: ${d.body}\n`);
  for (const a of attempts)
    out.write(
      `  attempt ${a.attempt}  ${time(a.started_at)}  ${a.outcome.padEnd(9)} ${a.status ?? '-'}  ${formatDuration(a.duration_ms)}${a.error ? `  ${a.error}` : ''}\n`,
    );
}

export async function lifecycleRetryCommand(
  id: string,
  flags: ApiClientFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  await new ApiClient(flags).call('POST /lifecycle/deliveries/:id/retry', { params: { id } });
  out.write(`delivery ${id} queued for one more attempt\n`);
}

export function lifecycleHandlersCommand(flags: GlobalFlags, out: NodeJS.WritableStream = process.stdout): void {
  const ctx = loadCliContext(flags);
  const config = localLifecycleConfig(ctx.config, process.env);
  if (!config.file) return void out.write(`no config file (${ctx.configPath}); no lifecycle handlers\n`);
  out.write(
    `${config.file}${config.enabled ? '' : ' (lifecycle hooks disabled)'}\nnotify on: ${[...config.notify].join(', ') || 'nothing'}\n`,
  );
  const all = [...config.handlers.values()].flat();
  if (all.length === 0) return void out.write('no lifecycle handlers configured\n');
  for (const h of all)
    out.write(`${h.event.padEnd(20)} ${h.name.padEnd(18)} ${describeHandler(h)}${h.enabled ? '' : ' [disabled]'}\n`);
}

export function lifecycleFailuresCommand(
  flags: GlobalFlags & { json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const failures = withDb(flags, [] as ReturnType<LifecycleStore['failures']>, (db) =>
    new LifecycleStore(db).failures(1000),
  );
  if (flags.json) return void out.write(`${JSON.stringify(failures, null, 2)}\n`);
  if (failures.length === 0) return void out.write('no failures recorded (error-logger)\n');
  for (const f of failures)
    out.write(`${f.task_id.padEnd(24)} ${String(f.count).padStart(4)}×  last ${time(f.last_at)}: ${f.last_error}\n`);
}

export function registerLifecycleCommands(program: Command): void {
  const port = () =>
    new Option('--port <n>', 'API port of the running hub').argParser(integerOption('--port', 1, 65535));
  const data = () =>
    new Option('--data <json>', 'the payload: JSON, @file, or - for stdin (default: stdin when piped, else {})');

  program
    .command('emit <event>')
    .description(
      'emit a lifecycle event (task.completed, pre-tool-call …) to the running hub; exit 1 when a hook blocks it',
    )
    .addOption(data())
    .option('--json', 'print the full decision as JSON')
    .addOption(port())
    .action((event: string, options: { data?: string; json?: boolean; port?: number }) =>
      emitCommand(event, { ...program.opts(), ...options }),
    );

  // `hooks` is the webhook hooks' command group; `hooks test` runs a lifecycle chain.
  const hooks = program.commands.find((c) => c.name() === 'hooks') ?? program.command('hooks').description('hooks');
  hooks
    .command('test <event>')
    .description(
      'run the configured lifecycle chain for EVENT on input from --data or stdin; prints the merged Result and the decision (exit 0 allowed, 1 blocked)',
    )
    .addOption(data())
    .option('--json', 'print JSON')
    .action((event: string, options: { data?: string; json?: boolean }) =>
      hooksTestCommand(event, { ...program.opts(), ...options }),
    );

  const lifecycle = program
    .command('lifecycle')
    .description('lifecycle hooks: recorded events, webhook deliveries, handlers, failures');
  lifecycle
    .command('events')
    .description('recent lifecycle events and their decisions, newest first')
    .option('--event <name>', 'only this event')
    .option('--limit <n>', 'how many', integerOption('--limit', 1, 100_000), 20)
    .option('--json', 'print JSON')
    .action((options: { event?: string; limit: number; json?: boolean }) =>
      lifecycleEventsCommand({ ...program.opts(), ...options }),
    );
  lifecycle
    .command('show <id>')
    .description('one event: data, decision, handler runs, webhook deliveries, follow-ups')
    .option('--json', 'print JSON')
    .action((id: string, options: { json?: boolean }) => lifecycleShowCommand(id, { ...program.opts(), ...options }));
  lifecycle
    .command('deliveries')
    .description('the webhook outbox: pending, delivered and dead deliveries with their last error')
    .addOption(new Option('--state <state>', 'only this state').choices([...DELIVERY_STATES]))
    .option('--limit <n>', 'how many', integerOption('--limit', 1, 100_000), 20)
    .option('--json', 'print JSON')
    .action((options: { state?: DeliveryState; limit: number; json?: boolean }) =>
      lifecycleDeliveriesCommand({ ...program.opts(), ...options }),
    );
  lifecycle
    .command('delivery <id>')
    .description('one webhook delivery and its attempt log')
    .option('--json', 'print JSON')
    .action((id: string, options: { json?: boolean }) =>
      lifecycleDeliveryCommand(id, { ...program.opts(), ...options }),
    );
  lifecycle
    .command('retry <id>')
    .description('give a dead delivery one more attempt (needs the running hub)')
    .addOption(port())
    .action((id: string, options: { port?: number }) => lifecycleRetryCommand(id, { ...program.opts(), ...options }));
  lifecycle
    .command('handlers')
    .description('the configured handlers per event, with their timeout and failure policy')
    .action(() => lifecycleHandlersCommand(program.opts()));
  lifecycle
    .command('failures')
    .description('per-task failure counts recorded by error-logger')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => lifecycleFailuresCommand({ ...program.opts(), ...options }));
}
