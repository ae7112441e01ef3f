// ntfy, natively: notifications published in ntfy's own JSON format to a local receiver that
// accepts only what an ntfy server accepts (ntfy-receiver.ts), through the durable outbox: an
// outage is retried with backoff (fake clock), a refusal is a dead delivery shown with the others,
// per-rule routes, quiet hours and "only when away" decide where each one goes, and a coding
// agent asking for the user reaches the phone with the question.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../../main/core/config/config-file.ts';
import { resolveSettings } from '../../../main/core/config/settings.ts';
import { routeNotification } from '../../../main/core/notify/notification-routing.ts';
import { startHub, type RunningHub } from '../../helpers/hub-fixture.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { FakeClock } from '../lifecycle/lifecycle-fixture.ts';
import { startNtfyReceiver } from './ntfy-receiver.ts';

async function hubWith(
  toml: string,
  options: { env?: NodeJS.ProcessEnv; clock?: FakeClock; idleMs?: () => number | null } = {},
): Promise<RunningHub & { api: (path: string, init?: RequestInit) => Promise<Response> }> {
  const dir = tempDir();
  const configFile = join(dir, 'config.toml');
  writeFileSync(configFile, toml);
  const env = options.env ?? {};
  const config = parseConfigText(toml, configFile);
  const running = await startHub({
    configFile,
    env,
    edit: (s) => {
      s.notifications = resolveSettings({ env, config }).notifications;
    },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.idleMs ? { idleMs: options.idleMs } : {}),
  });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${running.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${running.hub.controlToken}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  return { ...running, api };
}

async function postEvent(url: string, event: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'shell', ...event }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { event_id: string }).event_id;
}

