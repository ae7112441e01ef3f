import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { REPO_ROOT, runCli } from '../helpers/serve-process.ts';
import { curl, hookPort, hookToml, openWindow, postEvent, startUiServer, waitFor } from './ui-fixture.ts';

// Every view, light and dark, at 1280×800, with a little realistic data. Each picture is also a
// check: the view rendered without a console error or a blocked resource (a CSP violation is a
// console error). They go to a temporary folder, or with HOOKBOX_UPDATE_SCREENSHOTS=1 to
// docs/screenshots/ (shown in the README), so a test run does not rewrite tracked files.

const SHOTS =
  process.env.HOOKBOX_UPDATE_SCREENSHOTS === '1'
    ? join(REPO_ROOT, 'docs/screenshots')
    : mkdtempSync(join(tmpdir(), 'hookbox-shots-'));
mkdirSync(SHOTS, { recursive: true });

const server = await startUiServer({
  config: `# Hookbox config\n\n[notifications]\nlong_running_threshold_ms = 20000\n\n${hookToml('github')}\n${hookToml('alerts')}`,
});

async function seed(): Promise<void> {
  const events = [
    { kind: 'shell', command: 'npm test', exit_code: 0, duration_ms: 8_400 },
    {
      kind: 'git',
      command: 'post-commit',
      exit_code: 0,
      duration_ms: 90,
      metadata: { repo: '/home/dev/hookbox', branch: 'main', head: '3f9c2ab' },
    },
    { kind: 'shell', command: 'docker compose up -d', exit_code: 0, duration_ms: 2_300 },
    { kind: 'system', command: 'backup-home', exit_code: 0, duration_ms: 312_000 },
    {
      kind: 'shell',
      command: 'make release',
      exit_code: 2,
      duration_ms: 4_100,
      output: "make: *** No rule to make target 'release'.  Stop.",
    },
    {
      kind: 'git',
      command: 'pre-push',
      exit_code: 0,
      duration_ms: 1_500,
      metadata: { repo: '/home/dev/hookbox', branch: 'feature/ui' },
    },
    {
      kind: 'shell',
      command: 'cargo build --release',
      exit_code: 101,
      duration_ms: 45_000,
      output:
        'error[E0425]: cannot find value `cfg` in this scope\n  --> src/main.rs:14:9\n   |\n14 |     cfg.validate()?;\n   |     ^^^ not found in this scope\n\nerror: could not compile `app` (bin "app") due to 1 previous error',
      metadata: { cwd: '/home/dev/app', shell: 'zsh' },
    },
  ];
  for (const event of events) await postEvent(server, event);
  const github = await waitFor(() => hookPort(server, 'github'), 'github');
  const alerts = await waitFor(() => hookPort(server, 'alerts'), 'alerts');
  await curl([
    '-X',
    'POST',
    `http://127.0.0.1:${github}/push`,
    '-H',
    'X-GitHub-Event: push',
    '-H',
    'Content-Type: application/json',
    '-d',
    '{"ref":"refs/heads/main","after":"3f9c2ab"}',
  ]);
  await curl([
    '-X',
    'POST',
    `http://127.0.0.1:${alerts}/grafana`,
    '-H',
    'Content-Type: application/json',
    '-d',
    '{"status":"firing","alert":"disk 91% on build-1"}',
  ]);
  await curl([
    '-X',
    'POST',
    `http://127.0.0.1:${github}/pull_request`,
    '-H',
    'X-GitHub-Event: pull_request',
    '-H',
    'Content-Type: application/json',
    '-d',
    '{"action":"opened","number":42}',
  ]);
  for (const [session, text] of [
    ['review', 'Look at PR 42 before lunch'],
    ['review', 'The release notes need the new config keys'],
    ['ops', 'Rotate the staging certificates this week'],
  ] as const) {
    const sent = await runCli(server.cliArgs(['send', '--name', session, text]), { HOME: server.home });
    assert.equal(sent.code, 0, sent.stderr);
  }
}

await seed();

async function shoot(page: Page, name: string, theme: string): Promise<void> {
  await page.waitForTimeout(150); // let the last render settle
  const file = join(SHOTS, `${name}-${theme}.png`);
  await page.screenshot({ path: file });
  assert.ok(statSync(file).size > 10_000, `${file} looks empty`);
}

for (const theme of ['light', 'dark'] as const) {
  test(`every view, ${theme} theme`, async () => {
    const { page, problems, context } = await openWindow(server, { colorScheme: theme });
    try {
      await page.keyboard.press('1');
      await page.locator('button.session', { hasText: 'review' }).click();
      await page.locator('.message', { hasText: 'Look at PR 42' }).waitFor();
      await shoot(page, 'inbox', theme);

      await page.keyboard.press('2');
      await page.locator('table.events tbody tr', { hasText: 'cargo build --release' }).click();
      await page.getByRole('complementary', { name: 'Event detail' }).getByText('E0425').first().waitFor();
      await shoot(page, 'events', theme);

      await page.keyboard.press('3');
      await page.locator('table.runs tbody tr', { hasText: 'POST /push' }).click();
      await page.getByRole('complementary', { name: 'Run detail' }).getByText('refs/heads/main').first().waitFor();
      await shoot(page, 'hooks', theme);

      await page.keyboard.press('4');
      await page.locator('.cm-content').getByText('name = "alerts"').waitFor();
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('\n[[hooks]]\nname = "deploy"\nbind = "127.0.0.1:9000"\nscript = "hooks/deploy.sh"\n');
      await page.getByRole('list', { name: 'Problems' }).waitFor();
      await shoot(page, 'config', theme);
      await page.getByRole('button', { name: 'Revert' }).click();

      await page.keyboard.press('5');
      await page.getByRole('button', { name: 'Pause for 1 hour' }).click();
      await page.getByText(/Paused until/).waitFor();
      await shoot(page, 'notifications', theme);
      await page.getByRole('button', { name: 'Resume notifications' }).click();

      await page.keyboard.press('6');
      const zsh = page.locator('section.shell-card[data-target="zsh"]');
      await zsh.getByRole('button', { name: 'Install', exact: true }).click();
      await zsh.getByText('Hookbox block written').waitFor();
      await shoot(page, 'shell', theme);
      await zsh.getByRole('button', { name: 'Uninstall' }).click();
      await zsh.getByText('not installed').waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}
