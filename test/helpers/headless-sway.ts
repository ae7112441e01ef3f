import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { focusedSwayNode } from '../../main/core/notify/focus/sway-focus.ts';
import { findOnPath } from '../../main/core/notify/libnotify-notifier.ts';
import { tempDir } from './temp-dir.ts';

// A real sway, headless (wlroots' headless backend: no GPU, no input devices) in a runtime dir of
// its own, and foot terminals as its windows. sway refuses to run as root, so as root it runs as
// nobody (setpriv); the test, as root, can still use its sockets.

const asRoot = process.getuid?.() === 0;

/** Why the sway tests cannot run here (false: they can); in CI the tools must be there. */
export function swaySkip(): string | false {
  const missing = ['sway', 'swaymsg', 'foot', ...(asRoot ? ['setpriv'] : [])].filter((tool) => !findOnPath(tool));
  return missing.length > 0 && !process.env.CI
    ? `needs ${missing.join(', ')} (Debian: apt-get install sway foot)`
    : false;
}

/** Polls an async check until it gives something; generous, as a loaded machine starts sway slowly. */
export async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface HeadlessSway {
  /** sway's IPC socket ($SWAYSOCK). */
  socket: string;
  /** The pid of the client owning the focused window; undefined when a workspace has the focus. */
  focusedPid(): number | undefined;
  /** A foot window running argv; resolves once it has the focus. */
  openWindow(argv: string[]): Promise<ChildProcess>;
  /** A foot window whose shell writes its pid and waits; resolves with that pid once it has the focus. */
  openShellWindow(name: string): Promise<{ shellPid: number; foot: ChildProcess }>;
}

export async function startHeadlessSway(): Promise<HeadlessSway> {
  const dir = tempDir('hookbox-sway-');
  const runtime = join(dir, 'runtime');
  mkdirSync(runtime, { mode: 0o700 });
  writeFileSync(join(dir, 'config'), 'output HEADLESS-1 resolution 800x600\n');
  chmodSync(dir, 0o755);
  if (asRoot) chownSync(runtime, 65534, 65534);
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children.reverse()) child.kill();
  });
  const argv = ['sway', '-c', join(dir, 'config')];
  const [file, ...args] = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...argv] : argv;
  const base = { PATH: process.env.PATH, HOME: dir, XDG_RUNTIME_DIR: runtime };
  children.push(
    spawn(file!, args, {
      env: { ...base, WLR_BACKENDS: 'headless', WLR_LIBINPUT_NO_DEVICES: '1', WLR_RENDERER: 'pixman' },
      stdio: 'ignore',
    }),
  );
  const names = await until(() => {
    const entries = readdirSync(runtime);
    const ipc = entries.find((n) => n.startsWith('sway-ipc.') && n.endsWith('.sock'));
    const display = entries.find((n) => /^wayland-\d+$/.test(n));
    return ipc && display ? { ipc, display } : undefined;
  }, 'sway to open its IPC and Wayland sockets');
  const socket = join(runtime, names.ipc);
  const focused = () =>
    focusedSwayNode(JSON.parse(execFileSync('swaymsg', ['-s', socket, '-r', '-t', 'get_tree'], { encoding: 'utf8' })));
  await until(() => {
    try {
      return focused()?.type === 'workspace';
    } catch {
      return undefined;
    }
  }, 'sway to answer get_tree');

  const openWindow = async (command: string[]) => {
    const foot = spawn('foot', ['--term=xterm-256color', ...command], {
      env: { ...base, WAYLAND_DISPLAY: names.display },
      stdio: 'ignore',
    });
    children.push(foot);
    await until(() => focused()?.pid === foot.pid, `the window of ${command.join(' ')} to have the focus`);
    return foot;
  };
  return {
    socket,
    focusedPid: () => focused()?.pid,
    openWindow,
    async openShellWindow(name) {
      const pidFile = join(dir, `${name}.pid`);
      const foot = await openWindow(['sh', '-c', `echo $$ > '${pidFile}'; exec sleep 600`]);
      const shellPid = await until(
        () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) || undefined : undefined),
        `${name}'s shell`,
      );
      return { shellPid, foot };
    },
  };
}
