import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isHookboxError } from '../../../main/core/errors.ts';
import {
  BLOCK_END,
  BLOCK_START,
  installShellIntegration,
  shellIntegrationStatus,
  shellPaths,
  uninstallShellIntegration,
} from '../../../main/core/shell/shell-installer.ts';
import { shellIntegrationScript } from '../../../main/core/shell/shell-integration.ts';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// The installer edits users' dotfiles: every test runs in a throw-away home and checks the files
// byte for byte.

const URL_A = 'http://127.0.0.1:17002';
const URL_B = 'http://127.0.0.1:18123';

function blockCount(text: string): number {
  return text.split('\n').filter((line) => line === BLOCK_START).length;
}

const ORIGINAL: Record<string, string> = {
  bash: '# my bashrc\nalias ll="ls -l"\nexport EDITOR=vi\n',
  zsh: '# my zshrc\nbindkey -e\n',
  fish: '',
};

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`${shell}: install twice gives one block and a backup; uninstall gives back the file byte for byte`, () => {
    const home = tempDir();
    const ctx = { home, env: { HOME: home } };
    const paths = shellPaths(shell, ctx);
    if (ORIGINAL[shell]) writeFileSync(paths.rcFile, ORIGINAL[shell]!);

    assert.equal(shellIntegrationStatus(shell, ctx).installed, false);
    const first = installShellIntegration(shell, { ...ctx, baseUrl: URL_A });
    const second = installShellIntegration(shell, { ...ctx, baseUrl: URL_A });
    assert.deepEqual(
      [first.rcChanged, first.scriptChanged, second.rcChanged, second.scriptChanged],
      [true, true, false, false],
    );

    const rc = readFileSync(paths.rcFile, 'utf8');
    assert.equal(blockCount(rc), 1);
    assert.ok(rc.startsWith(ORIGINAL[shell]!), 'the user content is kept, the block goes at the end');
    assert.ok(rc.endsWith(`${BLOCK_END}\n`));
    assert.ok(rc.includes(`"$HOME/.local/share/hookbox/shell/hookbox.${shell}"`), rc);
    assert.equal(readFileSync(paths.scriptFile, 'utf8'), shellIntegrationScript(shell, URL_A));
    if (ORIGINAL[shell]) {
      assert.equal(first.backup, paths.backupFile);
      assert.equal(readFileSync(paths.backupFile, 'utf8'), ORIGINAL[shell]);
    } else {
      assert.equal(first.backup, null, 'nothing to back up: fish conf.d/hookbox.fish is new');
    }

    const status = shellIntegrationStatus(shell, ctx);
    assert.deepEqual(
      [status.installed, status.scriptPresent, status.baseUrl, status.outdated],
      [true, true, URL_A, false],
    );

    const removed = uninstallShellIntegration(shell, ctx);
    assert.equal(removed.removedBlock, true);
    assert.equal(removed.removedScript, true);
    if (ORIGINAL[shell]) {
      assert.equal(readFileSync(paths.rcFile, 'utf8'), ORIGINAL[shell]);
      assert.equal(readFileSync(paths.backupFile, 'utf8'), ORIGINAL[shell], 'the first backup is kept');
    } else {
      assert.equal(existsSync(paths.rcFile), false, 'the fish file Hookbox created is gone');
      assert.equal(existsSync(paths.backupFile), false);
    }
    assert.equal(existsSync(paths.scriptFile), false);
    assert.deepEqual(uninstallShellIntegration(shell, ctx).removedBlock, false, 'a second uninstall finds nothing');
    assert.equal(shellIntegrationStatus(shell, ctx).installed, false);
  });
}

test('a new address rewrites the script only; copies of the block are collapsed into one; uninstall removes every copy', () => {
  const home = tempDir();
  const ctx = { home, env: { HOME: home } };
  const paths = shellPaths('bash', ctx);
  writeFileSync(paths.rcFile, 'before\n');
  installShellIntegration('bash', { ...ctx, baseUrl: URL_A });
  const updated = installShellIntegration('bash', { ...ctx, baseUrl: URL_B });
  assert.deepEqual([updated.rcChanged, updated.scriptChanged], [false, true]);
  assert.equal(shellIntegrationStatus('bash', ctx).baseUrl, URL_B);

  const block = readFileSync(paths.rcFile, 'utf8').slice('before\n'.length);
  writeFileSync(paths.rcFile, `before\n${block}middle\n${block}after\n`);
  installShellIntegration('bash', { ...ctx, baseUrl: URL_B });
  assert.equal(readFileSync(paths.rcFile, 'utf8'), `before\n${block}middle\nafter\n`);

  writeFileSync(paths.rcFile, `before\n${block}middle\n${block}after\n`);
  uninstallShellIntegration('bash', ctx);
  assert.equal(readFileSync(paths.rcFile, 'utf8'), 'before\nmiddle\nafter\n');
});

test('ZDOTDIR, XDG_CONFIG_HOME and XDG_DATA_HOME decide where things go', () => {
  const home = tempDir();
  const outside = tempDir();
  const env = { HOME: home, ZDOTDIR: join(home, 'zdot'), XDG_CONFIG_HOME: join(home, 'cfg'), XDG_DATA_HOME: outside };
  const ctx = { home, env };
  mkdirSync(env.ZDOTDIR);
  const zsh = installShellIntegration('zsh', { ...ctx, baseUrl: URL_A });
  const fish = installShellIntegration('fish', { ...ctx, baseUrl: URL_A });
  assert.equal(zsh.rcFile, join(home, 'zdot/.zshrc'));
  assert.equal(fish.rcFile, join(home, 'cfg/fish/conf.d/hookbox.fish'));
  assert.equal(zsh.scriptFile, join(outside, 'hookbox/shell/hookbox.zsh'));
  // Outside the home the block names the script by its absolute path.
  assert.ok(readFileSync(zsh.rcFile, 'utf8').includes(`. "${join(outside, 'hookbox/shell/hookbox.zsh')}"`));
  // A relative XDG value is ignored, as the XDG spec says.
  assert.equal(
    shellPaths('fish', { home, env: { XDG_CONFIG_HOME: 'relative' } }).rcFile,
    join(home, '.config/fish/conf.d/hookbox.fish'),
  );
});

