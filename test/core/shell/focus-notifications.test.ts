import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { formatDuration } from '../../../main/shared/format-duration.ts';
import { createLibnotifyNotifier } from '../../../main/core/notify/libnotify-notifier.ts';
import { installShellIntegration } from '../../../main/core/shell/shell-installer.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { missingDesktopTools, startNotificationDaemon } from '../../helpers/notification-daemon.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { waitForCount } from './event-polling.ts';
import { TmuxShell, prepareHome, shellArgv, shellEnv, waitForPrompt } from './tmux-shell.ts';

// long_running_when = "unfocused" (the default) with a real shell in a real tmux and a real
// notification daemon (dunst on a private D-Bus): a long command in a pane no client shows
// notifies; the same in a pane an attached client shows does not. A failure (failure_when =
// "always") notifies either way.

const missing = missingDesktopTools();
const skip = missing.length > 0 && !process.env.CI ? `needs ${missing.join(', ')}` : false;

describe('notifications follow the terminal focus (tmux)', { skip }, () => {
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    test(`${shell}: a long command notifies from a detached tmux pane, not from one a client shows`, async () => {
      const daemon = await startNotificationDaemon();
      const logged: { msg: string; event_id?: string }[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
      const home = prepareHome(shell);
      const hub = await startHub({
        env: { HOME: home, XDG_DATA_HOME: join(home, '.local/share'), AGENTD_LONG_RUNNING_THRESHOLD_MS: '200' },
        desktop: createLibnotifyNotifier({ env: daemon.env }),
        logger,
      });
      installShellIntegration(shell, { home, env: { HOME: home }, baseUrl: hub.url });
      // The shell runs inside tmux (its own server); nothing is attached to it yet.
      const inner = await TmuxShell.start({ argv: shellArgv(shell), env: shellEnv(home), cwd: tempDir() });
      await waitForPrompt(inner);

      await inner.line('sleep 0.5; echo detached-run');
      await eventually(
        () => daemon.shown().some((n) => n.body.includes('sleep 0.5; echo detached-run')),
        'the notification from the detached pane',
      );
      const [detached] = await waitForCount(hub.url, 1, 'the detached event');
      assert.equal(typeof detached!.metadata.tmux_pane, 'string');
      assert.equal(detached!.metadata.tmux_socket, inner.socket);

      // A client attaches (in a terminal of its own: another tmux's pane) and shows the pane.
      const client = await TmuxShell.start({
        argv: ['env', '-u', 'TMUX', 'tmux', '-S', inner.socket, 'attach', '-t', 'hb'],
        env: shellEnv(home),
        cwd: tempDir(),
      });
      await client.waitForScreen((screen) => screen.includes('detached-run'), 'the attached client to show the pane');
      await inner.line('sleep 0.5; echo watched-run');
      const [, watched] = await waitForCount(hub.url, 2, 'the watched event');
      assert.equal(watched!.command, 'sleep 0.5; echo watched-run');
      await eventually(
        () => logged.some((l) => l.event_id === watched!.id && /terminal is in front/.test(l.msg)),
        'the hub to decide the watched command is in front',
      );
      // A failure is news even in front of you.
      await inner.line('false');
      await eventually(() => daemon.shown().some((n) => n.summary === 'Command failed'), 'the failure notification');
      assert.deepEqual(
        daemon.shown().map((n) => n.body),
        [`Done in ${formatDuration(detached!.duration_ms)}: sleep 0.5; echo detached-run`, 'Failed (exit 1): false'],
      );
      assert.deepEqual(hub.hub.notifications.forEvent(watched!.id), []);
      await client.stop();
    });
  }
});
