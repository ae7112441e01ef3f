import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startHub } from '../../helpers/hub-fixture.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { FakeClock } from '../lifecycle/lifecycle-fixture.ts';
import { inboxApi, type WireMessage } from './inbox-api.ts';

interface WireSchedule {
  id: string;
  session: string;
  cron: string;
  content: string;
  next_at: string;
  created_at: string;
}

// Schedules run on the hub's injected clock: each test moves it and calls the scheduler's tick
// (which its timer calls in real use), so no test depends on how fast this machine is.
// Half past a whole second: a once-a-second schedule is due at each .000 that the clock passes.
const START = Date.parse('2026-05-01T09:00:00.500Z');

describe('recurring schedules over HTTP', async () => {
  const clock = new FakeClock(START);
  const { hub, url } = await startHub({ clock });
  const advance = async (ms: number) => {
    clock.advance(ms);
    await hub.scheduler.tick();
  };
  const api = inboxApi(url, hub.controlToken);
  const createSchedule = async (body: Record<string, unknown>) => {
    const res = await api.call('/schedules', { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };
  const listSchedules = async () =>
    ((await (await api.call('/schedules')).json()) as { schedules: WireSchedule[] }).schedules;

  test('a schedule firing every second puts `schedule` messages into the inbox; deleting it stops them', async () => {
    const created = await createSchedule({ session: 'ticker', cron: '* * * * * *', content: 'tick' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const schedule = created.json.schedule as WireSchedule;
    assert.equal(schedule.session, 'ticker');
    assert.equal(Date.parse(schedule.next_at), START + 500, 'due at the next whole second');

    const listed = await listSchedules();
    assert.deepEqual(
      listed.map((s) => [s.id, s.cron, s.content]),
      [[schedule.id, '* * * * * *', 'tick']],
    );

    await advance(400);
    assert.equal((await api.list('ticker')).length, 0, 'not due yet');
    await advance(100);
    await advance(1_000);
    const messages = await api.list('ticker');
    assert.equal(messages.length, 2);
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
    await advance(2_000);
    await advance(2_000);
    assert.equal((await api.list('ticker', 'limit=1000')).length, countAfterDelete, 'a deleted schedule kept firing');

    const again = await api.call(`/schedules/${schedule.id}`, { method: 'DELETE' });
    assert.equal(again.status, 404);
  });

  test('it does not fire more often than its expression says, and a missed stretch gives one message, not one per missed time', async () => {
    const created = await createSchedule({ session: 'rate', cron: '* * * * * *', content: 'tick' });
    for (let i = 0; i < 32; i++) await advance(100); // 3.2 s past .x50: three whole seconds
    assert.equal((await api.list('rate', 'limit=1000')).length, 3);
    await advance(60_000);
    assert.equal((await api.list('rate', 'limit=1000')).length, 4, 'a minute missed at once is one message');
    await api.call(`/schedules/${created.json.schedule.id}`, { method: 'DELETE' });
  });

  test('a bad cron expression → 400 with a clear message; nothing is created', async () => {
    for (const cron of ['every minute', '61 * * * *', '* * * * * * * *']) {
      const res = await createSchedule({ session: 'bad', cron, content: 'x' });
      assert.equal(res.status, 400, cron);
      assert.match(
        res.json.message,
        new RegExp(`invalid cron expression '${cron.replace(/\*/g, '\\*')}'`),
        res.json.message,
      );
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
    const res = await fetch(`${url}/schedules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session: 's', cron: '* * * * * *', content: 'x' }),
    });
    assert.equal(res.status, 401);
    assert.deepEqual(await listSchedules(), []);
  });
});

describe('recurring schedules: durability', async () => {
  const dataDir = tempDir();

  test('a schedule survives a hub restart and keeps firing', async () => {
    const clock = new FakeClock(START);
    const first = await startHub({ dataDir, clock });
    const token = first.hub.controlToken;
    const res = await inboxApi(first.url, token).call('/schedules', {
      method: 'POST',
      body: JSON.stringify({ session: 'kept', cron: '* * * * * *', content: 'still ticking' }),
    });
    assert.equal(res.status, 201);
    await first.hub.stop();
    clock.advance(1_500); // it misses a tick or two while stopped

    const second = await startHub({ dataDir, clock });
    const api = inboxApi(second.url, token);
    const schedules = ((await (await api.call('/schedules')).json()) as { schedules: WireSchedule[] }).schedules;
    assert.equal(schedules.length, 1);
    // start() delivered the missed times as one message; then two more seconds pass.
    clock.advance(1_000);
    await second.hub.scheduler.tick();
    clock.advance(1_000);
    await second.hub.scheduler.tick();
    // start()'s own tick is not awaited by anyone: wait for its message to be stored too.
    let messages: WireMessage[] = [];
    for (const deadline = Date.now() + 30_000; messages.length < 3 && Date.now() < deadline; ) {
      messages = await api.list('kept', 'limit=1000');
      if (messages.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(messages.length, 3, 'one for the missed times, one per second after the restart');
    assert.ok(messages.every((m) => m.content === 'still ticking' && m.source === 'schedule'));
  });
});
