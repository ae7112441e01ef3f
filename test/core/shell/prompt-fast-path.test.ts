import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { installShellIntegration } from '../../../main/core/shell/shell-installer.ts';
import { shellSpoolDir } from '../../../main/core/shell/shell-spool.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { listEvents, waitForCount } from './event-polling.ts';
import { TmuxShell, prepareHome, shellArgv, shellEnv, waitForPrompt } from './tmux-shell.ts';

// The cheap per-prompt paths of the integrations (main/core/shell/*-integration.ts): a line with
// nothing JSON escapes is written as it is, the directory's JSON is kept while it stays the same.
// Both must still give exactly what was typed and where: through the real shells and the spool.

// A directory whose JSON needs escaping (a quote, a backslash) and one with non-ASCII only.
const QUOTED_DIR = 'dir "q" \\ x';
const PLAIN_DIR = 'naïve 漢字';

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`${shell}: plain, non-ASCII and escaped lines, in directories that change, are reported exactly`, async () => {
    const home = prepareHome(shell, '');
    const hub = await startHub({ env: { HOME: home, XDG_DATA_HOME: join(home, '.local/share') } });
    installShellIntegration(shell, { home, env: { HOME: home }, baseUrl: hub.url });
    const work = tempDir('hookbox-work-');
    mkdirSync(join(work, QUOTED_DIR));
    mkdirSync(join(work, PLAIN_DIR));
    const session = await TmuxShell.start({ argv: shellArgv(shell), env: shellEnv(home), cwd: work });
    await waitForPrompt(session);

    const quote = (dir: string) => (shell === 'fish' ? `'${dir.replaceAll('\\', '\\\\')}'` : `'${dir}'`);
    const lines: Array<[string, string]> = [
      ['echo plain', work],
      ['echo naïve 🎉 – done', work],
      ['echo "quoted" \\ back', work],
      [`cd ${quote(QUOTED_DIR)}`, work],
      ['echo in the quoted dir', join(work, QUOTED_DIR)],
      ['echo again', join(work, QUOTED_DIR)],
      [`cd ../${quote(PLAIN_DIR)}`, join(work, QUOTED_DIR)],
      ['echo in the plain dir', join(work, PLAIN_DIR)],
      ['cd ..', join(work, PLAIN_DIR)],
      ['echo back', work],
    ];
    for (const [i, [line]] of lines.entries()) {
      await session.line(line);
      await waitForCount(hub.url, i + 1, `the event for ${JSON.stringify(line)}`);
    }
    const events = await listEvents(hub.url);
    assert.deepEqual(
      events.map((e) => [e.command, e.metadata.cwd]),
      lines,
    );

    // Through the spool, one JSON line each (not over HTTP).
    const pid = await session.pid();
    const spooled = readFileSync(join(shellSpoolDir(hub.address.port, {}, home), `events.${pid}.jsonl`), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { command: string; metadata: { cwd: string } });
    assert.deepEqual(
      spooled.map((e) => [e.command, e.metadata.cwd]),
      lines,
    );
  });
}

test('bash: a PS0 replaced at the prompt gets our part back; every line is still reported', async () => {
  const home = prepareHome('bash', '');
  const hub = await startHub({ env: { HOME: home, XDG_DATA_HOME: join(home, '.local/share') } });
  installShellIntegration('bash', { home, env: { HOME: home }, baseUrl: hub.url });
  const session = await TmuxShell.start({
    argv: shellArgv('bash'),
    env: shellEnv(home),
    cwd: tempDir('hookbox-work-'),
  });
  await waitForPrompt(session);
  const lines = ["PS0='mine'", 'echo after', "PS0=''", 'echo last'];
  for (const [i, line] of lines.entries()) {
    await session.line(line);
    await waitForCount(hub.url, i + 1, `the event for ${JSON.stringify(line)}`);
  }
  assert.deepEqual(
    (await listEvents(hub.url)).map((e) => e.command),
    lines,
  );
});
