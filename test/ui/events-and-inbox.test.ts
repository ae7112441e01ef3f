import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/serve-process.ts';
import { curl, hookPort, openWindow, postEvent, startUiServer, waitFor } from './ui-fixture.ts';

// The window in Chromium against a real `hookbox serve`: events posted with curl appear live and
// open; a history is paged by the hub; messages sent to a session show up in the inbox live.

const server = await startUiServer();

test('an event posted with curl appears live, opens with its output, and the filters narrow the list', async () => {
  const { page, problems, context } = await openWindow(server);
  try {
    await page.keyboard.press('2');
    await page.getByRole('heading', { name: 'No events yet' }).waitFor();
    // The empty state teaches the first request, aimed at this hub.
    assert.match(await page.locator('.empty pre').innerText(), new RegExp(`curl -X POST ${server.url}/events`));

    await postEvent(server, { kind: 'shell', command: 'npm test', exit_code: 0, duration_ms: 1200 });
    await postEvent(server, {
      kind: 'shell',
      command: 'cargo build --release',
      exit_code: 101,
      duration_ms: 45_000,
      output: 'error[E0425]: cannot find value `x`',
    });
    const row = page.locator('table.events tbody tr', { hasText: 'cargo build --release' });
    await row.waitFor();
    assert.equal(await page.locator('table.events tbody tr').count(), 2);
    assert.equal(
      await page.locator('table.events tbody tr').first().locator('td.command').innerText(),
      'cargo build --release',
      'newest first',
    );

    await row.click();
    const detail = page.getByRole('complementary', { name: 'Event detail' });
    await detail.waitFor();
    assert.match(await detail.innerText(), /error\[E0425\]: cannot find value `x`/);
    assert.match(await detail.innerText(), /Exit code\s+101/);

    // Keyboard: ↓ moves to the next row and opens it, Esc closes the detail.
    await page.locator('table.events').focus();
    await page.keyboard.press('ArrowDown');
    await waitFor(async () => (await detail.innerText()).includes('npm test'), 'the next event to open');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });

    await page.getByLabel('Failed only').check();
    await waitFor(async () => (await page.locator('table.events tbody tr').count()) === 1, 'the failed-only filter');
    assert.match(await page.locator('.pager').innerText(), /1–1 of 1 matching/);
    await page.getByLabel('Failed only').uncheck();
    await page.getByLabel('Search events').fill('E0425');
    await waitFor(
      async () =>
        (await page.locator('table.events tbody tr').count()) === 1 &&
        (await page.locator('.pager').innerText()).includes('matching'),
      'the search (matches the output)',
    );
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a long history is paged by the hub: 50 at a time, older and newer', async () => {
  await Promise.all(
    Array.from({ length: 120 }, (_, i) =>
      postEvent(server, { kind: 'system', command: `batch job ${i}`, exit_code: 0, duration_ms: i }),
    ),
  );
  const { page, context } = await openWindow(server);
  try {
    await page.keyboard.press('2');
    await page.getByLabel('Kind').selectOption('system');
    await waitFor(
      async () => /1–50 of 120 matching/.test(await page.locator('.pager').innerText()),
      'the first page of 120',
    );
    assert.equal(await page.locator('table.events tbody tr').count(), 50);
    await page.getByRole('button', { name: 'Older →' }).click();
    await waitFor(async () => /51–100 of 120/.test(await page.locator('.pager').innerText()), 'the second page');
    await page.getByRole('button', { name: 'Older →' }).click();
    await waitFor(async () => /101–120 of 120/.test(await page.locator('.pager').innerText()), 'the last page');
    assert.equal(await page.getByRole('button', { name: 'Older →' }).isDisabled(), true);
    // An event arriving while an older page is shown is counted, not pushed into the page.
    await postEvent(server, { kind: 'system', command: 'arrived later', exit_code: 0 });
    await page.getByText('1 new event since this page was loaded').waitFor();
    await page.getByRole('button', { name: 'Show the newest' }).click();
    await waitFor(
      async () => (await page.locator('table.events tbody tr').first().innerText()).includes('arrived later'),
      'the newest page',
    );
  } finally {
    await context.close();
  }
});

test('messages sent to a session show up in the inbox live, are written from the window, and marked handled', async () => {
  const { page, problems, context } = await openWindow(server);
  try {
    await page.keyboard.press('1');
    await page.getByRole('heading', { name: 'default' }).waitFor();

    // From a terminal: `hookbox send`.
    const sent = await runCli(server.cliArgs(['send', '--name', 'review', 'look at PR 42']), { HOME: server.home });
    assert.equal(sent.code, 0, sent.stderr);
    const session = page.locator('button.session', { hasText: 'review' });
    await session.waitFor();
    assert.equal(await session.locator('.count').innerText(), '1');

    // Through a webhook hook: its script's output lands in the hook's session (default).
    const port = await waitFor(() => hookPort(server, 'github'), 'the github hook');
    await curl(['-X', 'POST', `http://127.0.0.1:${port}/push`, '-d', '{"ref":"main"}']);
    await page.locator('.message', { hasText: 'got /push: {"ref":"main"}' }).waitFor();
    assert.match(await page.locator('.message', { hasText: 'got /push' }).innerText(), /webhook\s+hook github/);

    await session.click();
    await page.locator('.message', { hasText: 'look at PR 42' }).waitFor();
    await page.getByLabel('Message', { exact: true }).fill('remember the changelog');
    await page.getByRole('button', { name: 'Send to review' }).click();
    await page.locator('.message', { hasText: 'remember the changelog' }).waitFor();
    await waitFor(async () => (await session.locator('.count').innerText()) === '2', 'two unread in review');

    await page.locator('.message', { hasText: 'look at PR 42' }).getByRole('button', { name: 'Mark handled' }).click();
    await waitFor(
      async () => (await session.locator('.count').innerText()) === '1',
      'one unread after marking one handled',
    );
    assert.match(await page.locator('.message', { hasText: 'look at PR 42' }).innerText(), /handled/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('without the token the page explains where to find it, and the API refuses it', async () => {
  const context = await (await import('./ui-fixture.ts')).launchBrowser().then((b) => b.newContext());
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByText('needs the address that includes its access token').waitFor();
    const status = await page.evaluate(async () => (await fetch('/app/rpc/getHealth', { method: 'POST' })).status);
    assert.equal(status, 401);
  } finally {
    await context.close();
  }
});
