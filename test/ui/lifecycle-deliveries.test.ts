import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { closedPort } from '../helpers/http-receiver.ts';
import { curl, openWindow, startUiServer } from './ui-fixture.ts';

// The Hooks view's webhook outbox in Chromium against a real `hookbox serve`: a lifecycle event
// whose webhook receiver is down shows its delivery pending with the error and the next attempt,
// then dead once out of attempts; with the receiver up, Retry delivers it. Live, no reload.

const port = await closedPort();
const server = await startUiServer({
  config: `# Hookbox\n\n[lifecycle.outbox]\nbackoff_initial_s = 3\nbackoff_max_s = 3\n\n[[lifecycle."task.completed"]]\nname = "ci"\ntype = "webhook"\nurl = "http://127.0.0.1:${port}/hook"\nretry = 1\n`,
});
const token = decodeURIComponent(server.readyUrl.split('#token=')[1]!);

test('a delivery to a receiver that is down is pending, then dead, with its error; Retry with the receiver up delivers it', async () => {
  const { page, problems, context } = await openWindow(server);
  try {
    await page.keyboard.press('3');
    await page.getByRole('table', { name: 'Lifecycle hooks' }).getByText('task.completed').waitFor();
    await page.getByText('No lifecycle event has been sent to a webhook yet.').waitFor();

    const reply = JSON.parse(
      await curl([
        '-X',
        'POST',
        `${server.url}/lifecycle/events/task.completed`,
        '-H',
        `Authorization: Bearer ${token}`,
        '-H',
        'Content-Type: application/json',
        '-d',
        '{"task_id":"task-42","summary":"done"}',
      ]),
    ) as { event_id: string; deliveries: string[] };
    const id = reply.deliveries[0]!;
    const row = page.locator(`table.deliveries tr[data-delivery-id="${id}"]`);

    // The first attempt is refused: pending, with the reason and when it is tried again.
    const pending = page.locator(`table.deliveries tr[data-delivery-id="${id}"][data-state="pending"]`);
    await pending.getByText('connection refused (ECONNREFUSED)').waitFor();
    assert.match((await pending.locator('td').nth(6).textContent()) ?? '', /^(in \d s|now)$/);
    assert.equal(await pending.locator('td').nth(4).textContent(), '1/2');
    // The event is listed too.
    await page
      .locator(`table.lifecycle-events tr[data-lifecycle-event-id="${reply.event_id}"]`)
      .getByText('allowed')
      .waitFor();

    // The second is refused too: dead, and it says so.
    const dead = page.locator(`table.deliveries tr[data-delivery-id="${id}"][data-state="dead"]`);
    await dead.getByText(/gave up after 2 attempts/).waitFor({ timeout: 15_000 });
    assert.equal(await dead.locator('td').nth(4).textContent(), '2/2');

    // The receiver comes up; Retry delivers at once.
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    receiver.listen(port, '127.0.0.1');
    await once(receiver, 'listening');
    after(() => receiver.close());
    await dead.getByRole('button', { name: 'Retry' }).click();
    await page.locator(`table.deliveries tr[data-delivery-id="${id}"][data-state="delivered"]`).waitFor();
    assert.equal(await row.locator('td').nth(4).textContent(), '3/3');
    assert.equal(await row.getByRole('button', { name: 'Retry' }).count(), 0);
    assert.equal(received.length, 1);
    assert.equal((JSON.parse(received[0]!) as { data: { task_id: string } }).data.task_id, 'task-42');

    // The event's detail lists the delivery as delivered.
    await row.getByRole('button', { name: 'task.completed' }).click();
    await page.getByRole('complementary', { name: 'Lifecycle event detail' }).getByText('delivered').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
