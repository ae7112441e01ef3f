import type { Logger } from 'pino';
import type { FocusAnswer, FocusProbe } from './focus-probe.ts';
import { tmuxProbe } from './tmux-focus.ts';
import { x11Probe } from './x11-focus.ts';

// Is the terminal a command ran in in front of the user? Asked only for a rule whose `when` is
// "unfocused". tmux first (a pane no client shows is not in front, whatever the window); then the
// terminal window (X11). Where nothing can tell — Wayland desktops, macOS, Windows, an event that
// came without the shell's metadata — the answer is "unknown", which notifies, and the log says so
// once.

export interface TerminalFocus {
  /** True only when a probe says the terminal is in front. */
  isFocused(metadata: Record<string, unknown>): Promise<boolean>;
}

export function createTerminalFocus(options: {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  probes?: { tmux: FocusProbe; window: FocusProbe[] };
}): TerminalFocus {
  const probes = options.probes ?? { tmux: tmuxProbe(options.env), window: [x11Probe(options.env)] };
  let saidUnknown = false;
  const unknown = (): false => {
    if (!saidUnknown) {
      saidUnknown = true;
      options.logger.info(
        'notifications: cannot tell whether a command’s terminal is in front here (no tmux pane, no X11 window); ' +
          '"unfocused" rules notify as if it were not (said once)',
      );
    }
    return false;
  };

  async function windowAnswer(metadata: Record<string, unknown>): Promise<FocusAnswer> {
    for (const probe of probes.window) {
      const answer = await probe.check(metadata);
      if (answer !== 'unknown') return answer;
    }
    return 'unknown';
  }

  return {
    async isFocused(metadata) {
      const inTmux = await probes.tmux.check(metadata);
      if (inTmux === 'unfocused') return false;
      const window = await windowAnswer(metadata);
      if (window !== 'unknown') return window === 'focused';
      // A client shows the pane; which window that client is in cannot be told here.
      if (inTmux === 'focused') return true;
      return unknown();
    },
  };
}
