import { isAbsolute } from 'node:path';
import { TMUX_PANE_PATTERN } from '../../agents/agent-terminal.ts';
import { type FocusAnswer, type FocusProbe, runProbe } from './focus-probe.ts';

// tmux: the command's pane is in front when it is its window's active pane, that window is its
// session's current one, and a client is attached to the session. The shell sends $TMUX_PANE and
// the server's socket (the first field of $TMUX).

const PANE = new RegExp(TMUX_PANE_PATTERN);

export function tmuxProbe(env: NodeJS.ProcessEnv): FocusProbe {
  return {
    name: 'tmux',
    async check(metadata): Promise<FocusAnswer> {
      const { tmux_pane: pane, tmux_socket: socket } = metadata;
      if (typeof pane !== 'string' || !PANE.test(pane)) return 'unknown';
      if (typeof socket !== 'string' || !isAbsolute(socket)) return 'unknown';
      const out = await runProbe(
        'tmux',
        ['-S', socket, 'display-message', '-p', '-t', pane, '#{pane_active} #{window_active} #{session_attached}'],
        env,
      );
      const match = out === undefined ? null : /^(\d+) (\d+) (\d+)\s*$/.exec(out);
      if (!match) return 'unknown';
      const [, paneActive, windowActive, attached] = match;
      return paneActive === '1' && windowActive === '1' && Number(attached) > 0 ? 'focused' : 'unfocused';
    },
  };
}
