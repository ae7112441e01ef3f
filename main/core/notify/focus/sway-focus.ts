import { Type, type Static } from 'typebox';
import { schemaCheck } from '../../util/schema-check.ts';
import { type FocusAnswer, type FocusProbe, PROBE_TIMEOUT_MS, runProbe, socketPath } from './focus-probe.ts';
import { terminalProcesses } from './terminal-processes.ts';

// sway: `swaymsg -s $SWAYSOCK -t get_tree` (the shell sends SWAYSOCK as sway_socket) and the node
// whose "focused" is true (sway-ipc(7), GET_TREE). A window node carries the pid of the client
// that owns it: the terminal is in front when that pid is one of the shell's ancestors (or of the
// tmux client showing its pane). A focused workspace or output means no window is in front. A
// focused split container counts as in front when one of the windows inside it is the terminal.

/** The fields of a GET_TREE node this probe reads; each node is checked as the walk reaches it. */
const SwayNode = Type.Object({
  type: Type.String(),
  focused: Type.Boolean(),
  pid: Type.Optional(Type.Integer()),
  nodes: Type.Array(Type.Unknown()),
  floating_nodes: Type.Optional(Type.Array(Type.Unknown())),
});
type SwayNode = Static<typeof SwayNode>;
const isNode = schemaCheck(SwayNode);

/** The focused node of a GET_TREE reply; undefined when the reply is not a tree or none is focused. */
export function focusedSwayNode(tree: unknown): SwayNode | undefined {
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isNode.Check(node)) return undefined;
    if (node.focused) return node;
    stack.push(...node.nodes, ...(node.floating_nodes ?? []));
  }
  return undefined;
}

function windowPids(node: SwayNode): number[] {
  const pids: number[] = [];
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const next = stack.pop();
    if (!isNode.Check(next)) continue;
    if (next.pid !== undefined) pids.push(next.pid);
    stack.push(...next.nodes, ...(next.floating_nodes ?? []));
  }
  return pids;
}

export function swayProbe(env: NodeJS.ProcessEnv): FocusProbe {
  return {
    name: 'sway',
    applies: (metadata) => socketPath(metadata.sway_socket) !== undefined,
    async check(metadata): Promise<FocusAnswer> {
      const socket = socketPath(metadata.sway_socket);
      if (!socket) return 'unknown';
      const [out, mine] = await Promise.all([
        // A tree of many windows is large: up to 8 MiB.
        runProbe('swaymsg', ['-s', socket, '-r', '-t', 'get_tree'], env, PROBE_TIMEOUT_MS, 8 * 1024 * 1024),
        terminalProcesses(metadata, env, PROBE_TIMEOUT_MS),
      ]);
      let tree: unknown;
      try {
        tree = out === undefined ? undefined : JSON.parse(out);
      } catch {
        return 'unknown';
      }
      const focused = focusedSwayNode(tree);
      if (!focused) return 'unknown';
      if (focused.type === 'workspace' || focused.type === 'output' || focused.type === 'root') return 'unfocused';
      if (mine.size === 0) return 'unknown';
      return windowPids(focused).some((pid) => mine.has(pid)) ? 'focused' : 'unfocused';
    },
  };
}
