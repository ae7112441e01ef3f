import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { axeViolations, openWindow, postEvent, startUiServer } from './ui-fixture.ts';

// The Notifications view's "when" of each rule (failure_when, long_running_when: always |
// unfocused | never) and where terminal focus could not be told, in the real window (Chromium)
// against a real `hookbox serve`: a choice is written to the config file and applied; a failed
// command from Windows Terminal under WSL (its metadata as the shell integration sends it) is
// then listed as a place focus cannot be told.

const server = await startUiServer();

test('each rule shows when it notifies and its default; a change is saved; places without focus are listed', async () => {
  const { page, context, problems } = await openWindow(server);
  try {
    await page.keyboard.press('5');
    const failureWhen = page.getByRole('combobox', { name: 'When a failure notifies' });
    const longWhen = page.getByRole('combobox', { name: 'When a long run notifies' });
    assert.equal(await failureWhen.inputValue(), 'always');
    assert.equal(await longWhen.inputValue(), 'unfocused');
    await page.getByText('Default: always — a failure is news even in the window you are watching.').waitFor();
    await page
      .getByText('Default: only when its terminal is not in front — a build you are watching needs no notification.')
      .waitFor();
    await page.getByText('No command so far came from a terminal whose focus could not be told.').waitFor();

    await failureWhen.selectOption({ label: 'only when its terminal is not in front' });
    await page
      .getByRole('status')
      .filter({ hasText: /Saved to .*config\.toml and applied/ })
      .waitFor();
    assert.match(readFileSync(server.configFile, 'utf8'), /\nfailure_when = "unfocused"\n/);

    // The long-running rule off: when it notifies is moot, so its choice is disabled.
    // A controlled checkbox: it turns off once the hub has saved the change (the select is also
    // disabled while any save runs, so only the checkbox says the save is done).
    const longRule = page.getByRole('checkbox', { name: /When a long-running command finishes/ });
    await longRule.click();
    await page.waitForFunction(() => {
      const box = [...document.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].find((b) =>
        b.parentElement?.textContent?.includes('When a long-running command finishes'),
      );
      return box !== undefined && !box.checked;
    });
    assert.equal(await longWhen.isDisabled(), true);
    assert.equal(await failureWhen.isDisabled(), false);
    assert.match(readFileSync(server.configFile, 'utf8'), /\non_long_running = false\n/);

    // A failure in Windows Terminal under WSL: "unfocused" cannot be told there, so it notifies.
    await postEvent(server, {
      kind: 'shell',
      command: 'make test',
      exit_code: 2,
      duration_ms: 1200,
      metadata: {
        cwd: '/tmp',
        shell: 'bash',
        tty: '/dev/pts/3',
        hostname: hostname(),
        pid: 4242,
        wsl_distro: 'Ubuntu',
      },
    });
    await page.reload();
    const place = page.locator('.focus-unknown li', { hasText: 'Windows Terminal (WSL)' });
    await place.waitFor();
    assert.match(await place.innerText(), /powershell\.exe/);
    assert.equal(await failureWhen.inputValue(), 'unfocused');
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
