import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfigFile, parseConfigText } from '../../../main/core/config/config-file.ts';
import { DEFAULT_SETTINGS, resolveSettings } from '../../../main/core/config/settings.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('AGENTD_* environment variables', () => {
  test("defaults are the seed's", () => {
    const s = resolveSettings({ env: {} });
    assert.equal(s.api.port, 17002);
    assert.equal(s.api.host, '127.0.0.1');
    assert.equal(s.history.cacheSize, 500);
    assert.equal(s.history.retention, 1_000_000);
    assert.equal(s.history.maxAgeMs, null);
    assert.equal(s.notifications.onFailure, true);
    assert.equal(s.notifications.onLongRunning, true);
    assert.equal(s.notifications.longRunningThresholdMs, 30_000);
    assert.equal(s.notifications.bamlUrl, undefined);
    assert.equal(s.notifications.notifyServiceUrl, undefined);
    assert.equal(s.logFormat, 'text');
  });

  test('every variable is read', () => {
    const s = resolveSettings({
      env: {
        AGENTD_PORT: '7002',
        AGENTD_HISTORY_SIZE: '20',
        AGENTD_NOTIFY_ON_FAILURE: 'false',
        AGENTD_NOTIFY_ON_LONG_RUNNING: '0',
        AGENTD_LONG_RUNNING_THRESHOLD_MS: '5000',
        AGENTD_BAML_URL: 'http://127.0.0.1:2024',
        AGENTD_NOTIFY_SERVICE_URL: 'http://127.0.0.1:9000/notify',
        AGENTD_LOG_FORMAT: 'json',
      },
    });
    assert.equal(s.api.port, 7002);
    assert.equal(s.history.cacheSize, 20);
    assert.equal(s.notifications.onFailure, false);
    assert.equal(s.notifications.onLongRunning, false);
    assert.equal(s.notifications.longRunningThresholdMs, 5000);
    assert.equal(s.notifications.bamlUrl, 'http://127.0.0.1:2024/');
    assert.equal(s.notifications.notifyServiceUrl, 'http://127.0.0.1:9000/notify');
    assert.equal(s.logFormat, 'json');
  });

  const invalid: Array<[Record<string, string>, RegExp]> = [
    [{ AGENTD_PORT: 'abc' }, /^invalid AGENTD_PORT="abc": must be a whole number between 0 and 65535$/],
    [{ AGENTD_PORT: '70000' }, /^invalid AGENTD_PORT="70000": must be between 0 and 65535$/],
    [{ AGENTD_LONG_RUNNING_THRESHOLD_MS: '-1' }, /^invalid AGENTD_LONG_RUNNING_THRESHOLD_MS="-1"/],
    [{ AGENTD_HISTORY_SIZE: '0' }, /^invalid AGENTD_HISTORY_SIZE="0"/],
    [{ AGENTD_NOTIFY_ON_FAILURE: 'maybe' }, /^invalid AGENTD_NOTIFY_ON_FAILURE="maybe": must be true or false$/],
    [{ AGENTD_LOG_FORMAT: 'xml' }, /^invalid AGENTD_LOG_FORMAT="xml": must be one of text, json$/],
    [{ AGENTD_BAML_URL: 'not a url' }, /^invalid AGENTD_BAML_URL="not a url"/],
    [{ AGENTD_NOTIFY_SERVICE_URL: 'ftp://x' }, /^invalid AGENTD_NOTIFY_SERVICE_URL="ftp:\/\/x"/],
  ];
  for (const [env, message] of invalid) {
    test(`rejects ${JSON.stringify(env)} with one line naming the variable`, () => {
      assert.throws(
        () => resolveSettings({ env }),
        (error: Error) => {
          assert.match(error.message, message);
          assert.ok(!error.message.includes('\n'));
          return true;
        },
      );
    });
  }

  test('empty variables count as unset', () => {
    assert.equal(resolveSettings({ env: { AGENTD_PORT: '' } }).api.port, 17002);
  });

  test('flags beat the environment, the environment beats the file', () => {
    const config = parseConfigText(
      '[api]\nport = 1000\n[notifications]\nlong_running_threshold_ms = 100\non_failure = false\n',
      'c.toml',
    );
    const s = resolveSettings({
      env: { AGENTD_PORT: '2000', AGENTD_NOTIFY_ON_FAILURE: 'true' },
      config,
      overrides: { port: 3000 },
    });
    assert.equal(s.api.port, 3000);
    assert.equal(s.notifications.onFailure, true);
    assert.equal(s.notifications.longRunningThresholdMs, 100);
    assert.equal(resolveSettings({ env: { AGENTD_PORT: '2000' }, config }).api.port, 2000);
    assert.equal(resolveSettings({ env: {}, config }).api.port, 1000);
  });
});

