// The agent hook finds the hub without the config schema (main/core/config/hub-address.ts): it must
// land on the port every other command uses (loadCliContext), or say it cannot tell.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { quickApiPort } from '../../main/core/config/hub-address.ts';
import { loadCliContext } from '../../main/cli/cli-context.ts';
import { resolveSettings } from '../../main/core/config/settings.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir();
const config = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const cases: { label: string; file: string; explicit: boolean; env: NodeJS.ProcessEnv; port?: number }[] = [
  { label: '[api] port', file: config('port.toml', '[api]\nport = 18123\n'), explicit: true, env: {} },
  { label: 'dotted api.port', file: config('dotted.toml', 'api.port = 18124\n'), explicit: true, env: {} },
  { label: 'no [api] table', file: config('other.toml', '[history]\ncache_size = 5\n'), explicit: true, env: {} },
  { label: '[api] without port', file: config('body.toml', '[api]\nmax_body_bytes = 2048\n'), explicit: true, env: {} },
  { label: 'AGENTD_PORT over the file', file: join(dir, 'port.toml'), explicit: true, env: { AGENTD_PORT: ' 18125 ' } },
  {
    label: '--port over both',
    file: join(dir, 'port.toml'),
    explicit: true,
    env: { AGENTD_PORT: '18125' },
    port: 18126,
  },
];

for (const c of cases) {
  test(`the same port as the full config read: ${c.label}`, () => {
    const full = loadCliContext({ config: c.file }, c.port !== undefined ? { port: c.port } : {}, c.env).settings.api
      .port;
    const quick = quickApiPort(
      { configFile: c.file, explicitConfig: c.explicit, ...(c.port !== undefined ? { port: c.port } : {}) },
      c.env,
    );
    assert.equal(quick, full);
  });
}

test('no config file at the default place: the default port', () => {
  assert.equal(
    quickApiPort({ configFile: join(dir, 'none.toml'), explicitConfig: false }, {}),
    resolveSettings({ env: {} }).api.port,
  );
});

test('null wherever the full read refuses: the full path then reports it', () => {
  const refused: { file: string; env: NodeJS.ProcessEnv }[] = [
    { file: join(dir, 'missing.toml'), env: {} },
    { file: config('bad.toml', '[api\nport = 1\n'), env: {} },
    { file: config('text-port.toml', '[api]\nport = "18000"\n'), env: {} },
    { file: config('big-port.toml', '[api]\nport = 70000\n'), env: {} },
    { file: config('api-value.toml', 'api = 3\n'), env: {} },
    { file: join(dir, 'port.toml'), env: { AGENTD_PORT: 'http' } },
  ];
  for (const { file, env } of refused) {
    assert.throws(() => loadCliContext({ config: file }, {}, env), `${file} is refused by the full read`);
    assert.equal(quickApiPort({ configFile: file, explicitConfig: true }, env), null, file);
  }
});
