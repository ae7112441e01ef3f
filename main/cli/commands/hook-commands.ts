import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { databaseFile } from '../../core/config/paths.ts';
import { openDatabase } from '../../core/db/database.ts';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import { formatDuration } from '../../shared/format-duration.ts';
import { HookRunStore, maskHeaders, type HookRun, type HookRunSummary } from '../../core/webhooks/hook-run-store.ts';
import { ApiClient, type ApiClientFlags } from '../api-client.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { integerOption } from '../cli-options.ts';

// `hookbox hooks runs|show|replay|curl`. Reading runs works from the database whether or not
// the hub is running; replay and curl ask the running hub (they need its listeners).

function withRuns<T>(flags: GlobalFlags, empty: T, use: (runs: HookRunStore) => T): T {
  const file = databaseFile(loadCliContext(flags).dataDir);
  if (!existsSync(file)) return empty;
  const db = openDatabase(file, { readonly: true });
  try {
    return use(new HookRunStore(db));
  } finally {
    db.close();
  }
}

function runLine(run: HookRunSummary): string {
  const time = run.received_at.replace('T', ' ').slice(0, 19);
  return `${run.id}  ${time}  ${run.hook.padEnd(14)} ${String(run.status).padEnd(4)} ${run.outcome.padEnd(14)} ${formatDuration(run.duration_ms).padStart(7)}  ${run.method} ${run.path}${run.query ? `?${run.query}` : ''}${run.replay_of ? `  (replay of ${run.replay_of})` : ''}${run.reason ? `  — ${run.reason}` : ''}`;
}

export function hooksRunsCommand(
  name: string | undefined,
  flags: GlobalFlags & { limit: number; json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const runs = withRuns(flags, [] as HookRunSummary[], (store) =>
    store.recent({ limit: flags.limit, ...(name ? { hook: name } : {}) }),
  );
  if (flags.json) return void out.write(`${JSON.stringify(runs, null, 2)}\n`);
  if (runs.length === 0)
    return void out.write(name ? `no runs of hook '${name}' recorded yet\n` : 'no hook runs recorded yet\n');
  out.write(`${'RUN'.padEnd(36)}  TIME (UTC)           HOOK           HTTP OUTCOME        DURATION  REQUEST\n`);
  for (const run of runs) out.write(`${runLine(run)}\n`);
}

export function hooksShowCommand(
  id: string,
  flags: GlobalFlags & { json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const run = withRuns<HookRun | undefined>(flags, undefined, (store) => store.find(id));
  if (!run) throw new HookboxError(ErrorCode.NotFound, `no hook run with id '${id}' (or the prefix is ambiguous)`);
  const headers = maskHeaders(run.headers);
  if (flags.json)
    return void out.write(`${JSON.stringify({ ...run, headers, body: run.body.toString('utf8') }, null, 2)}\n`);
  out.write(
    `${[
      `run:       ${run.id}${run.replay_of ? ` (replay of ${run.replay_of})` : ''}`,
      `hook:      ${run.hook} → session ${run.session}`,
      `received:  ${run.received_at} from ${run.source_address}`,
      `request:   ${run.method} ${run.path}${run.query ? `?${run.query}` : ''}`,
      `result:    HTTP ${run.status}, ${run.outcome}${run.exit_code !== null ? `, exit ${run.exit_code}` : ''}, ${formatDuration(run.duration_ms)}`,
      ...(run.message_id ? [`message:   ${run.message_id}`] : []),
      'headers:',
      ...Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`),
      `body (${run.body_size} bytes${run.body_truncated ? ', truncated' : ''}):`,
      run.body.toString('utf8'),
      'stdout:',
      run.stdout || '(empty)',
      'stderr:',
      run.stderr || '(empty)',
    ].join('\n')}\n`,
  );
}

export async function hooksReplayCommand(
  id: string,
  flags: ApiClientFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { json } = await new ApiClient(flags).call('POST /hooks/runs/:id/replay', { params: { id } });
  out.write(`replayed as run ${json.run_id}: HTTP ${json.status}\n`);
}

export async function hooksCurlCommand(
  id: string,
  flags: ApiClientFlags & { reveal?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { json } = await new ApiClient(flags).call('GET /hooks/runs/:id/curl', {
    params: { id },
    query: { ...(flags.reveal ? { reveal: true } : {}) },
  });
  out.write(`${json.curl}\n`);
}

export function registerHookCommands(program: Command): void {
  const hooks = program.command('hooks').description('webhook hooks: recorded runs, replay, copy as curl');
  const port = () =>
    new Option('--port <n>', 'API port of the running hub').argParser(integerOption('--port', 1, 65535));
  hooks
    .command('runs [name]')
    .description('recent requests the hooks received, newest first')
    .option('--limit <n>', 'how many', integerOption('--limit', 1, 100_000), 20)
    .option('--json', 'print JSON')
    .action((name: string | undefined, options: { limit: number; json?: boolean }) =>
      hooksRunsCommand(name, { ...program.opts(), ...options }),
    );
  hooks
    .command('show <run>')
    .description('one run: request, headers (secrets masked), body, stdout, stderr')
    .option('--json', 'print JSON')
    .action((id: string, options: { json?: boolean }) => hooksShowCommand(id, { ...program.opts(), ...options }));
  hooks
    .command('replay <run>')
    .description('send a recorded request through its hook again (needs the running hub)')
    .addOption(port())
    .action((id: string, options: { port?: number }) => hooksReplayCommand(id, { ...program.opts(), ...options }));
  hooks
    .command('curl <run>')
    .description('print the recorded request as a curl command (secrets masked unless --reveal)')
    .option('--reveal', 'include secret headers as received')
    .addOption(port())
    .action((id: string, options: { port?: number; reveal?: boolean }) =>
      hooksCurlCommand(id, { ...program.opts(), ...options }),
    );
}