describe('ntfy publishing', () => {
  test('a failed command reaches ntfy as its own JSON: integer priority 4, x tag, click, markdown off, the token from the environment', async () => {
    const ntfy = await startNtfyReceiver({ protected: { 'hookbox-alice': 'Bearer tk_secret' } });
    const hub = await hubWith(
      `[notifications.ntfy]\nurl = "${ntfy.url}"\ntopic = "hookbox-alice"\ntoken = "\${NTFY_TOKEN}"\nclick_url = "https://laptop.example:17002"\n`,
      { env: { NTFY_TOKEN: 'tk_secret' } },
    );
    const id = await postEvent(hub.url, { command: 'npm test', exit_code: 1, duration_ms: 4000 });
    await eventually(() => ntfy.published.length === 1, 'the push');
    assert.deepEqual(ntfy.refused, []);
    assert.deepEqual(ntfy.published[0], {
      topic: 'hookbox-alice',
      title: 'Command failed',
      message: 'Failed (exit 1) after 4.0 s: npm test',
      priority: 4,
      tags: ['x', hostname()],
      click: `https://laptop.example:17002/#item=${id}`,
      markdown: false,
      authorization: 'Bearer tk_secret',
    });
    // Routed to both by default: the desktop shows it too, and the record says where it went.
    assert.equal(hub.notifier.shown.length, 1);
    const [record] = hub.hub.notifications.forEvent(id);
    assert.deepEqual(record?.deliveries.map((d) => d.channel).sort(), ['ntfy', 'test']);
  });

  test('a long run that succeeded is default priority 3 with white_check_mark; user and password go as Basic auth', async () => {
    const basic = `Basic ${Buffer.from('alice:pw with space').toString('base64')}`;
    const ntfy = await startNtfyReceiver({ protected: { builds: basic } });
    const hub = await hubWith(
      `[notifications]\nlong_running_threshold_ms = 1000\n[notifications.ntfy]\nurl = "${ntfy.url}"\ntopic = "builds"\nuser = "alice"\npassword = "\${NTFY_PASSWORD}"\n`,
      { env: { NTFY_PASSWORD: 'pw with space' } },
    );
    await postEvent(hub.url, { command: 'cargo build --release', exit_code: 0, duration_ms: 65_000 });
    await eventually(() => ntfy.published.length === 1, 'the push');
    const push = ntfy.published[0]!;
    assert.deepEqual(
      [push.priority, push.tags[0], push.authorization, push.click],
      [3, 'white_check_mark', basic, null],
    );
  });

  test('ntfy down: retried with backoff until it answers, nothing lost; a refusal is a dead delivery in the list', async () => {
    const ntfy = await startNtfyReceiver();
    ntfy.outage.push(503, 502);
    const clock = new FakeClock();
    const hub = await hubWith(
      `[lifecycle.outbox]\nbackoff_initial_s = 10\n[notifications.ntfy]\nurl = "${ntfy.url}"\ntopic = "hookbox-bob"\n`,
      { clock },
    );
    await postEvent(hub.url, { command: 'make deploy', exit_code: 2 });
    const outbox = hub.hub.lifecycle.outbox;
    const store = hub.hub.lifecycle.outboxStore;
    const pending = () => store.list({ limit: 10 }).filter((d) => d.channel === 'ntfy');
    await eventually(() => pending()[0]?.attempts === 1, 'the first attempt');
    await outbox.settle();
    assert.equal(ntfy.published.length, 0);
    clock.advance(12_000);
    await outbox.tick();
    assert.equal(pending()[0]?.attempts, 2);
    clock.advance(24_000);
    await outbox.tick();
    await eventually(() => pending()[0]?.state === 'delivered', 'delivered after the outage');
    assert.equal(ntfy.published.length, 1);
    assert.equal(ntfy.published[0]?.message, 'Failed (exit 2): make deploy');

    // The topic is refused (403: the token is missing): final at once, visible as dead.
    const locked = await startNtfyReceiver({ protected: { 'hookbox-bob': 'Bearer tk_x' } });
    const hub2 = await hubWith(`[notifications.ntfy]\nurl = "${locked.url}"\ntopic = "hookbox-bob"\n`);
    await postEvent(hub2.url, { command: 'false', exit_code: 1 });
    await eventually(
      () => hub2.hub.lifecycle.outboxStore.list({ state: 'dead', limit: 5 }).length === 1,
      'the dead delivery',
    );
    const response = await hub2.api('/lifecycle/deliveries?state=dead');
    const { deliveries } = (await response.json()) as { deliveries: any[] };
    assert.equal(deliveries[0].channel, 'ntfy');
    assert.equal(deliveries[0].hook, 'hookbox-bob');
    assert.match(deliveries[0].last_error, /^HTTP 403: .*forbidden.*; not retried/);
  });

  test('routes: failures only to ntfy, long runs only to the desktop', async () => {
    const ntfy = await startNtfyReceiver();
    const hub = await hubWith(
      `[notifications]\nlong_running_threshold_ms = 1000\n[notifications.routes]\nfailure = "ntfy"\nlong_running = "desktop"\n[notifications.ntfy]\nurl = "${ntfy.url}"\ntopic = "t1"\n`,
    );
    await postEvent(hub.url, { command: 'exit 3', exit_code: 3 });
    await postEvent(hub.url, { command: 'sleep 70', exit_code: 0, duration_ms: 70_000 });
    await eventually(() => ntfy.published.length === 1 && hub.notifier.shown.length === 1, 'one each');
    assert.equal(ntfy.published[0]?.title, 'Command failed');
    assert.equal(hub.notifier.shown[0]?.title, 'Command finished');
  });

  test('only when away: at the desktop the phone stays quiet; idle past the threshold it is pushed', async () => {
    const ntfy = await startNtfyReceiver();
    let idle = 5_000;
    const hub = await hubWith(`[notifications.ntfy]\nurl = "${ntfy.url}"\ntopic = "t2"\nonly_when_away = "2m"\n`, {
      idleMs: () => idle,
    });
    const first = await postEvent(hub.url, { command: 'false', exit_code: 1 });
    await eventually(() => hub.hub.notifications.forEvent(first).length === 1, 'the first notification');
    idle = 180_000;
    await postEvent(hub.url, { command: 'exit 9', exit_code: 9 });
    await eventually(() => ntfy.published.length === 1, 'the push while away');
    assert.equal(ntfy.published[0]?.message, 'Failed (exit 9): exit 9');
    assert.equal(hub.notifier.shown.length, 2);
  });

  test('Claude Code asking for permission reaches the phone with the question', async () => {
    const ntfy = await startNtfyReceiver();
    const hub = await hubWith(`[notifications.ntfy]\nurl = "${ntfy.url}"\ntopic = "agents"\n`);
    const response = await hub.api('/agents/claude/hook', {
      method: 'POST',
      body: JSON.stringify({
        session_id: 'abc123',
        transcript_path: '/nonexistent',
        cwd: '/work/project',
        hook_event_name: 'Notification',
        message: 'Claude needs your permission to use Bash',
        notification_type: 'permission_prompt',
      }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    await eventually(() => ntfy.published.length === 1, 'the push');
    const push = ntfy.published[0]!;
    assert.deepEqual(
      [push.title, push.message, push.priority, push.tags.slice(0, 2)],
      ['Claude Code (project)', 'Claude needs your permission to use Bash', 4, ['robot', 'question']],
    );
  });
});

describe('routing decisions', () => {
  const settings = (toml: string) =>
    resolveSettings({ env: {}, config: parseConfigText(toml, 'config.toml') }).notifications;

  test('quiet hours wrap past midnight and send at priority 1; outside them the push is normal', () => {
    const s = settings('[notifications.ntfy]\ntopic = "t"\nquiet_hours = "22:00-07:00"\n');
    const at = (h: number, m: number) => new Date(2026, 0, 1, h, m);
    const quiet = (d: Date) => routeNotification(s, 'failure', { now: d, idleMs: null }).quiet;
    assert.deepEqual(
      [quiet(at(23, 30)), quiet(at(6, 59)), quiet(at(7, 0)), quiet(at(12, 0))],
      [true, true, false, false],
    );
  });

  test('without ntfy everything goes to the desktop; a route to ntfy without [notifications.ntfy] is a config error', () => {
    const s = settings('');
    assert.deepEqual(routeNotification(s, 'lifecycle:task.failed', { now: new Date(), idleMs: null }), {
      desktop: true,
      ntfy: false,
      quiet: false,
      skipped: null,
    });
    assert.throws(
      () => settings('[notifications.routes]\nagent = "ntfy"\n'),
      /notifications.routes.agent = "ntfy" needs \[notifications.ntfy\]/,
    );
    assert.throws(() => settings('[notifications.ntfy]\ntopic = "no spaces"\n'), /topic/);
    assert.throws(
      () => settings('[notifications.ntfy]\ntopic = "t"\ntoken = "${UNSET_TOKEN_VAR}"\n'),
      /UNSET_TOKEN_VAR is not set/,
    );
  });
});
