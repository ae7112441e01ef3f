import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { installShellIntegration } from '../../../main/core/shell/shell-installer.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { listEvents, waitForCount } from './event-polling.ts';
import { TmuxShell, prepareHome, shellArgv, shellEnv, waitForPrompt } from './tmux-shell.ts';

// Hookbox not running (nothing listens on the port the script was made for): shells behave
// exactly as without the integration. Then HOOKBOX_URL, set at run time, points the same shell at
// a hub that is up, and reporting starts: the integration was there all along, silently.

/** A port on 127.0.0.1 that nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const SET_URL = { bash: 'export HOOKBOX_URL=', zsh: 'export HOOKBOX_URL=', fish: 'set -gx HOOKBOX_URL ' };

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`${shell}: with Hookbox down the terminal shows exactly what it would without it; HOOKBOX_URL redirects at run time`, async () => {
    const home = prepareHome(shell);
    installShellIntegration(shell, { home, env: { HOME: home }, baseUrl: `http://127.0.0.1:${await deadPort()}` });
    const session = await TmuxShell.start({ argv: shellArgv(shell), env: shellEnv(home), cwd: tempDir() });
    await waitForPrompt(session);

    // One line at a time, each after the prompt is back (typing ahead would echo early).
    const prompts = (screen: string) => screen.split('\n').filter((line) => line.startsWith('$')).length;
    for (const line of ['true', 'false', 'sleep 0.3', 'echo "down-1"']) {
      const before = prompts(await session.screen());
      await session.line(line);
      await session.waitForScreen((s) => prompts(s) > before && s.endsWith('\n$'), `the prompt after ${line}`);
    }
    const screen = await session.screen();
    assert.equal(screen, ['$ true', '$ false', '$ sleep 0.3', '$ echo "down-1"', 'down-1', '$'].join('\n'));

    const hub = await startHub();
    await session.line(`${SET_URL[shell]}${hub.url}`);
    await waitForCount(hub.url, 1, 'the event of the line that set HOOKBOX_URL');
    await session.line('echo "up-1"');
    await waitForCount(hub.url, 2, 'the next event');
    assert.deepEqual(
      (await listEvents(hub.url)).map((e) => [e.command, e.exit_code]),
      [
        [`${SET_URL[shell]}${hub.url}`, 0],
        ['echo "up-1"', 0],
      ],
    );
  });
}
