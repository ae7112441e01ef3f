import { execFile } from 'node:child_process';

// One probe per place that can say whether a command's terminal is in front (tmux, X11, …), each
// in its own file behind this interface. A probe reads what the shell integration sent in the
// event's metadata (tmux_pane, tmux_socket, window_id, tty) and asks the system.

/** focused / unfocused when the probe could tell; unknown when it does not apply or could not ask. */
export type FocusAnswer = 'focused' | 'unfocused' | 'unknown';

export interface FocusProbe {
  readonly name: string;
  check(metadata: Record<string, unknown>): Promise<FocusAnswer>;
}

/** How long a probe's program may take: a notification waits for it. */
export const PROBE_TIMEOUT_MS = 1_000;

/**
 * Runs a program (no shell; found on env's PATH) and resolves with its stdout, or undefined if it
 * is missing, failed or timed out. Also what a click uses to bring a terminal forward (bring-forward.ts).
 */
export function runProbe(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 }, (error, stdout) =>
      resolve(error ? undefined : stdout),
    );
  });
}
