import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { eventually } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { hookToml, startWebhookHub, writeScript } from '../../helpers/webhook-fixture.ts';

/** Running, not a zombie waiting for whoever adopted it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const root = join(import.meta.dirname, '../../..');

describe('the script spawner (scripts run from a small helper process)', async () => {
  const dir = tempDir();
  writeScript(dir, 'stuck.sh', `#!/bin/sh\ncat >/dev/null\necho $$ > "${join(dir, 'stuck.pid')}"\nsleep 60\n`);
  writeScript(dir, 'hello.sh', '#!/bin/sh\ncat\n');
  const { hookUrl, api, hub } = await startWebhookHub(
    [hookToml('stuck', 'stuck.sh', 'timeout = 30'), hookToml('hello', 'hello.sh')].join('\n'),
    { dir },
  );

  test('when the spawner dies mid-run the request is answered and recorded, its script is killed, and the next request works', async () => {
    const pending = fetch(hookUrl('stuck'), { method: 'POST', body: 'x' });
    const pidFile = join(dir, 'stuck.pid');
    await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the script to start');
    const scriptPid = Number(readFileSync(pidFile, 'utf8'));
    const spawnerPid = hub.scripts.spawnerPid()!;
    process.kill(spawnerPid, 'SIGKILL');

    const res = await pending;
    assert.equal(res.status, 500);
    const run = await (await api(`/hooks/runs/${res.headers.get('x-hookbox-run')}`)).json();
    assert.equal(run.outcome, 'spawn_error');
    assert.match((await res.json()).error, /script spawner exited unexpectedly/);
    await eventually(() => !alive(scriptPid), 'the stranded script to be killed');

    const next = await fetch(hookUrl('hello'), { method: 'POST', body: 'after the crash' });
    assert.equal(next.status, 200);
    assert.notEqual(hub.scripts.spawnerPid(), spawnerPid);
    const messages = (await (await api('/sessions/default/inbox?limit=10')).json()).messages as Array<{
      content: string;
    }>;
    assert.ok(messages.some((m) => m.content === 'after the crash'));
  });

  test('the spawner and its scripts die with the process that started it, even on SIGKILL', async () => {
    const pidFile = join(dir, 'orphan.pid');
    const program = [
      `import { ScriptRunner } from ${JSON.stringify(join(root, 'main/core/process/script-runner.ts'))};`,
      'const runner = new ScriptRunner();',
      `void runner.run({ command: '/bin/sh', args: ['-c', 'echo $$ > ${pidFile}; sleep 60'], input: '', env: process.env, timeoutMs: 60_000, maxOutputBytes: 1024 });`,
      'console.log(runner.spawnerPid());',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const parent = spawn(process.execPath, ['--input-type=module', '-e', program], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await parent.stdout.take(1).toArray()) as Buffer[];
    const spawnerPid = Number(String(line).trim());
    await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the script to start');
    const scriptPid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(alive(spawnerPid) && alive(scriptPid));
    parent.kill('SIGKILL');
    await eventually(() => !alive(spawnerPid) && !alive(scriptPid), 'the spawner and its script to exit');
  });
});

describe('two hubs in one process', async () => {
  const dir = tempDir();
  // Runs until the test lets it go, then says it finished.
  writeScript(
    dir,
    'held.sh',
    `#!/bin/sh\ncat >/dev/null\ntouch '${dir}/held'\nwhile [ ! -f '${dir}/go' ]; do sleep 0.05; done\necho finished\n`,
  );
  // Each hub its own config file (a hub watches its file).
  const firstDir = tempDir();
  writeScript(firstDir, 'hello.sh', '#!/bin/sh\ncat\n');
  const first = await startWebhookHub(hookToml('hello', 'hello.sh'), { dir: firstDir });
  const second = await startWebhookHub(hookToml('held', 'held.sh', 'timeout = 60'), { dir });

  test("stopping one hub does not kill the other's scripts", async () => {
    assert.equal((await fetch(first.hookUrl('hello'), { method: 'POST', body: 'hi' })).status, 200);
    const pending = fetch(second.hookUrl('held'), { method: 'POST', body: 'x' });
    await eventually(() => existsSync(join(dir, 'held')), 'the second hub to run its script');
    await first.hub.stop();
    writeFileSync(join(dir, 'go'), '');
    const response = await pending;
    assert.equal(response.status, 200, "the second hub's script ran to the end");
    const messages = (await (await second.api('/sessions/default/inbox?limit=10')).json()).messages as Array<{
      content: string;
    }>;
    assert.deepEqual(
      messages.map((m) => m.content),
      ['finished'],
    );
  });
});
