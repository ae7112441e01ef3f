import { text } from 'node:stream/consumers';
import { Option, type Command } from 'commander';
import ms from 'ms';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import { checkSessionName } from '../../core/inbox/inbox.ts';
import { ApiClient, type ApiClientFlags } from '../api-client.ts';
import { integerOption } from '../cli-options.ts';

// `hookbox send` and `hookbox schedule`: inject into a running hub's session inbox.

async function messageFrom(words: string[], stdin: NodeJS.ReadableStream): Promise<string> {
  const message = words.length > 0 ? words.join(' ') : (stdin as NodeJS.ReadStream).isTTY ? '' : await text(stdin);
  if (message.trim() === '')
    throw new HookboxError(ErrorCode.InvalidInput, 'message is empty (give it as arguments or on stdin)');
  return message.replace(/\n$/, '');
}

/** Octomind's `send`: prints `ok`, or `error: …` and exits 1. */
export async function sendCommand(
  words: string[],
  flags: ApiClientFlags & { name: string },
  io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<void> {
  try {
    checkSessionName(flags.name);
    const content = await messageFrom(words, io.stdin);
    await new ApiClient(flags).call('POST /sessions/:name/messages', {
      params: { name: flags.name },
      body: { content, source: 'inject', label: 'hookbox send' },
    });
    io.stdout.write('ok\n');
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

/** `--at`: an ISO time, or HH:MM (the next time the clock shows it). */
export function parseAt(value: string, now = new Date()): Date {
  const clock = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (clock) {
    const at = new Date(now);
    at.setHours(Number(clock[1]), Number(clock[2]), 0, 0);
    if (Number(clock[1]) > 23 || Number(clock[2]) > 59)
      throw new HookboxError(ErrorCode.InvalidInput, `--at ${value}: not a time of day`);
    if (at <= now) at.setDate(at.getDate() + 1);
    return at;
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new HookboxError(ErrorCode.InvalidInput, `--at ${value}: use an ISO time (2026-05-01T09:00) or HH:MM`);
  if (at <= now) throw new HookboxError(ErrorCode.InvalidInput, `--at ${value} is in the past`);
  return at;
}

export function parseIn(value: string): number {
  const duration = ms(value as ms.StringValue);
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0) {
    throw new HookboxError(ErrorCode.InvalidInput, `--in ${value}: use a duration like 90s, 10m, 2h, 1d`);
  }
  return duration;
}

export async function scheduleCommand(
  words: string[],
  flags: ApiClientFlags & { name: string; in?: string; at?: string; cron?: string },
  io = { stdin: process.stdin, stdout: process.stdout },
): Promise<void> {
  checkSessionName(flags.name);
  const given = [flags.in, flags.at, flags.cron].filter((v) => v !== undefined).length;
  if (given !== 1) throw new HookboxError(ErrorCode.InvalidInput, 'give exactly one of --in, --at or --cron');
  const content = await messageFrom(words, io.stdin);
  const client = new ApiClient(flags);
  if (flags.cron) {
    const { json } = await client.call('POST /schedules', { body: { session: flags.name, cron: flags.cron, content } });
    io.stdout.write(`scheduled ${json.schedule.id} (${flags.cron}); next at ${json.schedule.next_at}\n`);
    return;
  }
  const deliverAt = flags.in ? new Date(Date.now() + parseIn(flags.in)) : parseAt(flags.at!);
  const label = flags.in ? `in ${flags.in}` : `at ${flags.at}`;
  const { json } = await client.call('POST /sessions/:name/messages', {
    params: { name: flags.name },
    body: { content, source: 'schedule', label, deliver_at: deliverAt.toISOString() },
  });
  io.stdout.write(`scheduled ${json.message.id} for ${deliverAt.toISOString()}\n`);
}

export function registerInboxCommands(program: Command): void {
  const port = () =>
    new Option('--port <n>', 'API port of the running hub (default: AGENTD_PORT or 17002)').argParser(
      integerOption('--port', 1, 65535),
    );
  program
    .command('send')
    .description('inject a message into a session inbox of the running hub (message as arguments or on stdin)')
    .requiredOption('--name <session>', 'session name')
    .addOption(port())
    .argument('[message...]')
    .action((words: string[], options: { name: string; port?: number }) =>
      sendCommand(words, { ...program.opts(), ...options }),
    );

  program
    .command('schedule')
    .description('schedule a message into a session: once (--in/--at) or recurring (--cron)')
    .requiredOption('--name <session>', 'session name')
    .option('--in <duration>', 'deliver after this long: 90s, 10m, 2h, 1d')
    .option('--at <time>', 'deliver at this time: ISO 8601, or HH:MM (next occurrence)')
    .option('--cron <expr>', "deliver on this cron schedule, e.g. '0 9 * * 1-5'")
    .addOption(port())
    .argument('[message...]')
    .action((words: string[], options: { name: string; in?: string; at?: string; cron?: string; port?: number }) =>
      scheduleCommand(words, { ...program.opts(), ...options }),
    );
}
