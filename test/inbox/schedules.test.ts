import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startHub } from '../helpers/hub-fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { inboxApi, sleep, type WireMessage } from './inbox-api.ts';

interface WireSchedule {
  id: string;
  session: string;
  cron: string;
  content: string;
  next_at: string;
  created_at: string;
}

describe('recurring schedules over HTTP', async () => {
  const { hub, url } = await startHub();
  const api = inboxApi(url, hub.controlToken);
  const createSchedule = async (body: Record<string, unknown>) => {
    const res = await api.call('/schedules', { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };
  const listSchedules = async () => ((await (await api.call('/schedules')).json()) as { schedules: WireSchedule[] }).schedules;

  test('a schedule firing every second puts `schedule` messages into the inbox; deleting it stops them', async () => {
    const created = await createSchedule({ session: 'ticker', cron: '* * * * * *', content: 'tick' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const schedule = created.json.schedule as WireSchedule;
    assert.equal(schedule.session, 'ticker');
    assert.ok(Date.parse(schedule.next_at) - Date.now() <= 1100, `next_at ${schedule.next_at} is not within the next second`);

    const listed = await listSchedules();
    assert.deepEqual(
      listed.map((s) => [s.id, s.cron, s.content]),
      [[schedule.id, '* * * * * *', 'tick']],
    );

    let messages: WireMessage[] = [];
    const deadline = Date.now() + 6_000;
    while (messages.length < 2 && Date.now() < deadline) {
      messages = await api.list('ticker');
      await sleep(100);
    }
    assert.ok(messages.length >= 2, `only ${messages.length} scheduled messages within 6 s`);
    for (const m of messages) {
      assert.equal(m.source, 'schedule');
      assert.equal(m.content, 'tick');
      assert.equal(m.source_label, 'cron * * * * * *');
    }
    // Consumable like any message.
    assert.equal((await api.next('ticker')).message?.source, 'schedule');

    const removed = await api.call(`/schedules/${schedule.id}`, { method: 'DELETE' });
    assert.equal(removed.status, 200);
    assert.deepEqual(await listSchedules(), []);
    const countAfterDelete = (await api.list('ticker', 'limit=1000')).length;
    await sleep(2_200);
    assert.equal((await api.list('ticker', 'limit=1000')).length, countAfterDelete, 'a deleted schedule kept firing');

    const again = await api.call(`/schedules/${schedule.id}`, { method: 'DELETE' });
    assert.equal(again.status, 404);
  });

  test('it does not fire more often than its expression says', async () => {
    const created = await createSchedule({ session: 'rate', cron: '* * * * * *', content: 'tick' });
    await sleep(3_200);
    await api.call(`/schedules/${created.json.schedule.id}`, { method: 'DELETE' });
    const count = (await api.list('rate', 'limit=1000')).length;
    assert.ok(count >= 2 && count <= 4, `${count} messages in 3.2 s from a once-a-second schedule`);
  });

  test('a bad cron expression → 400 with a clear message; nothing is created', async () => {
    for (const cron of ['every minute', '61 * * * *', '* * * * * * * *']) {
      const res = await createSchedule({ session: 'bad', cron, content: 'x' });
      assert.equal(res.status, 400, cron);
      assert.match(res.json.message, new RegExp(`invalid cron expression '${cron.replace(/\*/g, '\\*')}'`), res.json.message);
    }
    const never = await createSchedule({ session: 'bad', cron: '0 0 30 2 *', content: 'x' });
    assert.equal(never.status, 400);
    assert.match(never.json.message, /never fires/);
    const badSession = await createSchedule({ session: 'no spaces', cron: '* * * * *', content: 'x' });
    assert.equal(badSession.status, 400);
    assert.equal(badSession.json.field, 'session');
    const empty = await createSchedule({ session: 'bad', cron: '* * * * *', content: '' });
    assert.equal(empty.status, 400);
    assert.equal(empty.json.field, 'content');
    const unknown = await createSchedule({ session: 'bad', cron: '* * * * *', content: 'x', every: '5m' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.field, 'every');
    assert.deepEqual(await listSchedules(), []);
  });

  test('schedules need the control token', async () => {
    assert.equal((await fetch(`${url}/schedules`)).status, 401);
    const res = await fetch(`${url}/schedules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session: 's', cron: '* * * * * *', content: 'x' }) });
    assert.equal(res.status, 401);
    assert.deepEqual(await listSchedules(), []);
  });
});

describe('recurring schedules: durability', async () => {
  const dataDir = tempDir();

  test('a schedule survives a hub restart and keeps firing', async () => {
    const first = await startHub({ dataDir });
    const token = first.hub.controlToken;
    const res = await inboxApi(first.url, token).call('/schedules', { method: 'POST', body: JSON.stringify({ session: 'kept', cron: '* * * * * *', content: 'still ticking' }) });
    assert.equal(res.status, 201);
    await first.hub.stop();
    await sleep(1_500); // it misses a tick or two while stopped

    const second = await startHub({ dataDir });
    const api = inboxApi(second.url, token);
    const schedules = ((await (await api.call('/schedules')).json()) as { schedules: WireSchedule[] }).schedules;
    assert.equal(schedules.length, 1);
    const atStart = (await api.list('kept', 'limit=1000')).length;
    let messages: WireMessage[] = [];
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      messages = await api.list('kept', 'limit=1000');
      if (messages.length >= atStart + 2) break;
      await sleep(100);
    }
    assert.ok(messages.length >= atStart + 2, `${messages.length - atStart} ticks in 5 s after the restart`);
    assert.ok(messages.every((m) => m.content === 'still ticking' && m.source === 'schedule'));
  });
});
