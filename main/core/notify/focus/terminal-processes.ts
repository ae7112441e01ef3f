import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { TMUX_PANE_PATTERN } from '../../agents/agent-terminal.ts';
import { runProbe } from './focus-probe.ts';

// Which processes own the command's terminal window, for the compositors that name the focused
// window's process (sway, Hyprland, niri): the shell's ancestors (the terminal emulator started it,
// directly or through a login program), and inside tmux the ancestors of each client attached to
// the pane's session (the shell's own ancestors end at the tmux server). Linux only (/proc).

const PANE = new RegExp(TMUX_PANE_PATTERN);
/** More than any real process chain; a loop in /proc (a pid reused mid-walk) cannot run on. */
const MAX_DEPTH = 64;

async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

async function ancestry(pid: number, into: Set<number>): Promise<void> {
  let current: number | undefined = pid;
  for (let depth = 0; current !== undefined && depth < MAX_DEPTH && !into.has(current); depth++) {
    into.add(current);
    current = await parentOf(current);
  }
}

/** The pids a terminal window showing this shell may belong to; empty when the shell sent no pid. */
export async function terminalProcesses(
  metadata: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<Set<number>> {
  const pids = new Set<number>();
  const { pid, tmux_pane: pane, tmux_socket: socket } = metadata;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return pids;
  await ancestry(pid, pids);
  if (typeof pane === 'string' && PANE.test(pane) && typeof socket === 'string' && isAbsolute(socket)) {
    // A pane id names its session as a target too.
    const out = await runProbe(
      'tmux',
      ['-S', socket, 'list-clients', '-t', pane, '-F', '#{client_pid}'],
      env,
      timeoutMs,
    );
    for (const line of out?.split('\n') ?? []) if (/^\d+$/.test(line)) await ancestry(Number(line), pids);
  }
  return pids;
}
