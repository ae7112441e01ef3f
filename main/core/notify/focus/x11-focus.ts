import { type FocusAnswer, type FocusProbe, runProbe } from './focus-probe.ts';

// X11: the terminal's window ($WINDOWID, sent by the shell) against the window manager's
// _NET_ACTIVE_WINDOW on the root window, read with xprop. Terminals put WINDOWID on their own
// widget, which may be a child of the top-level window the manager makes active: the window is
// in front when it is the active one or inside it (xwininfo -children lists the active one's).

export function x11Probe(env: NodeJS.ProcessEnv): FocusProbe {
  return {
    name: 'X11',
    applies: (metadata) => Boolean(env.DISPLAY) && typeof metadata.window_id === 'string',
    async check(metadata): Promise<FocusAnswer> {
      const raw = metadata.window_id;
      if (!env.DISPLAY || typeof raw !== 'string' || !/^\d{1,10}$/.test(raw)) return 'unknown';
      const windowId = Number(raw);
      const out = await runProbe('xprop', ['-root', '-notype', '_NET_ACTIVE_WINDOW'], env);
      // "window id # 0x1a00007" as a window manager sets it (type WINDOW), "= 27262983" otherwise.
      const active = out === undefined ? null : /(?:window id # |= )(0x[0-9a-f]+|\d+)/i.exec(out);
      if (!active) return 'unknown';
      const activeId = Number(active[1]);
      if (activeId === windowId) return 'focused';
      if (activeId === 0) return 'unfocused';
      const tree = await runProbe('xwininfo', ['-children', '-tree', '-id', String(activeId)], env);
      if (tree === undefined) return 'unknown';
      const inside = [...tree.matchAll(/^\s+(0x[0-9a-f]+) /gim)].some((m) => Number.parseInt(m[1]!, 16) === windowId);
      return inside ? 'focused' : 'unfocused';
    },
  };
}
