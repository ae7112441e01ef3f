import { Type } from 'typebox';
import {
  type FocusAnswer,
  type FocusProbe,
  jsonReader,
  PROBE_TIMEOUT_MS,
  runProbe,
  socketPath,
} from './focus-probe.ts';
import { terminalProcesses } from './terminal-processes.ts';

// niri: `niri msg --json focused-window` with NIRI_SOCKET set to the socket the shell sent
// (niri_socket). The reply is the focused Window (niri-ipc's `Window`: id, title, app_id, pid, …)
// or `null` when none is (a layer-shell surface has the focus). Its pid is "the process that
// created the Wayland connection for this window, if known": the terminal is in front when it is
// one of the shell's ancestors (or of the tmux client showing its pane).

const readFocused = jsonReader(
  Type.Union([Type.Null(), Type.Object({ pid: Type.Union([Type.Integer(), Type.Null()]) })]),
);

export function niriProbe(env: NodeJS.ProcessEnv): FocusProbe {
  return {
    name: 'niri',
    applies: (metadata) => socketPath(metadata.niri_socket) !== undefined,
    async check(metadata): Promise<FocusAnswer> {
      const socket = socketPath(metadata.niri_socket);
      if (!socket) return 'unknown';
      const [out, mine] = await Promise.all([
        runProbe('niri', ['msg', '--json', 'focused-window'], { ...env, NIRI_SOCKET: socket }),
        terminalProcesses(metadata, env, PROBE_TIMEOUT_MS),
      ]);
      const focused = readFocused(out);
      if (focused === undefined) return 'unknown';
      if (focused === null) return 'unfocused';
      if (focused.pid === null || mine.size === 0) return 'unknown';
      return mine.has(focused.pid) ? 'focused' : 'unfocused';
    },
  };
}
