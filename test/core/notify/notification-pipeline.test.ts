import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../../main/core/config/config-file.ts';
import { DEFAULT_SETTINGS, resolveSettings } from '../../../main/core/config/settings.ts';
import { postEvent, startHub, waitForNotifications } from '../../helpers/hub-fixture.ts';
import { closedPort, eventually, startReceiver } from '../../helpers/http-receiver.ts';

const FAILED = { kind: 'shell', command: 'cargo build', exit_code: 2, duration_ms: 65_000 };
const QUICK_OK = { kind: 'shell', command: 'ls', exit_code: 0, duration_ms: 5 };

describe('notifications from the rules', () => {
  test('a failed command raises one desktop notification and it is recorded', async () => {
    const { url, hub, notifier } = await startHub();
    const raised = waitForNotifications(hub, 1);
    const { json } = await postEvent(url, FAILED);
    await raised;
    assert.deepEqual(notifier.shown, [
      {
        title: 'Command failed',
        message: 'Failed (exit 2) after 1m 5s: cargo build',
        priority: 'high',
        eventId: json.event_id,
      },
    ]);
    const [record] = hub.notifications.forEvent(json.event_id);
    assert.equal(record?.rule, 'failure');
    assert.equal(record?.decided_by, 'rules');
    assert.deepEqual(record?.deliveries, [{ channel: 'test', ok: true }]);
  });

  test('a quick success raises nothing', async () => {
    const { url, hub, notifier } = await startHub();
    const { json } = await postEvent(url, QUICK_OK);
    await postEvent(url, FAILED); // a later event that does notify proves the first was processed
    await eventually(() => notifier.shown.length === 1, 'the failure notification');
    assert.deepEqual(hub.notifications.forEvent(json.event_id), []);
  });

  test('switched off by AGENTD_NOTIFY_ON_FAILURE=false', async () => {
    const { url, hub, notifier } = await startHub({ env: { AGENTD_NOTIFY_ON_FAILURE: 'false' } });
    const raised = waitForNotifications(hub, 1);
    await postEvent(url, { ...FAILED, duration_ms: 10 });
    await postEvent(url, { kind: 'shell', command: 'make', exit_code: 0, duration_ms: 40_000 });
    await raised;
    assert.deepEqual(
      notifier.shown.map((n) => n.message),
      ['Done in 40 s: make'],
    );
  });

  test('a desktop that refuses is recorded as a failed delivery, the event is kept', async () => {
    const { url, hub, notifier } = await startHub();
    notifier.failWith = 'no notification daemon';
    const raised = waitForNotifications(hub, 1);
    const { status, json } = await postEvent(url, FAILED);
    assert.equal(status, 200);
    await raised;
    assert.deepEqual(hub.notifications.forEvent(json.event_id)[0]?.deliveries, [
      { channel: 'test', ok: false, error: 'no notification daemon' },
    ]);
  });
});

