import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { firstEventCommand } from '../../renderer/src/first-event.ts';
import { startHub } from '../helpers/hub-fixture.ts';

// The command the empty window tells a new user to paste must really record an event.
test('the curl shown in the empty state records an event in a real hub', async () => {
  const { hub, url } = await startHub();
  const { stdout } = await promisify(execFile)('sh', ['-c', firstEventCommand(url)]);
  assert.equal(JSON.parse(stdout).success, true);
  assert.deepEqual(
    hub.eventLog.list(5).map((e) => [e.kind, e.command, e.exit_code, e.duration_ms]),
    [['shell', 'cargo build', 1, 45000]],
  );
});
