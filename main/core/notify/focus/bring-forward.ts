import type { AgentTerminal } from '../../agents/agent-terminal.ts';
import { runProbe } from './focus-probe.ts';

// A click on an agent session's notification brings its terminal forward where the platform lets
// a program do that:
// - tmux (any platform): the session's window and pane become the current ones (`select-window`,
//   `select-pane` on the server of $TMUX); an attached client shows them at once.
// - X11 with xdotool: the terminal's window ($WINDOWID) is raised and focused (`windowactivate`).
// Not possible (the caller then opens the Hookbox window instead): Wayland compositors let no
// program focus another's window, macOS and Windows terminals expose no window id to the
// processes inside them, and terminals that set no WINDOWID (GNOME Terminal, Konsole) cannot be
// told apart from the outside.

const FOCUS_TIMEOUT_MS = 3_000;

async function run(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  return (await runProbe(program, args, env, FOCUS_TIMEOUT_MS)) !== undefined;
}

/** Brings the terminal forward; true when something was focused. */
export async function focusTerminal(terminal: AgentTerminal, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  let focused = false;
  if (terminal.tmuxPane) {
    const server = terminal.tmuxSocket ? ['-S', terminal.tmuxSocket] : [];
    if (await run('tmux', [...server, 'select-window', '-t', terminal.tmuxPane], env)) {
      await run('tmux', [...server, 'select-pane', '-t', terminal.tmuxPane], env);
      focused = true;
    }
  }
  if (terminal.windowId && env.DISPLAY && (await run('xdotool', ['windowactivate', terminal.windowId], env)))
    focused = true;
  return focused;
}
