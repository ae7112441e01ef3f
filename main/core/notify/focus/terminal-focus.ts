import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { type FocusAnswer, type FocusProbe, PROBE_TIMEOUT_MS } from './focus-probe.ts';
import { hyprlandProbe } from './hyprland-focus.ts';
import { macosProbe } from './macos-focus.ts';
import { niriProbe } from './niri-focus.ts';
import { swayProbe } from './sway-focus.ts';
import { tmuxProbe } from './tmux-focus.ts';
import { wslProbe } from './wsl-focus.ts';
import { x11Probe } from './x11-focus.ts';

// Is the terminal a command ran in in front of the user? Asked only for a rule whose `when` is
// "unfocused". tmux first (a pane no client shows is not in front, whatever the window); then the
// terminal window, by the first probe that applies to what the shell reported: its compositor's
// socket (sway, Hyprland, niri), macOS, an X11 window id, WSL. Where nothing can tell — GNOME or
// KDE on Wayland, Windows Terminal, a remote shell, an event without the shell's metadata — the
// answer is "unknown", which notifies; the log says so once per kind of place, and the window
// lists those places (`unknownPlaces`).

export interface UnknownFocusPlace {
  /** The kind of terminal or desktop ("Windows Terminal (WSL)", "a Wayland desktop without …"). */
  where: string;
  why: string;
}

export interface TerminalFocus {
  /** True only when a probe says the terminal is in front. */
  isFocused(metadata: Record<string, unknown>): Promise<boolean>;
  /** The places met so far where focus could not be told (each once, oldest first). */
  unknownPlaces(): UnknownFocusPlace[];
}

export function defaultWindowProbes(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): FocusProbe[] {
  // Compositor sockets before X11: an XWayland terminal under sway sets WINDOWID too, and sway
  // keeps no _NET_ACTIVE_WINDOW. WSL last: a WSLg X11 terminal has a window id to ask about.
  return [swayProbe(env), hyprlandProbe(env), niriProbe(env), macosProbe(env, platform), x11Probe(env), wslProbe()];
}

const REMOTE: UnknownFocusPlace = {
  where: 'shells on other hosts',
  why: 'their terminal, tmux and desktop are not this machine’s (the same socket path here would be another server)',
};

/** Where no probe applies: what the metadata says about the terminal, in words for the log and the window. */
function placeWithoutProbe(metadata: Record<string, unknown>, env: NodeJS.ProcessEnv): UnknownFocusPlace {
  if (typeof metadata.shell !== 'string')
    return {
      where: 'events without a shell’s terminal details',
      why: 'they were not sent by the shell integration (hookbox send, a script, an HTTP client)',
    };
  if (typeof metadata.wayland_display === 'string')
    return {
      where: 'a Wayland desktop other than sway, Hyprland or niri (GNOME, KDE Plasma …)',
      why: 'its compositor lets no program ask which window is in front',
    };
  if (typeof metadata.window_id === 'string')
    return { where: 'X11 terminals', why: 'Hookbox runs without $DISPLAY, so it cannot ask the X server' };
  if (env.DISPLAY)
    return {
      where: 'X11 terminals that set no $WINDOWID (GNOME Terminal, Konsole …)',
      why: 'nothing tells their window apart from the outside',
    };
  return {
    where: 'terminals Hookbox has no probe for',
    why: 'the shell reported no tmux pane, X11 window, compositor socket or known terminal application',
  };
}

/** A probe's answer, or "unknown" once the budget is spent (its programs are killed at their own timeout). */
function withinBudget(probe: FocusProbe, metadata: Record<string, unknown>, budgetMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), budgetMs);
  });
  return Promise.race([probe.check(metadata), late]).finally(() => clearTimeout(timer));
}

export function createTerminalFocus(options: {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  probes?: { tmux: FocusProbe; window: FocusProbe[] };
  /** How long one probe may take, all its programs together (default PROBE_TIMEOUT_MS). */
  budgetMs?: number;
  /** This machine's name, to tell a remote shell's events (default: os.hostname()). */
  host?: string;
}): TerminalFocus {
  const probes = options.probes ?? { tmux: tmuxProbe(options.env), window: defaultWindowProbes(options.env) };
  const budgetMs = options.budgetMs ?? PROBE_TIMEOUT_MS;
  const host = options.host ?? hostname();
  const places = new Map<string, UnknownFocusPlace>();
  const unknown = (place: UnknownFocusPlace): false => {
    if (!places.has(place.where)) {
      places.set(place.where, place);
      options.logger.info(
        { where: place.where },
        `notifications: cannot tell whether a command’s terminal is in front for ${place.where}: ${place.why}; ` +
          '"unfocused" rules notify as if it were not (said once)',
      );
    }
    return false;
  };

  async function ask(probe: FocusProbe, metadata: Record<string, unknown>): Promise<FocusAnswer> {
    const answer = await withinBudget(probe, metadata, budgetMs);
    if (answer === 'late')
      options.logger.warn(
        { probe: probe.name, budget_ms: budgetMs },
        'notifications: a focus probe did not answer in time',
      );
    return answer === 'late' ? 'unknown' : answer;
  }

  return {
    async isFocused(metadata) {
      // A remote shell's tmux socket or compositor socket names nothing of its own here.
      if (typeof metadata.hostname === 'string' && metadata.hostname !== '' && metadata.hostname !== host)
        return unknown(REMOTE);
      const inTmux = await ask(probes.tmux, metadata);
      if (inTmux === 'unfocused') return false;
      const probe = probes.window.find((p) => p.applies?.(metadata) ?? true);
      const window = probe ? await ask(probe, metadata) : 'unknown';
      if (window !== 'unknown') return window === 'focused';
      // A client shows the pane; which window that client is in cannot be told here.
      if (inTmux === 'focused') return true;
      if (!probe) return unknown(placeWithoutProbe(metadata, options.env));
      return unknown({
        where: probe.name,
        why: probe.unknowable ?? `its program is missing, failed or took longer than ${budgetMs} ms`,
      });
    },
    unknownPlaces: () => [...places.values()],
  };
}
