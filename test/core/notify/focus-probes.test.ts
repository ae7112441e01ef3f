import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { hyprlandProbe } from '../../../main/core/notify/focus/hyprland-focus.ts';
import { macosProbe } from '../../../main/core/notify/focus/macos-focus.ts';
import { niriProbe } from '../../../main/core/notify/focus/niri-focus.ts';
import { createTerminalFocus, defaultWindowProbes } from '../../../main/core/notify/focus/terminal-focus.ts';
import { tmuxProbe } from '../../../main/core/notify/focus/tmux-focus.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import {
  HYPRLAND_ACTIVE_WINDOW,
  HYPRLAND_NO_WINDOW,
  LSAPPINFO_BUNDLE_NEW,
  LSAPPINFO_BUNDLE_OLD,
  LSAPPINFO_FRONT,
  NIRI_FOCUSED_WINDOW,
  NIRI_NO_WINDOW,
} from './fixtures/focus-outputs.ts';

// The focus probes for desktops this machine cannot run (Hyprland, niri, macOS, Windows Terminal
// under WSL), and the choice among all probes. hyprctl, niri and lsappinfo are boundary mocks:
// scripts of those names on PATH that print the commands' documented output (fixtures/) and note
// their arguments and environment. The pid comparison is real: the "shell" is this test process,
// whose ancestors (/proc) include its parent; a sleep it starts is no ancestor of it.

const bin = tempDir('hookbox-fake-desktop-');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

/** A boundary mock: prints the file `<name>.out` and appends its arguments (and NIRI_SOCKET) to `<name>.args`. */
function fake(name: string, output: string): void {
  writeFileSync(join(bin, `${name}.out`), output);
  writeFileSync(
    join(bin, name),
    `#!/bin/sh\nprintf '%s|%s\\n' "$*" "$NIRI_SOCKET" >> "${bin}/${name}.args"\n` +
      `case "$*" in *hang*) ;; *) cat "${bin}/${name}.out"; exit 0 ;; esac\nexec sleep 60\n`,
    { mode: 0o755 },
  );
}
const calls = (name: string) =>
  readFileSync(join(bin, `${name}.args`), 'utf8')
    .trim()
    .split('\n');

const stranger = spawn('sleep', ['600'], { stdio: 'ignore' });
after(() => stranger.kill());
const shell = { shell: 'bash', pid: process.pid };

describe('Hyprland: hyprctl activewindow against the shell’s ancestors', () => {
  test('the window of an ancestor is in front, another or none is not; a bad signature is not asked about', async () => {
    const probe = hyprlandProbe(env);
    const metadata = { ...shell, hyprland_instance: 'a1b2c3_1733600000_123456' };
    assert.equal(probe.applies?.(metadata), true);
    fake('hyprctl', HYPRLAND_ACTIVE_WINDOW.replace('PID', String(process.ppid)));
    assert.equal(await probe.check(metadata), 'focused');
    assert.deepEqual(calls('hyprctl').at(-1), '--instance a1b2c3_1733600000_123456 -j activewindow|');
    fake('hyprctl', HYPRLAND_ACTIVE_WINDOW.replace('PID', String(stranger.pid)));
    assert.equal(await probe.check(metadata), 'unfocused');
    fake('hyprctl', HYPRLAND_NO_WINDOW);
    assert.equal(await probe.check(metadata), 'unfocused');
    fake('hyprctl', 'Invalid\n');
    assert.equal(await probe.check(metadata), 'unknown');
    const bad = { ...shell, hyprland_instance: '../../etc' };
    assert.equal(probe.applies?.(bad), false);
    assert.equal(await probe.check(bad), 'unknown');
  });
});

describe('niri: niri msg --json focused-window against the shell’s ancestors', () => {
  test('asks the socket the shell sent; an ancestor’s window is in front, another or none is not', async () => {
    const probe = niriProbe(env);
    const metadata = { ...shell, niri_socket: '/run/user/1000/niri.wayland-1.2345.sock' };
    fake('niri', NIRI_FOCUSED_WINDOW.replace('PID', String(process.ppid)));
    assert.equal(await probe.check(metadata), 'focused');
    assert.equal(calls('niri').at(-1), 'msg --json focused-window|/run/user/1000/niri.wayland-1.2345.sock');
    fake('niri', NIRI_FOCUSED_WINDOW.replace('PID', String(stranger.pid)));
    assert.equal(await probe.check(metadata), 'unfocused');
    fake('niri', NIRI_NO_WINDOW);
    assert.equal(await probe.check(metadata), 'unfocused');
    // A window whose client niri does not know (xdg-desktop-portal-gnome's): cannot tell.
    fake('niri', NIRI_FOCUSED_WINDOW.replace('PID', 'null'));
    assert.equal(await probe.check(metadata), 'unknown');
    assert.equal(probe.applies?.({ ...shell, niri_socket: 'relative.sock' }), false);
  });
});

