// The one wrapper table and its two readers: the safety guard (what `sudo … rm` runs) and the
// notification rules (which program a shell command ran, for the long-running ignore list).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coreArgv, unwrap, wrapperFor } from '../../../../main/core/lifecycle/guard/wrappers.ts';
import { programOf } from '../../../../main/core/notify/notification-rules.ts';

const split = (line: string) => line.split(' ');

describe('wrapper table', () => {
  test('a chain of wrappers, their options and assignments lead to the command run', () => {
    assert.deepEqual(coreArgv(split('sudo -E env X=1 bash -s')), ['bash', '-s']);
    assert.deepEqual(coreArgv(split('FOO=1 nice -n 5 make -j8')), ['make', '-j8']);
    assert.deepEqual(coreArgv(split('sudo -u postgres psql app')), ['psql', 'app']);
    assert.deepEqual(coreArgv(split('timeout -s KILL 5 git reset --hard')), ['git', 'reset', '--hard']);
    assert.deepEqual(coreArgv(split('xargs -n 1 -I {} rm {}')), ['rm', '{}']);
    assert.deepEqual(coreArgv(split('/usr/bin/sudo -- /bin/rm -rf x')), ['/bin/rm', '-rf', 'x']);
    assert.deepEqual(coreArgv(split('flock -w 3 /tmp/lock make')), ['make']);
  });

  test('a program that is not a wrapper, or is known only when the line runs, ends the chain', () => {
    assert.deepEqual(coreArgv(split('git -C repo status')), ['git', '-C', 'repo', 'status']);
    assert.deepEqual(coreArgv(split('$WRAP rm -rf /')), ['$WRAP', 'rm', '-rf', '/']);
    assert.equal(wrapperFor('toString'), undefined);
  });

  test('options with a value skip it unless attached with =', () => {
    const sudo = wrapperFor('sudo')!;
    assert.deepEqual(unwrap(['-u', 'root', 'vim'], sudo), ['vim']);
    assert.deepEqual(unwrap(['--user=root', 'vim'], sudo), ['vim']);
  });
});

describe('notification rules read the same table', () => {
  test('the program behind any wrapper the guard knows', () => {
    // Wrappers the notification rules had in their own list.
    assert.equal(programOf('sudo -E vim /etc/hosts'), 'vim');
    assert.equal(programOf('FOO=1 BAR=2 nice -n 5 make -j8'), 'make');
    assert.equal(programOf('env -u HOME /usr/bin/less log'), 'less');
    // …and those only the guard had: timeout, xargs, setsid, flock … (the union of both lists).
    assert.equal(programOf('timeout 600 htop'), 'htop');
    assert.equal(programOf('setsid -w ssh prod'), 'ssh');
    // sudo -n takes no value: the program is the next word.
    assert.equal(programOf('sudo -n vim notes'), 'vim');
    assert.equal(programOf('exec -a shell tmux attach'), 'tmux');
  });
});
