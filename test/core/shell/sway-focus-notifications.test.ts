import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { installShellIntegration } from '../../../main/core/shell/shell-installer.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { startHeadlessSway, swaySkip } from '../../helpers/headless-sway.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { waitForCount } from './event-polling.ts';
import { TmuxShell, prepareHome, shellArgv, shellEnv, waitForPrompt } from './tmux-shell.ts';

// long_running_when = "unfocused" under a real (headless) sway: a real shell runs in tmux, and a
// foot window shows it through an attached tmux client. The shell sends $SWAYSOCK (and the other
// desktop variables it has); the hub asks sway which window has the focus and finds the tmux
// client's terminal: a long command there does not notify; once another window has the focus,
// the next one does.

const skip = swaySkip();

describe('notifications follow the window focus under sway', { skip }, () => {
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    test(`${shell}: a long command in the focused window does not notify, one in a window left behind does`, async () => {
      const sway = await startHeadlessSway();
      const logged: { msg: string; event_id?: string }[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
      const home = prepareHome(shell);
      const hub = await startHub({
        env: { HOME: home, XDG_DATA_HOME: join(home, '.local/share'), AGENTD_LONG_RUNNING_THRESHOLD_MS: '200' },
        logger,
      });
      installShellIntegration(shell, { home, env: { HOME: home }, baseUrl: hub.url });
      const desktop = {
        SWAYSOCK: sway.socket,
        WAYLAND_DISPLAY: 'wayland-1',
        HYPRLAND_INSTANCE_SIGNATURE: 'not_asked_1',
        WSL_DISTRO_NAME: 'Debian',
        __CFBundleIdentifier: 'org.example.terminal',
      };
      const inner = await TmuxShell.start({ argv: shellArgv(shell), env: shellEnv(home, desktop), cwd: tempDir() });
      await waitForPrompt(inner);
      const window = await sway.openWindow(['env', '-u', 'TMUX', 'tmux', '-S', inner.socket, 'attach', '-t', 'hb']);

      await inner.line('sleep 0.5; echo watched-run');
      const [watched] = await waitForCount(hub.url, 1, 'the watched event');
      assert.deepEqual(
        [
          watched!.metadata.sway_socket,
          watched!.metadata.wayland_display,
          watched!.metadata.hyprland_instance,
          watched!.metadata.wsl_distro,
          watched!.metadata.bundle_id,
          watched!.metadata.term_program, // tmux sets TERM_PROGRAM for its panes
        ],
        [sway.socket, 'wayland-1', 'not_asked_1', 'Debian', 'org.example.terminal', 'tmux'],
      );
      await eventually(
        () => logged.some((l) => l.event_id === watched!.id && /terminal is in front/.test(l.msg)),
        'the hub to decide the watched command is in front',
      );

      // Another window takes the focus; the tmux client still shows the pane, in a window behind.
      const other = await sway.openWindow(['sh', '-c', 'exec sleep 600']);
      await inner.line('sleep 0.5; echo away-run');
      const [, away] = await waitForCount(hub.url, 2, 'the away event');
      await eventually(() => hub.hub.notifications.forEvent(away!.id).length === 1, 'the away notification');
      assert.deepEqual(hub.hub.notifications.forEvent(watched!.id), []);
      other.kill();
      window.kill();
    });
  }
});