describe('AGENTD_NOTIFY_SERVICE_URL', () => {
  test('each notification is POSTed as JSON {title, message, priority, event_id}', async () => {
    const service = await startReceiver();
    const { url, hub } = await startHub({ env: { AGENTD_NOTIFY_SERVICE_URL: `${service.url}/notify` } });
    const raised = waitForNotifications(hub, 1);
    const { json } = await postEvent(url, FAILED);
    await raised;
    assert.equal(service.received.length, 1);
    const request = service.received[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/notify');
    assert.match(String(request.headers['content-type']), /application\/json/);
    assert.deepEqual(JSON.parse(request.body), {
      title: 'Command failed',
      message: 'Failed (exit 2) after 1m 5s: cargo build',
      priority: 'high',
      event_id: json.event_id,
    });
    assert.deepEqual(hub.notifications.forEvent(json.event_id)[0]?.deliveries, [
      { channel: 'test', ok: true },
      { channel: 'notify-service', ok: true },
    ]);
  });

  test('a hanging service never holds up ingestion and times out into a recorded failure', async () => {
    const service = await startReceiver(() => {
      /* never answers */
    });
    const { url, hub, settings } = await startHub({ env: { AGENTD_NOTIFY_SERVICE_URL: service.url } });
    settings.notifications.remoteTimeoutMs = 300;
    const raised = waitForNotifications(hub, 1);
    const first = await postEvent(url, FAILED);
    assert.equal(first.status, 200);
    await eventually(() => service.received.length === 1, 'the service to be called');
    // The service is still holding its request, yet ingestion goes on.
    const second = await postEvent(url, QUICK_OK);
    assert.equal(second.status, 200);
    await raised;
    const delivery = hub.notifications
      .forEvent(first.json.event_id)[0]
      ?.deliveries.find((d) => d.channel === 'notify-service');
    assert.deepEqual(delivery, { channel: 'notify-service', ok: false, error: 'no answer within 300 ms' });
  });

  test('a service that is down or answers 500 is a recorded failed delivery', async () => {
    const service = await startReceiver((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    const { url, hub } = await startHub({ env: { AGENTD_NOTIFY_SERVICE_URL: service.url } });
    const raised = waitForNotifications(hub, 1);
    const { json } = await postEvent(url, FAILED);
    await raised;
    assert.deepEqual(hub.notifications.forEvent(json.event_id)[0]?.deliveries[1], {
      channel: 'notify-service',
      ok: false,
      error: 'HTTP 500',
    });

    const down = await startHub({ env: { AGENTD_NOTIFY_SERVICE_URL: `http://127.0.0.1:${await closedPort()}/` } });
    const raisedDown = waitForNotifications(down.hub, 1);
    const ev = await postEvent(down.url, FAILED);
    await raisedDown;
    const d = down.hub.notifications.forEvent(ev.json.event_id)[0]?.deliveries[1];
    assert.equal(d?.ok, false);
    assert.match(d?.error ?? '', /ECONNREFUSED/);
  });
});

describe('AGENTD_BAML_URL analysis server', () => {
  test('its answer decides and words the notification', async () => {
    const baml = await startReceiver((req, res) => {
      const { event } = JSON.parse(req.body);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          event.command === 'grep foo log'
            ? { should_notify: false, reasoning: 'grep without a match is expected' }
            : {
                should_notify: true,
                notification_title: 'Deploy finished',
                notification_message: 'prod is live',
                priority: 'urgent',
                reasoning: 'r',
                indicates_problem: false,
                suggested_actions: [],
              },
        ),
      );
    });
    const { url, hub, notifier } = await startHub({ env: { AGENTD_BAML_URL: baml.url } });
    await postEvent(url, { kind: 'shell', command: 'grep foo log', exit_code: 1, duration_ms: 3 });
    const raised = waitForNotifications(hub, 1);
    const { json } = await postEvent(url, { kind: 'shell', command: './deploy.sh', exit_code: 0, duration_ms: 2_000 });
    await raised;
    assert.deepEqual(notifier.shown, [
      { title: 'Deploy finished', message: 'prod is live', priority: 'urgent', eventId: json.event_id },
    ]);
    assert.equal(hub.notifications.forEvent(json.event_id)[0]?.decided_by, 'analysis');
    assert.equal(baml.received[0]?.url, '/call/AnalyzeShellEvent');
    assert.equal(JSON.parse(baml.received[0]!.body).event.command, 'grep foo log');
  });

  test('on an invalid answer, an error or a timeout the rules decide', async () => {
    let mode = 'invalid';
    const baml = await startReceiver((_req, res) => {
      if (mode === 'invalid') res.end(JSON.stringify({ notify: 'yes' }));
      else if (mode === 'error') {
        res.statusCode = 503;
        res.end();
      } // 'hang': never answers
    });
    const { url, hub, notifier, settings } = await startHub({ env: { AGENTD_BAML_URL: `${baml.url}/custom/path` } });
    settings.notifications.remoteTimeoutMs = 300;
    for (const next of ['invalid', 'error', 'hang']) {
      mode = next;
      const raised = waitForNotifications(hub, 1);
      const { json } = await postEvent(url, FAILED);
      await raised;
      assert.equal(hub.notifications.forEvent(json.event_id)[0]?.decided_by, 'rules', next);
    }
    assert.equal(notifier.shown.length, 3);
    assert.equal(baml.received[0]?.url, '/custom/path');
  });
});

describe('when a rule notifies (failure_when, long_running_when)', () => {
  const LONG_OK = { kind: 'shell', command: 'make', exit_code: 0, duration_ms: 40_000 };

  test('from the config file; a value other than always/unfocused/never is refused, naming the key', () => {
    const config = parseConfigText('[notifications]\nfailure_when = "never"\nlong_running_when = "always"\n', 'c.toml');
    const n = resolveSettings({ env: {}, config }).notifications;
    assert.deepEqual([n.failureWhen, n.longRunningWhen], ['never', 'always']);
    assert.deepEqual(
      [DEFAULT_SETTINGS.notifications.failureWhen, DEFAULT_SETTINGS.notifications.longRunningWhen],
      ['always', 'unfocused'],
    );
    assert.throws(
      () => parseConfigText('[notifications]\nlong_running_when = "sometimes"\n', 'c.toml'),
      /c\.toml: .*long_running_when/,
    );
  });

  test('"never" silences a rule; "unfocused" without anything to tell focus by notifies', async () => {
    const { url, hub, notifier } = await startHub({
      edit: (s) => {
        s.notifications.failureWhen = 'never';
        s.notifications.longRunningWhen = 'unfocused';
      },
    });
    const raised = waitForNotifications(hub, 1);
    await postEvent(url, { ...FAILED, duration_ms: 10 });
    await postEvent(url, LONG_OK);
    await raised;
    await postEvent(url, { ...FAILED, command: 'make again', duration_ms: 40_000 }); // long and failed: the long rule
    await eventually(() => notifier.shown.length === 2, 'the second notification');
    assert.deepEqual(
      notifier.shown.map((n) => n.message),
      ['Done in 40 s: make', 'Failed (exit 2) after 40 s: make again'],
    );
  });
});
