import { Type } from 'typebox';
import { type FocusAnswer, type FocusProbe, jsonReader, PROBE_TIMEOUT_MS, runProbe } from './focus-probe.ts';
import { terminalProcesses } from './terminal-processes.ts';

// Hyprland: `hyprctl --instance SIGNATURE -j activewindow` (the shell sends
// HYPRLAND_INSTANCE_SIGNATURE as hyprland_instance; hyprctl finds the socket under
// $XDG_RUNTIME_DIR/hypr/SIGNATURE). The reply is the active window's object with the pid of its
// client, or `{}` when no window is active (Hyprland's src/ipc/s1/Commands.cpp,
// activeWindowRequest). The terminal is in front when that pid is one of the shell's ancestors
// (or of the tmux client showing its pane).

/** Hyprland's signatures are `<commit hash>_<unix time>_<random>`; nothing a path could climb out of. */
const SIGNATURE = /^[A-Za-z0-9_-]{1,200}$/;
const readActive = jsonReader(Type.Object({ pid: Type.Optional(Type.Integer()) }));

export function hyprlandProbe(env: NodeJS.ProcessEnv): FocusProbe {
  const signature = (metadata: Record<string, unknown>) => {
    const value = metadata.hyprland_instance;
    return typeof value === 'string' && SIGNATURE.test(value) ? value : undefined;
  };
  return {
    name: 'Hyprland',
    applies: (metadata) => signature(metadata) !== undefined,
    async check(metadata): Promise<FocusAnswer> {
      const instance = signature(metadata);
      if (!instance) return 'unknown';
      const [out, mine] = await Promise.all([
        runProbe('hyprctl', ['--instance', instance, '-j', 'activewindow'], env),
        terminalProcesses(metadata, env, PROBE_TIMEOUT_MS),
      ]);
      const active = readActive(out);
      if (!active) return 'unknown';
      if (active.pid === undefined) return 'unfocused'; // {}: no window is active
      if (mine.size === 0) return 'unknown';
      return mine.has(active.pid) ? 'focused' : 'unfocused';
    },
  };
}
