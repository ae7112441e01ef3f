import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shellIntegrationScript } from '../../../main/core/shell/shell-integration.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// GET /shell/{shell} serves the integration for the hub's own address; `hookbox shell print`
// prints the same script for the address `hookbox serve` would use.

test('GET /shell/{bash,zsh,fish} serves the script for the running hub; an unknown shell is a 404 naming the supported ones', async () => {
  const { url } = await startHub();
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const response = await fetch(`${url}/shell/${shell}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const script = await response.text();
    assert.equal(script, shellIntegrationScript(shell, url));
    assert.ok(script.startsWith(`# Hookbox shell integration for ${shell}`));
    assert.ok(script.includes(`for ${url}.`), 'the hub bakes in its own address');
  }
  const unknown = await fetch(`${url}/shell/tcsh`);
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), {
    success: false,
    error: 'unknown_shell',
    message: "no integration for shell 'tcsh'; supported: zsh, bash, fish",
  });
});

test('hookbox shell print: the address from AGENTD_PORT, overridden by --port; port 0 cannot be baked in', async () => {
  const env = { AGENTD_PORT: '18321', XDG_CONFIG_HOME: tempDir() };
  const fromEnv = await runCli(['shell', 'print', 'zsh'], env);
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.equal(fromEnv.stdout, shellIntegrationScript('zsh', 'http://127.0.0.1:18321'));
  const fromFlag = await runCli(['shell', 'print', 'fish', '--port', '18999'], env);
  assert.equal(fromFlag.stdout, shellIntegrationScript('fish', 'http://127.0.0.1:18999'));
  const zero = await runCli(['shell', 'print', 'bash'], { ...env, AGENTD_PORT: '0' });
  assert.equal(zero.code, 1);
  assert.match(zero.stderr, /^hookbox: error: the API port is 0 .*give --port\n$/);
});
