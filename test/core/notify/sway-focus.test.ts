import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { focusedSwayNode, swayProbe } from '../../../main/core/notify/focus/sway-focus.ts';
import { startHeadlessSway, swaySkip, until } from '../../helpers/headless-sway.ts';
import { SWAY_GET_TREE } from './fixtures/focus-outputs.ts';

// The sway focus probe against a real headless sway with real Wayland windows: foot terminals
// whose shells stand for the command's shell (test/helpers/headless-sway.ts).

describe('sway: the focused node of get_tree against the shell’s ancestors', { skip: swaySkip() }, () => {
  test('an empty workspace: nothing in front; then the focused foot window is its shell’s, not another’s', async () => {
    const sway = await startHeadlessSway();
    const probe = swayProbe(process.env);
    const meta = (pid: number) => ({ shell: 'sh', pid, sway_socket: sway.socket });
    assert.equal(probe.applies?.(meta(process.pid)), true);
    assert.equal(await probe.check(meta(process.pid)), 'unfocused');

    const first = await sway.openShellWindow('first');
    assert.equal(await probe.check(meta(first.shellPid)), 'focused');
    // This test process is no child of that foot.
    assert.equal(await probe.check(meta(process.pid)), 'unfocused');

    const second = await sway.openShellWindow('second');
    assert.equal(await probe.check(meta(first.shellPid)), 'unfocused');
    assert.equal(await probe.check(meta(second.shellPid)), 'focused');

    // The second window closes; the focus goes back to the first.
    second.foot.kill();
    await until(() => sway.focusedPid() === first.foot.pid, 'the first window to have the focus again');
    assert.equal(await probe.check(meta(first.shellPid)), 'focused');
    // A socket nothing listens on: cannot tell.
    const gone = { ...meta(first.shellPid), sway_socket: join(sway.socket, '..', 'gone.sock') };
    assert.equal(await probe.check(gone), 'unknown');
  });
});

describe('sway: the reply of sway-ipc(7)’s example', () => {
  test('the focused node is the termite window inside workspace 1', () => {
    const node = focusedSwayNode(JSON.parse(SWAY_GET_TREE));
    assert.equal(node?.type, 'con');
    assert.equal(node?.pid, 25370);
    assert.equal(focusedSwayNode({ not: 'a tree' }), undefined);
  });
});
