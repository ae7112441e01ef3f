import { execFile } from 'node:child_process';
import type { TSchema, Static } from 'typebox';
import { schemaCheck } from '../../util/schema-check.ts';

// One probe per place that can say whether a command's terminal is in front (tmux, X11, sway, …),
// each in its own file behind this interface. A probe reads what the shell integration sent in the
// event's metadata (tmux_pane, tmux_socket, window_id, sway_socket, hyprland_instance, niri_socket,
// term_program, bundle_id, wsl_distro, pid, tty) and asks the system.

/** focused / unfocused when the probe could tell; unknown when it does not apply or could not ask. */
export type FocusAnswer = 'focused' | 'unfocused' | 'unknown';

export interface FocusProbe {
  readonly name: string;
  /**
   * Whether the terminal that sent this metadata is one this probe is for (its compositor's socket,
   * its platform …). Cheap and synchronous: the first window probe that applies decides.
   */
  applies?(metadata: Record<string, unknown>): boolean;
  /** Why "unknown" is the best this probe can ever say (said once in the log and in the window). */
  readonly unknowable?: string;
  check(metadata: Record<string, unknown>): Promise<FocusAnswer>;
}

/** How long a probe may take, all its programs together: a notification waits for it. */
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
  maxBuffer = 64 * 1024,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer }, (error, stdout) =>
      resolve(error ? undefined : stdout),
    );
  });
}

/** A program's JSON output checked against the part of its schema a probe reads; undefined if it is not that. */
export function jsonReader<T extends TSchema>(schema: T): (text: string | undefined) => Static<T> | undefined {
  const checker = schemaCheck(schema);
  return (text) => {
    if (text === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      return checker.Check(value) ? (value as Static<T>) : undefined;
    } catch {
      return undefined;
    }
  };
}

/** An absolute path a shell sent (a compositor's socket): no control characters, not absurdly long. */
export function socketPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > 4096) return undefined;
  return [...value].some((c) => c.charCodeAt(0) < 0x20) ? undefined : value;
}
