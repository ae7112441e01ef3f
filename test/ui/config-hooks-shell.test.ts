import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { BLOCK_START } from '../../main/core/shell/shell-installer.ts';
import { curl, hookPort, openWindow, startUiServer, waitFor } from './ui-fixture.ts';

// The window in Chromium against a real `hookbox serve`: the config editor refuses a broken
// config at its line while the running hooks keep listening, and a fixed one starts the new
// hook; a run is replayed and copied as curl; the shell integration is installed into the
// server's (temporary) HOME exactly once.

const server = await startUiServer();

const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

/** Types at the end of the CodeMirror document, as a user would. */
async function typeAtEnd(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

test('a broken config is shown at its line and never saved (the hooks keep listening); fixed, it starts the new hook', async () => {
  const { page, problems, context } = await openWindow(server);
  try {
    await page.keyboard.press('4');
    await page.locator('.cm-content').getByText('name = "github"').waitFor();
    const githubPort = await waitFor(() => hookPort(server, 'github'), 'github listening');
    const before = readFileSync(server.configFile, 'utf8');

    // The add-hook form appends a [[hooks]] table; the script picker offers hooks/echo.sh.
    const form = page.getByRole('form', { name: 'Add a hook' });
    await form.getByLabel('Name').fill('deploy');
    await form.getByLabel('Listen on').fill('127.0.0.1:0');
    await form.getByLabel('Script').fill('hooks/echo.sh');
    assert.equal(
      await page.locator('#hookbox-scripts option[value="hooks/echo.sh"]').count(),
      1,
      'the script picker lists the executable',
    );
    // The verifier is a choice; a scheme that needs a secret asks for it before adding anything.
    await form.getByLabel('Verify senders').selectOption({ label: 'GitLab (X-Gitlab-Token)' });
    await form.getByRole('button', { name: 'Add to the config' }).click();
    await form.getByText('the secret, or ${VARIABLE} to read it from the environment').waitFor();
    await form.getByLabel('Secret').fill('deploy-token');
    await form.getByRole('button', { name: 'Add to the config' }).click();
    await page.locator('.cm-content').getByText('name = "deploy"').waitFor();
    await page.locator('.cm-content').getByText('verify = "gitlab"').waitFor();

    // Break it: a value that is not TOML.
    await typeAtEnd(page, 'retries = \n');
    const problem = page.getByRole('list', { name: 'Problems' });
    await problem.waitFor();
    const lines = (await page.locator('.cm-content .cm-line').allInnerTexts()).map((l) => l.trim());
    const brokenLine = lines.indexOf('retries =') + 1;
    assert.ok(brokenLine > 0, lines.join('\n'));
    assert.match(await problem.innerText(), new RegExp(`Line ${brokenLine}:\\d+: `));
    // Shown in the editor at that line too (lint gutter marker and underline).
    await page.locator('.cm-lint-marker-error').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true);
    await page.locator('.cm-content').press('Control+s');
    await page.waitForTimeout(300);
    assert.equal(readFileSync(server.configFile, 'utf8'), before, 'a broken config is never written');
    assert.equal(
      await curl([
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-X',
        'POST',
        `http://127.0.0.1:${githubPort}/`,
        '-d',
        'still here',
      ]),
      '200',
      'the old hook keeps listening',
    );

    // A schema problem is placed at its line as well.
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('"ten"\n');
    await waitFor(
      async () => /unknown field 'hooks\.1\.retries'|retries/.test(await problem.innerText().catch(() => '')),
      'the schema problem',
    );
    assert.match(await problem.innerText(), new RegExp(`Line ${brokenLine}`));

    // Fix it: remove the line; the problems go, Save applies, the new hook listens.
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await problem.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved and applied: deploy started/).waitFor();
    assert.match(readFileSync(server.configFile, 'utf8'), /name = "deploy"/);
    const deployPort = await waitFor(() => hookPort(server, 'deploy'), 'deploy listening');
    assert.equal(
      await curl([
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-X',
        'POST',
        `http://127.0.0.1:${deployPort}/`,
        '-d',
        'hi',
      ]),
      '401',
      'unsigned: refused',
    );
    const signed = [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-X',
      'POST',
      '-H',
      'X-Gitlab-Token: deploy-token',
      `http://127.0.0.1:${deployPort}/`,
      '-d',
      'hi',
    ];
    assert.equal(await curl(signed), '200');

    await page.keyboard.press('3');
    await page.locator('.hook-card[data-hook="deploy"]', { hasText: 'listening' }).waitFor();
    await page.locator('.hook-card[data-hook="deploy"]', { hasText: 'gitlab signature' }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a hook run opens with request and output, is replayed, and is copied as curl', async () => {
  const port = await waitFor(() => hookPort(server, 'github'), 'github listening');
  const { page, problems, context } = await openWindow(server);
  try {
    await page.keyboard.press('3');
    await page.locator('.hook-card[data-hook="github"]').click();
    await curl([
      '-X',
      'POST',
      `http://127.0.0.1:${port}/payload?delivery=7`,
      '-H',
      'X-GitHub-Event: push',
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"after":"abc123"}',
    ]);
    const row = page.locator('table.runs tbody tr', { hasText: 'POST /payload' });
    await row.first().waitFor();
    await row.first().click();
    const detail = page.getByRole('complementary', { name: 'Run detail' });
    await detail.getByText('{"after":"abc123"}').first().waitFor();
    assert.match(await detail.innerText(), /x-github-event\s+push/i);
    assert.match(await detail.innerText(), /stdout\s+got \/payload: \{"after":"abc123"\}/i);

    await detail.getByRole('button', { name: 'Replay' }).click();
    await detail.getByText('Replayed: HTTP 200').waitFor();
    await waitFor(
      async () => (await page.locator('table.runs tbody tr', { hasText: 'POST /payload' }).count()) === 2,
      'the replay in the runs list',
    );
    await detail.getByRole('button', { name: 'Open the new run' }).click();
    await detail.getByText('Replay of').waitFor();

    await detail.getByRole('button', { name: 'Copy as curl' }).click();
    const command = await detail.locator('.curl pre').innerText();
    assert.match(command, new RegExp(`^curl -X POST 'http://127\\.0\\.0\\.1:${port}/payload\\?delivery=7'`));
    assert.match(command, /-H 'x-github-event: push'/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("installing the shell integration writes exactly one block into the rc file of the server's HOME", async () => {
  const { page, problems, context } = await openWindow(server);
  try {
    await page.keyboard.press('6');
    const bash = page.locator('section.shell-card[data-target="bash"]');
    await bash.getByText('not installed').waitFor();
    await bash.getByRole('button', { name: 'Install', exact: true }).click();
    await bash.getByText('What changed').waitFor();
    assert.match(await bash.innerText(), /~\/\.bashrc: Hookbox block written/);
    assert.match(
      await bash.innerText(),
      /~\/\.local\/share\/hookbox\/shell\/hookbox\.bash: written; reports to http:\/\/127\.0\.0\.1:\d+/,
    );
    await bash.getByText('installed', { exact: true }).waitFor();
    const rc = join(server.home, '.bashrc');
    assert.equal(occurrences(readFileSync(rc, 'utf8'), BLOCK_START), 1);

    // Installing again changes nothing: still one block.
    await bash.getByRole('button', { name: 'Install again' }).click();
    await bash.getByText('Hookbox block already there; unchanged').waitFor();
    assert.equal(occurrences(readFileSync(rc, 'utf8'), BLOCK_START), 1);

    // git: a global core.hooksPath in this HOME's git config.
    const git = page.locator('section.shell-card[data-target="git"]');
    await git.getByRole('button', { name: 'Install', exact: true }).click();
    await git.getByText('What changed').waitFor();
    const hooksPath = execFileSync('git', ['config', '--global', '--get', 'core.hooksPath'], {
      env: { ...process.env, HOME: server.home },
      encoding: 'utf8',
    }).trim();
    assert.equal(hooksPath, join(server.home, '.local/share/hookbox/git-hooks'));
    assert.ok(existsSync(join(hooksPath, 'post-commit')));

    await bash.getByRole('button', { name: 'Uninstall' }).click();
    await bash.getByText('Hookbox block removed').waitFor();
    assert.equal(occurrences(readFileSync(rc, 'utf8'), BLOCK_START), 0);
    await git.getByRole('button', { name: 'Uninstall' }).click();
    await git.getByText('core.hooksPath unset').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
