// Where a coding agent's session runs, as its hook process sees it (the agent passes its own
// environment on): what a click on the session's notification brings forward
// (core/notify/focus/bring-forward.ts). Read by the hook command, so nothing heavy is imported here.

export interface AgentTerminal {
  /** tmux's pane id (`%3`, $TMUX_PANE). */
  tmuxPane?: string;
  /** The tmux server's socket (the first field of $TMUX). */
  tmuxSocket?: string;
  /** The X11 window of the terminal ($WINDOWID: xterm, urxvt, kitty, Alacritty …). */
  windowId?: string;
}

export const TMUX_PANE_PATTERN = '^%[0-9]+$';
export const WINDOW_ID_PATTERN = '^[0-9]+$';

/** The terminal of this process's environment; null when it names none. */
export function terminalFromEnv(env: NodeJS.ProcessEnv): AgentTerminal | null {
  const terminal: AgentTerminal = {};
  if (env.TMUX_PANE && new RegExp(TMUX_PANE_PATTERN).test(env.TMUX_PANE)) {
    terminal.tmuxPane = env.TMUX_PANE;
    const socket = env.TMUX?.split(',')[0];
    if (socket) terminal.tmuxSocket = socket;
  }
  if (env.WINDOWID && new RegExp(WINDOW_ID_PATTERN).test(env.WINDOWID)) terminal.windowId = env.WINDOWID;
  return Object.keys(terminal).length > 0 ? terminal : null;
}

/** The terminal as the query of POST /agents/:agent/run. */
export function terminalQuery(terminal: AgentTerminal | null): Record<string, string> {
  if (!terminal) return {};
  return {
    ...(terminal.tmuxPane ? { tmux_pane: terminal.tmuxPane } : {}),
    ...(terminal.tmuxSocket ? { tmux_socket: terminal.tmuxSocket } : {}),
    ...(terminal.windowId ? { window_id: terminal.windowId } : {}),
  };
}