describe('macOS: the frontmost application against the terminal’s bundle', () => {
  test('bundle_id first, else TERM_PROGRAM; both lsappinfo spellings; only on macOS', async () => {
    const probe = macosProbe(env, 'darwin');
    const iterm = { ...shell, bundle_id: 'com.googlecode.iterm2', term_program: 'iTerm.app' };
    fake('lsappinfo', LSAPPINFO_FRONT);
    // `lsappinfo front` and `lsappinfo info` are one mock: it prints the ASN line, then (below) the bundle.
    writeFileSync(
      join(bin, 'lsappinfo'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> "${bin}/lsappinfo.args"\n` +
        `case "$1" in front) printf '${LSAPPINFO_FRONT.trim()}\\n' ;; *) cat "${bin}/lsappinfo.out" ;; esac\n`,
      { mode: 0o755 },
    );
    writeFileSync(join(bin, 'lsappinfo.out'), LSAPPINFO_BUNDLE_OLD);
    assert.equal(await probe.check(iterm), 'focused');
    assert.deepEqual(calls('lsappinfo').slice(-2), ['front', 'info -only bundleid ASN:0x0-0x1e01e:']);
    writeFileSync(join(bin, 'lsappinfo.out'), LSAPPINFO_BUNDLE_NEW);
    assert.equal(await probe.check(iterm), 'unfocused');
    // Apple's Terminal names itself only through TERM_PROGRAM here (no bundle_id sent).
    assert.equal(await probe.check({ ...shell, term_program: 'Apple_Terminal' }), 'focused');
    assert.equal(probe.applies?.({ ...shell, term_program: 'tmux' }), false);
    assert.equal(macosProbe(env, 'linux').applies?.(iterm), false);
    assert.equal(await macosProbe(env, 'linux').check(iterm), 'unknown');
  });
});

describe('which probe decides, and what the hub says where none can', () => {
  const capture = () => {
    const lines: { level: number; msg: string; where?: string; probe?: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    return { lines, logger };
  };

  test('the compositor the shell reported is asked, before X11', async () => {
    const { logger } = capture();
    fake('hyprctl', HYPRLAND_ACTIVE_WINDOW.replace('PID', String(process.ppid)));
    const focus = createTerminalFocus({
      env: { ...env, DISPLAY: ':99' },
      logger,
      probes: { tmux: tmuxProbe(env), window: defaultWindowProbes({ ...env, DISPLAY: ':99' }, 'linux') },
    });
    // An XWayland terminal under Hyprland sets WINDOWID too: Hyprland's answer counts.
    const metadata = { ...shell, hyprland_instance: 'sig_1_2', window_id: '12345', wayland_display: 'wayland-1' };
    assert.equal(await focus.isFocused(metadata), true);
    assert.deepEqual(focus.unknownPlaces(), []);
  });

  test('Windows Terminal under WSL: unknown, notifies, said once in the log and listed for the window', async () => {
    const { lines, logger } = capture();
    const focus = createTerminalFocus({ env, logger, host: 'box' });
    const wsl = { ...shell, hostname: 'box', wsl_distro: 'Ubuntu', term_program: 'vscode' };
    assert.equal(await focus.isFocused(wsl), false);
    assert.equal(await focus.isFocused(wsl), false);
    const said = lines.filter((l) => l.where === 'Windows Terminal (WSL)');
    assert.equal(said.length, 1);
    assert.match(said[0]!.msg, /cannot tell .* Windows Terminal \(WSL\): .*powershell\.exe/);
    assert.deepEqual(
      focus.unknownPlaces().map((p) => p.where),
      ['Windows Terminal (WSL)'],
    );
  });

  test('GNOME on Wayland, a remote shell, an event from a script: each named once', async () => {
    const { logger } = capture();
    const focus = createTerminalFocus({ env: { PATH: env.PATH }, logger, host: 'box' });
    assert.equal(await focus.isFocused({ ...shell, hostname: 'box', wayland_display: 'wayland-0' }), false);
    assert.equal(await focus.isFocused({ ...shell, hostname: 'build-server', wayland_display: 'wayland-0' }), false);
    assert.equal(await focus.isFocused({ cwd: '/tmp' }), false);
    assert.equal(await focus.isFocused({ ...shell, hostname: 'box', wayland_display: 'wayland-1' }), false);
    assert.deepEqual(
      focus.unknownPlaces().map((p) => p.where),
      [
        'a Wayland desktop other than sway, Hyprland or niri (GNOME, KDE Plasma …)',
        'shells on other hosts',
        'events without a shell’s terminal details',
      ],
    );
  });

  test('a hung compositor costs a notification at most the probe budget, then counts as unknown', async () => {
    const { lines, logger } = capture();
    // The fake hangs on any call whose arguments say "hang": here, the instance signature.
    fake('hyprctl', HYPRLAND_NO_WINDOW);
    const focus = createTerminalFocus({ env, logger, host: 'box', budgetMs: 200 });
    assert.equal(await focus.isFocused({ ...shell, hostname: 'box', hyprland_instance: 'hang_1_2' }), false);
    assert.ok(lines.some((l) => l.probe === 'Hyprland' && /did not answer in time/.test(l.msg)));
    assert.deepEqual(
      focus.unknownPlaces().map((p) => p.where),
      ['Hyprland'],
    );
  });
});