describe('config file', () => {
  test('a full file is read into settings', () => {
    const config = parseConfigText(
      `log_format = "json"
[api]
port = 18000
max_body_bytes = 4096
[history]
cache_size = 10
retention = 1000
max_age = "12w"
[notifications]
on_long_running = false
long_running_ignore = ["vim", "k9s"]
notify_service_url = "http://127.0.0.1:9/n"
remote_timeout_ms = 500
`,
      'c.toml',
    );
    const s = resolveSettings({ env: {}, config });
    assert.deepEqual(s.api, { host: '127.0.0.1', port: 18000, maxBodyBytes: 4096 });
    assert.deepEqual(s.history, { cacheSize: 10, retention: 1000, maxAgeMs: 12 * 7 * 86_400_000 });
    assert.deepEqual(s.notifications.longRunningIgnore, ['vim', 'k9s']);
    assert.equal(s.notifications.onLongRunning, false);
    assert.equal(s.notifications.remoteTimeoutMs, 500);
    assert.equal(s.logFormat, 'json');
  });

  test('an Octomind [[hooks]] file parses unchanged', () => {
    const config = parseConfigText(
      '[[hooks]]\nname = "my-hook"\nbind = "0.0.0.0:9876"\nscript = "/opt/hooks/my-hook.py"\ntimeout = 30 # seconds\n',
      'c.toml',
    );
    assert.equal(config.hooks?.length, 1);
  });

  const broken: Array<[string, string, RegExp]> = [
    ['TOML syntax', '[api\nport = 1', /^c\.toml:1:\d+: /],
    ['unknown table', '[apii]\nport = 1\n', /^c\.toml: unknown field 'apii'$/],
    ['unknown key', '[notifications]\non_failur = true\n', /^c\.toml: unknown field 'notifications\.on_failur'$/],
    ['wrong type', '[api]\nport = "x"\n', /^c\.toml: 'api\.port' must be an integer$/],
    ['out of range', '[history]\nretention = 0\n', /^c\.toml: 'history\.retention' must be >= 1$/],
    ['bad URL', '[notifications]\nbaml_url = "nope"\n', /notifications\.baml_url/],
  ];
  for (const [name, text, message] of broken) {
    test(`rejects ${name} naming the file and the field`, () => {
      assert.throws(() => resolveSettings({ env: {}, config: parseConfigText(text, 'c.toml') }), { message });
    });
  }

  test('a missing file is fine at the default location and an error when named explicitly', () => {
    const dir = tempDir();
    const path = join(dir, 'missing.toml');
    assert.deepEqual(loadConfigFile(path, { explicit: false }), { path: null, config: {} });
    assert.throws(
      () => loadConfigFile(path, { explicit: true }),
      /missing\.toml: cannot read config file: file not found/,
    );
    writeFileSync(path, '[api]\nport = 1234\n');
    assert.equal(loadConfigFile(path, { explicit: true }).config.api?.port, 1234);
  });

  test('defaults are not mutated by resolving', () => {
    resolveSettings({ env: { AGENTD_PORT: '1' } });
    assert.equal(DEFAULT_SETTINGS.api.port, 17002);
  });
});
