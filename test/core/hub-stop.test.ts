// Stopping the hub: one list of steps (main/core/util/stop-steps.ts) for stop() and for a failed
// start, held to one deadline. A part that does not stop in time is named in the log and the
// remaining steps still run: the scripts are killed, the database is closed, stop() returns.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { resolveSettings } from '../../main/core/config/settings.ts';
import { createHub } from '../../main/core/hub.ts';
import { runStopSteps } from '../../main/core/util/stop-steps.ts';
import { RecordingNotifier } from '../helpers/hub-fixture.ts';
import { eventually } from '../helpers/http-receiver.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { hookToml, hookUrl, writeScript } from '../helpers/webhook-fixture.ts';

function collectingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line).msg) });
  return { logger, lines };
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('a hook script that outlasts the stop deadline is named in the log, killed, and stop() returns', async () => {
  const dir = tempDir();
  const pidFile = join(dir, 'stuck.pid');
  writeScript(dir, 'stuck.sh', `#!/bin/sh\ncat >/dev/null\necho $$ > '${pidFile}'\nsleep 600\n`);
  const configFile = join(dir, 'config.toml');
  writeFileSync(configFile, hookToml('stuck', 'stuck.sh', 'timeout = 3600'));
  const { logger, lines } = collectingLogger();
  const hub = createHub({
    dataDir: tempDir(),
    settings: resolveSettings({ env: {}, overrides: { port: 0 } }),
    configFile,
    notifier: new RecordingNotifier(),
    logger,
    stopDeadlineMs: 2_000,
  });
  await hub.start();
  const request = fetch(hookUrl(hub, 'stuck'), { method: 'POST', body: 'x' }).then(
    (response) => response.status,
    () => 'connection closed',
  );
  await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the script to start');
  const scriptPid = Number(readFileSync(pidFile, 'utf8'));

  await hub.stop();
  assert.ok(
    lines.includes(
      'stopping: webhook hooks and inbox deliveries did not finish within the 2 s shutdown deadline; going on without it',
    ),
    lines.join('\n'),
  );
  await eventually(() => !alive(scriptPid), 'the script to be killed');
  await request;
});

test('runStopSteps: a step that fails is logged and the next steps run', async () => {
  const { logger, lines } = collectingLogger();
  const ran: string[] = [];
  await runStopSteps(
    [
      { name: 'first', run: () => void ran.push('first') },
      {
        name: 'broken',
        run: async () => {
          throw new Error('no such thing');
        },
      },
      { name: 'last', run: () => void ran.push('last') },
    ],
    { deadlineMs: 10_000, logger },
  );
  assert.deepEqual(ran, ['first', 'last']);
  assert.deepEqual(lines, ['stopping: broken failed: no such thing']);
});