test('a symlinked rc file is written through (the link stays); a broken block is refused and left alone', () => {
  const home = tempDir();
  const dotfiles = tempDir();
  const ctx = { home, env: { HOME: home } };
  writeFileSync(join(dotfiles, 'bashrc'), 'mine\n');
  symlinkSync(join(dotfiles, 'bashrc'), join(home, '.bashrc'));
  installShellIntegration('bash', { ...ctx, baseUrl: URL_A });
  assert.ok(lstatSync(join(home, '.bashrc')).isSymbolicLink());
  assert.equal(blockCount(readFileSync(join(dotfiles, 'bashrc'), 'utf8')), 1);
  uninstallShellIntegration('bash', ctx);
  assert.equal(readFileSync(join(dotfiles, 'bashrc'), 'utf8'), 'mine\n');

  const zshrc = join(home, '.zshrc');
  const broken = `x\n${BLOCK_START}\nhalf a block\n`;
  writeFileSync(zshrc, broken);
  assert.throws(
    () => installShellIntegration('zsh', { ...ctx, baseUrl: URL_A }),
    (error) =>
      isHookboxError(error) && error.code === 'integration_failed' && /\.zshrc:2: .* never closed/.test(error.message),
  );
  assert.throws(() => uninstallShellIntegration('zsh', ctx), /never closed/);
  assert.equal(readFileSync(zshrc, 'utf8'), broken);
});

test('status notices a script changed by hand (outdated) or missing', () => {
  const home = tempDir();
  const ctx = { home, env: { HOME: home } };
  const { scriptFile } = installShellIntegration('zsh', { ...ctx, baseUrl: URL_A });
  writeFileSync(scriptFile, `${readFileSync(scriptFile, 'utf8')}# edited\n`);
  assert.equal(shellIntegrationStatus('zsh', ctx).outdated, true);
  installShellIntegration('zsh', { ...ctx, baseUrl: URL_A });
  assert.equal(shellIntegrationStatus('zsh', ctx).outdated, false);
  rmSync(scriptFile);
  const missing = shellIntegrationStatus('zsh', ctx);
  assert.deepEqual([missing.installed, missing.scriptPresent, missing.baseUrl], [true, false, null]);
});

test('hookbox shell install/status/uninstall: $SHELL picks the shell, --port the address, no name uninstalls all', async () => {
  const home = tempDir();
  const env = { HOME: home, XDG_CONFIG_HOME: '', XDG_DATA_HOME: '', SHELL: '/usr/bin/zsh', AGENTD_PORT: '' };
  const install = await runCli(['shell', 'install', '--port', '18555'], env);
  assert.equal(install.code, 0, install.stderr);
  assert.match(install.stdout, /^zsh: installed\n {2}~\/\.zshrc: Hookbox block written\n/);
  assert.match(install.stdout, /reports to http:\/\/127\.0\.0\.1:18555/);
  assert.equal((await runCli(['shell', 'install', 'fish', '--port', '18555'], env)).code, 0);
  const again = await runCli(['shell', 'install', 'fish', '--port', '18555'], env);
  assert.match(
    again.stdout,
    /^fish: already installed in ~\/\.config\/fish\/conf\.d\/hookbox\.fish, reporting to http:\/\/127\.0\.0\.1:18555; nothing changed\n$/,
  );

  const status = await runCli(['shell', 'status'], env);
  assert.equal(status.code, 0);
  assert.deepEqual(status.stdout.trimEnd().split('\n'), [
    'zsh   installed in ~/.zshrc -> ~/.local/share/hookbox/shell/hookbox.zsh, reports to http://127.0.0.1:18555',
    'bash  not installed; rc file: ~/.bashrc',
    'fish  installed in ~/.config/fish/conf.d/hookbox.fish -> ~/.local/share/hookbox/shell/hookbox.fish, reports to http://127.0.0.1:18555',
  ]);
  const json = JSON.parse((await runCli(['shell', 'status', 'bash', '--json'], env)).stdout);
  assert.deepEqual(
    json.map((s: { shell: string; installed: boolean }) => [s.shell, s.installed]),
    [['bash', false]],
  );

  const uninstall = await runCli(['shell', 'uninstall'], env);
  assert.equal(uninstall.code, 0);
  assert.match(uninstall.stdout, /^zsh: uninstalled .*\nfish: uninstalled .*\n/);
  assert.equal((await runCli(['shell', 'status', 'zsh'], env)).stdout, 'zsh   not installed; rc file: ~/.zshrc\n');

  const bad = await runCli(['shell', 'install', 'tcsh'], env);
  assert.deepEqual(
    [bad.code, bad.stderr],
    [1, "hookbox: error: no integration for shell 'tcsh'; supported: zsh, bash, fish\n"],
  );
  const noShell = await runCli(['shell', 'install'], { ...env, SHELL: '' });
  assert.equal(noShell.code, 1);
  assert.match(noShell.stderr, /\$SHELL is not set; name the shell/);
});
