import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { runCli } from '../helpers/serve-process.ts';
import {
  axeViolations,
  curl,
  hookPort,
  hookToml,
  openWindow,
  postEvent,
  startUiServer,
  waitFor,
} from './ui-fixture.ts';

// axe-core on every view of the window, in each state a user meets (first run, with data, an item
// open, a filter on, a config with problems, notifications paused, an install done), in the light
// and the dark theme. The target is no violation at all, whatever its impact.

const server = await startUiServer({ config: '# Hookbox\n' });

async function check(page: Page, found: string[], where: string): Promise<void> {
  await page.waitForTimeout(100); // the last render and CSS transitions settle
  for (const violation of await axeViolations(page)) found.push(`${where}: ${violation}`);
}

test('the first-run window has no accessibility violation, light or dark', async () => {
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    const { page, context } = await openWindow(server, { colorScheme: theme });
    try {
      await page.keyboard.press('1');
      await page.getByRole('heading', { name: 'No messages yet' }).waitFor();
      await check(page, found, `${theme} inbox (empty)`);
      await page.keyboard.press('2');
      await page.getByRole('heading', { name: 'No events yet' }).waitFor();
      await check(page, found, `${theme} events (empty)`);
      await page.keyboard.press('3');
      await page.getByRole('heading', { name: 'No webhook hooks yet' }).waitFor();
      await check(page, found, `${theme} hooks (empty)`);
      await page.keyboard.press('4');
      await page.locator('.cm-content').waitFor();
      await check(page, found, `${theme} config`);
      await page.keyboard.press('5');
      await page.getByRole('heading', { name: 'Rules' }).waitFor();
      await check(page, found, `${theme} notifications`);
      await page.keyboard.press('6');
      await page.locator('section.shell-card[data-target="zsh"]').waitFor();
      await check(page, found, `${theme} shell`);
    } finally {
      await context.close();
    }
  }
  assert.deepEqual(found, []);
});

async function seed(): Promise<void> {
  writeFileSync(server.configFile, `# Hookbox\n\n${hookToml('github')}\n${hookToml('alerts')}`);
  const github = await waitFor(() => hookPort(server, 'github'), 'the github hook (config reloaded)');
  await postEvent(server, { kind: 'shell', command: 'npm test', exit_code: 0, duration_ms: 8_400 });
  await postEvent(server, {
    kind: 'git',
    command: 'post-commit',
    exit_code: 0,
    duration_ms: 90,
    metadata: { repo: '/home/dev/hookbox' },
  });
  await postEvent(server, { kind: 'system', command: 'backup-home', exit_code: 0, duration_ms: 312_000 });
  await postEvent(server, {
    kind: 'shell',
    command: 'cargo build --release',
    exit_code: 101,
    duration_ms: 45_000,
    output: 'error[E0425]: cannot find value `cfg` in this scope',
  });
  await curl(['-X', 'POST', `http://127.0.0.1:${github}/push`, '-H', 'X-GitHub-Event: push', '-d', '{"ref":"main"}']);
  for (const [session, text] of [
    ['review', 'Look at PR 42 before lunch'],
    ['review', 'The release notes need the new config keys'],
  ] as const) {
    const sent = await runCli(server.cliArgs(['send', '--name', session, text]), { HOME: server.home });
    assert.equal(sent.code, 0, sent.stderr);
  }
}

test('every view with data, an item open and each control in use has no violation, light or dark', async () => {
  await seed();
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    const { page, context } = await openWindow(server, { colorScheme: theme });
    try {
      await page.keyboard.press('1');
      await page.locator('button.session', { hasText: 'review' }).click();
      const first = page.locator('.message', { hasText: 'Look at PR 42' });
      await first.waitFor();
      if (theme === 'light') {
        await first.getByRole('button', { name: 'Mark handled' }).click();
        await first.getByText('handled', { exact: true }).waitFor();
      }
      await page.locator('.message', { hasText: 'release notes' }).click();
      await check(page, found, `${theme} inbox (a handled message, one selected)`);

      await page.keyboard.press('2');
      await page.locator('table.events tbody tr', { hasText: 'cargo build --release' }).click();
      await page.getByRole('complementary', { name: 'Event detail' }).getByText('E0425').waitFor();
      await check(page, found, `${theme} events (a failed event open)`);
      await page.getByLabel('Failed only').check();
      await waitFor(async () => (await page.locator('table.events tbody tr').count()) === 1, 'the failed filter');
      await check(page, found, `${theme} events (failed only)`);
      await page.getByLabel('Failed only').uncheck();

      await page.keyboard.press('3');
      await page.locator('table.runs tbody tr', { hasText: 'POST /push' }).first().click();
      const detail = page.getByRole('complementary', { name: 'Run detail' });
      await detail.getByRole('button', { name: 'Replay' }).click();
      await detail.getByRole('button', { name: 'Open the new run' }).click();
      await page.locator('table.runs tbody tr.selected', { hasText: '(replay)' }).waitFor();
      await check(page, found, `${theme} hooks (a replayed run open)`);

      await page.keyboard.press('4');
      await page.locator('.cm-content').getByText('name = "alerts"').waitFor();
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('\n[[hooks]]\nname = "deploy"\nbind = "127.0.0.1:9000"\nscript = "hooks/none.sh"\n');
      await page.getByRole('list', { name: 'Problems' }).waitFor();
      await check(page, found, `${theme} config (problems)`);
      await page.getByRole('button', { name: 'Revert' }).click();

      await page.keyboard.press('5');
      await page.getByRole('button', { name: 'Pause for 1 hour' }).click();
      await page.getByText(/Paused until/).waitFor();
      await check(page, found, `${theme} notifications (paused)`);
      await page.getByRole('button', { name: 'Resume notifications' }).click();

      await page.keyboard.press('6');
      const zsh = page.locator('section.shell-card[data-target="zsh"]');
      await zsh.getByRole('button', { name: 'Install', exact: true }).click();
      await zsh.getByText('Hookbox block written').waitFor();
      await check(page, found, `${theme} shell (installed)`);
      await zsh.getByRole('button', { name: 'Uninstall' }).click();
      await zsh.getByText('not installed').waitFor();
    } finally {
      await context.close();
    }
  }
  assert.deepEqual(found, []);
});
