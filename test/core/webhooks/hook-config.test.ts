import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { hubConfigFrom } from '../../../main/core/config/hub-config.ts';
import { parseConfigText } from '../../../main/core/config/config-file.ts';
import { parseBind, validateHooks } from '../../../main/core/webhooks/hook-config.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';

const dir = tempDir();
const script = writeScript(dir, 'ok.sh', '#!/bin/sh\ncat\n');
const notExecutable = join(dir, 'plain.sh');
writeFileSync(notExecutable, '#!/bin/sh\n');
chmodSync(notExecutable, 0o644);
const file = join(dir, 'config.toml');

function hooks(toml: string, env: NodeJS.ProcessEnv = {}) {
  return validateHooks(parseConfigText(toml, file).hooks ?? [], { file, env });
}

describe('[[hooks]] validation', () => {
  test("an Octomind config file works unchanged, with Octomind's defaults", () => {
    const [hook] = hooks(
      `[[hooks]]\nname = "my-hook"\nbind = "0.0.0.0:9876"\nscript = "${script}"\ntimeout = 30 # seconds (1-3600)\n`,
    );
    assert.deepEqual(
      {
        name: hook?.name,
        host: hook?.host,
        port: hook?.port,
        script: hook?.scriptPath,
        timeoutMs: hook?.timeoutMs,
        session: hook?.session,
        enabled: hook?.enabled,
        verify: hook?.verify,
      },
      {
        name: 'my-hook',
        host: '0.0.0.0',
        port: 9876,
        script,
        timeoutMs: 30_000,
        session: 'default',
        enabled: true,
        verify: undefined,
      },
    );
    assert.equal(hooks(`[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "${script}"\n`)[0]?.timeoutMs, 30_000);
  });

  test('relative script paths are resolved against the config file folder', () => {
    assert.equal(hooks(`[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\n`)[0]?.scriptPath, script);
  });

  test('secrets may come from the environment', () => {
    assert.equal(
      hooks(`[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\nsecret = "\${GH_SECRET}"\n`, {
        GH_SECRET: 's3cret',
      })[0]?.verification?.secrets[0],
      's3cret',
    );
  });

  const bad: Array<[string, string, RegExp]> = [
    [
      'a duplicate name',
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\n[[hooks]]\nname = "a"\nbind = "127.0.0.1:2"\nscript = "ok.sh"\n`,
      /hook 'a': duplicate name/,
    ],
    [
      'a duplicate bind',
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\n[[hooks]]\nname = "b"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\n`,
      /hook 'b': 'bind' 127\.0\.0\.1:1 is already used by hook 'a'/,
    ],
    [
      'bad bind syntax',
      `[[hooks]]\nname = "a"\nbind = "9876"\nscript = "ok.sh"\n`,
      /hook 'a': 'bind' must be "address:port"/,
    ],
    [
      'a port out of range',
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:70000"\nscript = "ok.sh"\n`,
      /hook 'a': 'bind' must be/,
    ],
    [
      'timeout 0',
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\ntimeout = 0\n`,
      /hook 'a': 'timeout' must be >= 1/,
    ],
    [
      'timeout above 3600',
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\ntimeout = 3601\n`,
      /hook 'a': 'timeout' must be <= 3600/,
    ],
    [
      'a missing script',
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "missing.sh"\n`,
      /hook 'a': 'script' .*missing\.sh does not exist/,
    ],
    [
      'a script that is not executable',
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "plain.sh"\n`,
      /hook 'a': 'script' .*plain\.sh is not executable/,
    ],
    ['a missing field', `[[hooks]]\nname = "a"\nscript = "ok.sh"\n`, /hook 'a': missing required field 'bind'/],
    [
      'an unknown field',
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\ntimout = 5\n`,
      /hook 'a': unknown field 'timout'/,
    ],
    [
      'an unset secret variable',
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\nsecret = "\${NOPE_NOT_SET}"\n`,
      /hook 'a': 'secret': environment variable NOPE_NOT_SET is not set/,
    ],
  ];
  for (const [name, toml, message] of bad) {
    test(`rejects ${name} in one line naming the file, the hook and the field`, () => {
      assert.throws(
        () => hooks(toml),
        (error: Error) => {
          assert.ok(error.message.startsWith(`${file}: `), error.message);
          assert.match(error.message, message);
          assert.ok(!error.message.includes('\n'));
          return true;
        },
      );
    });
  }

  test('a disabled hook may point at a script that is not there yet', () => {
    assert.equal(
      hooks(`[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "later.sh"\nenabled = false\n`)[0]?.enabled,
      false,
    );
  });

  test('bind syntax', () => {
    assert.deepEqual(parseBind('0.0.0.0:9876'), { host: '0.0.0.0', port: 9876 });
    assert.deepEqual(parseBind('[::1]:80'), { host: '::1', port: 80 });
    assert.deepEqual(parseBind('localhost:1'), { host: 'localhost', port: 1 });
    for (const bad of ['9876', ':9876', '1.2.3:80', '300.0.0.1:80', 'host:', 'host:99999', '::1:80'])
      assert.equal(parseBind(bad), undefined, bad);
  });

  test('run --hook selects hooks, activates them and sets the session; unknown names are errors', () => {
    const config = parseConfigText(
      `[[hooks]]\nname = "a"\nbind = "127.0.0.1:1"\nscript = "ok.sh"\nenabled = false\n[[hooks]]\nname = "b"\nbind = "127.0.0.1:2"\nscript = "ok.sh"\n`,
      file,
    );
    const selected = hubConfigFrom(config, file, {}, { names: ['a'], session: 'ops' }).hooks;
    assert.deepEqual(
      selected.map((h) => [h.name, h.enabled, h.session]),
      [['a', true, 'ops']],
    );
    assert.throws(
      () => hubConfigFrom(config, file, {}, { names: ['zzz'] }),
      /no hook named 'zzz' \(hooks in the file: a, b\)/,
    );
  });
});
