import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import {
  axeViolations,
  hookPort,
  launchBrowser,
  openWindow,
  postEvent,
  startUiServer,
  waitFor,
  type UiServer,
} from './ui-fixture.ts';

// The window as a new user meets it (issue 18): a first start with an empty home, the config file
// created from the window and then edited on disk, the feedback of a save, the commands the
// window and the log suggest (each one is run as printed), script paths, the editor's Tab, the
// Events filters against the notification rules, and the Inbox.

const server = await startUiServer({ firstStart: true });

/** Writes like an editor that saves by renaming a new file over the old one. */
function renameSave(path: string, text: string): void {
  const temp = join(dirname(path), `.config.toml.${process.pid}.tmp`);
  writeFileSync(temp, text);
  renameSync(temp, path);
}

async function editorText(page: Page): Promise<string> {
  return page.locator('.cm-content').innerText();
}

async function hookNames(ui: UiServer): Promise<string[]> {
  const token = decodeURIComponent(ui.readyUrl.split('#token=')[1]!);
  const response = await fetch(`${ui.url}/hooks`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { hooks: Array<{ name: string }> };
  return body.hooks.map((h) => h.name);
}

/** Runs a command line as a user pastes it into a shell: `hookbox` is this checkout's bin/hookbox. */
function runAsPrinted(command: string, ui: UiServer): Promise<{ code: number; output: string }> {
  const bin = tempDir('hookbox-bin-');
  symlinkSync(join(REPO_ROOT, 'bin/hookbox'), join(bin, 'hookbox'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: ui.home,
    PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH}`,
  };
  // No desktop session: `hookbox open` prints the signed-in address instead of starting a browser.
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.XDG_CONFIG_HOME;
  delete env.XDG_DATA_HOME;
  delete env.AGENTD_PORT;
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

test('every command the window and the log suggest runs as printed (the hub is not on 17002)', async () => {
  const { page, context } = await openWindow(server);
  try {
    // The Inbox's first-run command, with the hub's --data-dir and --port.
    await page.keyboard.press('1');
    const inboxCommand = await page.locator('.teach pre').innerText();
    assert.match(inboxCommand, /^hookbox --data-dir \S+ send --name default --port \d+ /);
    const sent = await runAsPrinted(inboxCommand, server);
    assert.equal(sent.code, 0, sent.output);
    await page.locator('.message', { hasText: 'remember to review the deploy' }).waitFor();

    // The Events empty state's request.
    await page.keyboard.press('2');
    const curlCommand = await page.locator('.empty pre').innerText();
    const posted = await runAsPrinted(curlCommand, server);
    assert.equal(posted.code, 0, posted.output);
    await page.locator('table.events tbody tr', { hasText: 'cargo build' }).waitFor();
  } finally {
    await context.close();
  }

  // The page without its token says how to open it signed in.
  const bare = await (await launchBrowser()).newContext();
  try {
    const tab = await bare.newPage();
    await tab.goto(server.url);
    const openCommand = await tab.locator('.no-token pre').innerText();
    assert.equal(openCommand, `hookbox open --port ${server.serve.port}`);
  } finally {
    await bare.close();
  }

  // serve's log: how to open the window.
  const logged = /run `([^`]+)` to open it signed in/.exec(server.serve.output())?.[1];
  assert.ok(logged, server.serve.output());
  assert.match(logged, new RegExp(`--port ${server.serve.port}$`));
  const opened = await runAsPrinted(logged, server);
  assert.equal(opened.code, 0, opened.output);
  assert.match(opened.output, new RegExp(`${server.url}/#token=`));
});

test('a config file created from the window is watched: disk edits reload, and unsaved edits are never overwritten', async () => {
  const { page, problems, context } = await openWindow(server);
  try {
    await page.keyboard.press('4');
    await page.getByText('not created yet').waitFor();
    // The add-hook form, with a script in the home written as ~/… and picked from the list.
    const form = page.getByRole('form', { name: 'Add a hook' });
    await form.getByLabel('Name').fill('first');
    await form.getByLabel('Listen on').fill('127.0.0.1:0');
    assert.ok(
      await page.locator('#hookbox-scripts option[value="~/hooks/echo.sh"]').count(),
      "the picker lists the home's scripts",
    );
    await form.getByLabel('Script').fill('~/hooks'); // a folder
    await form.getByRole('button', { name: 'Add to the config' }).click();
    await form.getByText(/is not a file/).waitFor();
    await form.getByLabel('Script').fill('~/hooks/echo.sh');
    await form.getByRole('button', { name: 'Add to the config' }).click();
    await waitFor(async () => (await editorText(page)).includes('script = "~/hooks/echo.sh"'), 'the hook in the text');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved and applied: first started.').waitFor();
    assert.ok(await waitFor(() => hookPort(server, 'first'), 'first listening'));

    // Edited on disk by an editor that rename-saves: the hub reloads, the editor shows it.
    const disk = readFileSync(server.configFile, 'utf8');
    renameSave(
      server.configFile,
      `${disk}\n[[hooks]]\nname = "second"\nbind = "127.0.0.1:0"\nscript = "~/hooks/echo.sh"\n`,
    );
    await waitFor(async () => (await hookNames(server)).includes('second'), 'the hub to reload the disk edit');
    await waitFor(async () => (await editorText(page)).includes('name = "second"'), 'the editor to show the disk edit');
    assert.equal(await page.locator('.save-state').innerText(), 'Saved');

    // An unsaved edit in the window, then another disk edit: the window asks, and Save does not overwrite.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n# mine\n');
    const onDisk = `${readFileSync(server.configFile, 'utf8')}\n# from disk\n`;
    renameSave(server.configFile, onDisk);
    const conflict = page.getByRole('alert').filter({ hasText: 'changed on disk' });
    await conflict.waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Save' }).waitFor({ state: 'visible' });
    await conflict.waitFor();
    assert.equal(readFileSync(server.configFile, 'utf8'), onDisk, 'the disk edit was not overwritten');
    assert.deepEqual(await axeViolations(page), [], 'the conflict banner is accessible');
    await conflict.getByRole('button', { name: 'Reload from disk' }).click();
    await waitFor(async () => (await editorText(page)).includes('# from disk'), 'the disk text in the editor');
    assert.ok(!(await editorText(page)).includes('# mine'));

    // Keep mine: the next save replaces the file knowingly.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n# mine again\n');
    renameSave(server.configFile, `${onDisk}# second disk edit\n`);
    await conflict.waitFor();
    await conflict.getByRole('button', { name: 'Keep mine' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await waitFor(() => readFileSync(server.configFile, 'utf8').includes('# mine again'), 'my text saved');
    assert.ok(!readFileSync(server.configFile, 'utf8').includes('# second disk edit'));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("a bind on the hub's own port is refused before saving; a hook that cannot start is one warning", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const takenPort = (taken.address() as { port: number }).port;
  const { page, context } = await openWindow(server);
  try {
    await page.keyboard.press('4');
    await page.locator('.cm-content').getByText('name = "first"').waitFor();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(
      `\n[[hooks]]\nname = "clash"\nbind = "127.0.0.1:${server.serve.port}"\nscript = "~/hooks/echo.sh"\n`,
    );
    const list = page.getByRole('list', { name: 'Problems' });
    await list.getByText('the address Hookbox itself listens on').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true);

    // A port another program holds: saved (the file is valid), but said once, as a warning.
    await page.getByRole('button', { name: 'Revert' }).click();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(
      `\n[[hooks]]\nname = "clash"\nbind = "127.0.0.1:${takenPort}"\nscript = "~/hooks/echo.sh"\n`,
    );
    await page.locator('.save-state', { hasText: 'Unsaved changes' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    const warning = page.locator('.banner.warn', { hasText: 'clash did not start' });
    await warning.waitFor();
    assert.equal(await page.locator('.banner.ok').count(), 0, 'no green banner for a failed apply');
    assert.equal(await page.locator('.banner', { hasText: 'clash' }).count(), 1, 'said once');
    assert.deepEqual(await axeViolations(page), [], 'the warning is accessible');
  } finally {
    await context.close();
    taken.close();
  }
});

test('Tab in the config editor moves focus on; Ctrl+M makes it indent, and Esc then Tab leaves', async () => {
  const { page, context } = await openWindow(server);
  try {
    await page.keyboard.press('4');
    await page.getByText('Esc, Tab leaves the editor').waitFor();
    await page.locator('.cm-content').click();
    const before = await editorText(page);
    await page.keyboard.press('Tab');
    assert.equal(await editorText(page), before, 'Tab did not indent');
    const focusedInEditor = () => page.evaluate(() => document.activeElement?.classList.contains('editor') ?? false);
    assert.equal(await focusedInEditor(), false, 'focus left the editor');

    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+m');
    await page.keyboard.press('Home');
    await page.keyboard.press('Tab');
    await waitFor(async () => (await editorText(page)) !== before, 'Tab to indent after Ctrl+M');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    assert.equal(await focusedInEditor(), false, 'Esc then Tab left the editor');
    await page.getByRole('button', { name: 'Revert' }).click();
  } finally {
    await context.close();
  }
});

test('"Failed only" and "Long-running" mean what the notification rules mean; the detail shows the notification', async () => {
  await postEvent(server, { kind: 'shell', command: 'npm run dev', exit_code: 130, duration_ms: 500 });
  await postEvent(server, { kind: 'shell', command: 'make deploy', exit_code: 2, duration_ms: 1_200 });
  await postEvent(server, { kind: 'shell', command: 'vim notes.md', exit_code: 0, duration_ms: 600_000 });
  await postEvent(server, { kind: 'shell', command: 'cargo test', exit_code: 0, duration_ms: 120_000 });
  const { page, context } = await openWindow(server);
  try {
    await page.keyboard.press('2');
    await page.locator('table.events tbody tr', { hasText: 'cargo test' }).waitFor();
    const commands = async () => page.locator('table.events tbody td.command').allInnerTexts();
    await page.getByLabel('Failed only').check();
    await waitFor(async () => !(await commands()).includes('cargo test'), 'the failed filter');
    assert.ok((await commands()).includes('make deploy'));
    assert.ok(!(await commands()).includes('npm run dev'), 'Ctrl-C (130) is not a failure');
    // Live: an interrupted command arriving now stays out, a failure comes in.
    await postEvent(server, { kind: 'shell', command: 'sleep 100', exit_code: 143, duration_ms: 100 });
    await postEvent(server, { kind: 'shell', command: 'false', exit_code: 1, duration_ms: 5 });
    await page.locator('table.events tbody tr', { hasText: 'false' }).waitFor();
    assert.ok(!(await commands()).includes('sleep 100'), 'SIGTERM (143) is not a failure');
    await page.getByLabel('Failed only').uncheck();

    await page.getByLabel('Long-running').check();
    await waitFor(async () => !(await commands()).includes('make deploy'), 'the long-running filter');
    assert.ok((await commands()).includes('cargo test'));
    assert.ok(!(await commands()).includes('vim notes.md'), 'vim is on the ignore list');

    await page.locator('table.events tbody tr', { hasText: 'cargo test' }).click();
    const detail = page.getByRole('complementary', { name: 'Event detail' });
    await detail.getByText(/Command finished: Done in 2m 0s: cargo test/).waitFor();
    await page.getByLabel('Long-running').uncheck();
    await page.locator('table.events tbody tr', { hasText: 'vim notes.md' }).click();
    await detail.getByText('No notification').waitFor();
  } finally {
    await context.close();
  }
});

test('the inbox writes to a new session, marks all handled, and handled messages stay readable', async () => {
  const { page, context } = await openWindow(server);
  try {
    await page.keyboard.press('1');
    await page.locator('button.session', { hasText: 'default' }).waitFor();
    const compose = page.locator('form.compose');
    await compose.getByLabel('To session').fill('ideas');
    await compose.getByLabel('Message').fill('try the new parser');
    await compose.getByRole('button', { name: 'Send to ideas (new)' }).click();
    const ideas = page.locator('button.session', { hasText: 'ideas' });
    await ideas.waitFor();
    await page.locator('.message', { hasText: 'try the new parser' }).waitFor();
    await compose.getByLabel('Message').fill('and the old one');
    await compose.getByRole('button', { name: 'Send to ideas' }).click();
    await waitFor(async () => (await ideas.locator('.count').innerText()) === '2', 'two unread in ideas');

    await page.getByRole('button', { name: 'Mark all handled' }).click();
    await waitFor(async () => (await ideas.locator('.count').innerText()) === '0', 'none unread');
    const handled = page.locator('.message.handled', { hasText: 'try the new parser' });
    await handled.waitFor();
    assert.equal(await handled.evaluate((el) => getComputedStyle(el).opacity), '1', 'not faded');
  } finally {
    await context.close();
  }
});

test('the address keeps the view and the open item: reload and Back; a new window opens on the last view', async () => {
  const { page, context } = await openWindow(server);
  try {
    assert.equal(await page.locator('main h1').innerText(), 'Inbox', 'a first window opens on the Inbox');
    await page.keyboard.press('2');
    const row = page.locator('table.events tbody tr', { hasText: 'make deploy' });
    await row.click();
    const detail = page.getByRole('complementary', { name: 'Event detail' });
    await detail.getByText('make deploy').first().waitFor();
    const id = await row.getAttribute('data-event-id');
    assert.equal(new URL(page.url()).hash, `#/events/${id}`);
    await page.reload();
    await detail.getByText('make deploy').first().waitFor();
    assert.equal(await page.locator('main h1').innerText(), 'Events');
    await page.keyboard.press('5');
    await page.getByRole('heading', { name: 'Rules' }).waitFor();
    await page.goBack();
    await detail.getByText('make deploy').first().waitFor();
    // Another window of the same browser, opened without an address: the last view.
    const second = await context.newPage();
    await second.goto(server.readyUrl);
    await second.locator('main h1', { hasText: 'Events' }).waitFor();
  } finally {
    await context.close();
  }
});

test('feedback: Copy as curl says Copied; a threshold of 0 is explained; a settings save says so', async () => {
  const port = await waitFor(() => hookPort(server, 'first'), 'the first hook');
  await fetch(`http://127.0.0.1:${port}/ping`, { method: 'POST', body: '{"a":1}' });
  const { page, context } = await openWindow(server);
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.keyboard.press('3');
    await page.locator('table.runs tbody tr', { hasText: 'POST /ping' }).first().click();
    const detail = page.getByRole('complementary', { name: 'Run detail' });
    await detail.getByRole('button', { name: 'Copy as curl' }).click();
    await detail.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^curl /);

    await page.keyboard.press('5');
    const threshold = page.getByLabel('Threshold in seconds');
    await threshold.fill('0');
    await page.getByText('0 would report every command as long-running').waitFor();
    await threshold.fill('45');
    await page.locator('form.inline-form').first().getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Saved to .*config\.toml and applied/ })
      .waitFor();
    assert.match(readFileSync(server.configFile, 'utf8'), /long_running_threshold_ms = 45000/);
  } finally {
    await context.close();
  }
});

test('at 900×700 the config header keeps its buttons together and a detail pane clips no column', async () => {
  const { page, context } = await openWindow(server);
  try {
    await page.setViewportSize({ width: 900, height: 700 });
    await page.keyboard.press('4');
    await page.locator('.cm-content').waitFor();
    const revert = await page.getByRole('button', { name: 'Revert' }).boundingBox();
    const save = await page.getByRole('button', { name: 'Save' }).boundingBox();
    assert.equal(revert?.y, save?.y, 'Revert and Save on one line');

    await page.keyboard.press('2');
    await page.locator('table.events tbody tr').first().click();
    await page.getByRole('complementary', { name: 'Event detail' }).waitFor();
    const pane = await page.locator('.list-pane').boundingBox();
    const lastHeader = await page.locator('table.events th:visible').last().boundingBox();
    assert.ok(pane && lastHeader);
    assert.equal(await page.locator('table.events th:visible').last().innerText(), 'Time');
    assert.ok(lastHeader.x + lastHeader.width <= pane.x + pane.width + 0.5, 'the last column is not clipped');
  } finally {
    await context.close();
  }
});
