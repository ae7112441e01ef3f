import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { NotifyNextBody } from '../../core/http/routes/event-routes.ts';
import { ApiClient } from '../api-client.ts';

// `hookbox notify-next`: "tell me when the next command finishes", whatever the rules, focus or a
// pause say. Which shell is "this" one: the hub is given this process's ancestors (the shell is
// among them; the launcher, tmux or the terminal never report commands), and the first of them to
// report a command — this very command line, which is passed over — is the one.

/** The parent of `pid`: /proc on Linux, ps elsewhere; undefined at the top or when it cannot be told. */
function parentOf(pid: number): number | undefined {
  let ppid: number;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after the last ')'.
    ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      ppid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8', timeout: 2_000 }));
    } catch {
      return undefined;
    }
  }
  return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
}

function ancestorPids(start = process.ppid, max = 32): number[] {
  const pids: number[] = [];
  for (let pid: number | undefined = start; pid !== undefined && pids.length < max; pid = parentOf(pid)) {
    pids.push(pid);
  }
  return pids;
}

export function registerNotifyNextCommand(program: Command): void {
  program
    .command('notify-next')
    .description('notify when the next command in this shell finishes (run it on its own line)')
    .option('--any', 'the next command in any shell instead')
    .action(async (options: { any?: boolean }) => {
      const client = new ApiClient(program.opts());
      const pids = options.any ? [] : ancestorPids();
      const body: NotifyNextBody = pids.length > 0 ? { pids } : {};
      const { json } = await client.call('POST /notify-next', { body });
      process.stdout.write(`${json.message}\n`);
    });
}
