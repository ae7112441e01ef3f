// ScriptRunner against both script spawners, the Go one (native/spawner) and the Node one
// (spawner-main.ts): the same cases, the same expected results, one protocol.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ScriptRunner, type ScriptRequest } from '../../../main/core/process/script-runner.ts';
import { buildSpawner, goVersion, SPAWNER_BINARY } from '../../../scripts/build-spawner.ts';
import { eventually } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { skipWithout } from '../../helpers/toolchain.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';

const root = join(import.meta.dirname, '../../..');

// The Go spawner is tested wherever it can be built (or was): built here when its sources are newer.
const goBuildable = goVersion() !== undefined;
if (goBuildable) buildSpawner({ ifStale: true });
const goMissing = skipWithout(existsSync(SPAWNER_BINARY), 'go (no Go toolchain and no built out/bin/hookbox-spawner)');

/** Running, not a zombie waiting for whoever adopted it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const runner = new ScriptRunner();

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function sh(script: string, extra: Partial<ScriptRequest> = {}) {
  return runner.run({
    command: '/bin/sh',
    args: ['-c', script],
    input: '',
    env: { PATH: process.env.PATH },
    timeoutMs: 10_000,
    maxOutputBytes: 1024 * 1024,
    ...extra,
  });
}

const pidIn = (file: string) => Number(readFileSync(file, 'utf8'));
const hasPid = (file: string) => existsSync(file) && readFileSync(file, 'utf8').trim() !== '';

for (const kind of ['go', 'node'] as const) {
  describe(`ScriptRunner through the ${kind} spawner`, { skip: kind === 'go' && goMissing }, () => {
    const dir = tempDir();
    const saved = process.env.HOOKBOX_SPAWNER;
    before(() => {
      process.env.HOOKBOX_SPAWNER = kind === 'go' ? SPAWNER_BINARY : 'node';
      runner.stopSpawner();
    });
    after(() => {
      runner.stopSpawner();
      if (saved === undefined) delete process.env.HOOKBOX_SPAWNER;
      else process.env.HOOKBOX_SPAWNER = saved;
    });

    test('it is the implementation asked for', () => {
      assert.equal(runner.spawnerKind(), kind);
    });

    test('exit status, stdout and stderr', async () => {
      const result = await sh('printf "out\\n"; printf "err" >&2; exit 7');
      assert.deepEqual(
        { ...result, durationMs: 0 },
        { outcome: 'exited', exitCode: 7, signal: null, stdout: 'out\n', stderr: 'err', durationMs: 0 },
      );
      assert.equal((await sh('true')).exitCode, 0);
    });

    test('a shared base environment: sent once, each run adds to and overrides it, escapes survive', async () => {
      const base = {
        PATH: '/usr/bin:/bin',
        SHARED: 'from base',
        OVERRIDDEN: 'base value',
        QUOTED: 'say "hi"\\there',
        NEWLINE: 'a\nb',
      };
      const run = (env: NodeJS.ProcessEnv) =>
        runner.run({ command: 'env', input: '', baseEnv: base, env, timeoutMs: 5_000, maxOutputBytes: 4096 });
      const first = await run({ OVERRIDDEN: 'run value', HOOK_NAME: 'one' });
      const vars = (r: { stdout: string }) =>
        Object.fromEntries(
          r.stdout
            .replace(/\nb\n/, '\\nb\n')
            .trim()
            .split('\n')
            .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
        );
      assert.deepEqual(vars(first), {
        PATH: '/usr/bin:/bin',
        SHARED: 'from base',
        OVERRIDDEN: 'run value',
        QUOTED: 'say "hi"\\there',
        NEWLINE: 'a\\nb',
        HOOK_NAME: 'one',
      });
      // The same base again (known to the spawner by now), other per-run variables.
      const second = await run({ HOOK_NAME: 'two' });
      assert.deepEqual(vars(second), {
        PATH: '/usr/bin:/bin',
        SHARED: 'from base',
        OVERRIDDEN: 'base value',
        QUOTED: 'say "hi"\\there',
        NEWLINE: 'a\\nb',
        HOOK_NAME: 'two',
      });
      // A restarted spawner is sent the base again.
      runner.stopSpawner();
      assert.equal(vars(await run({ HOOK_NAME: 'three' })).SHARED, 'from base');
    });

    test('a script killed by a signal: no exit code, the signal by name', async () => {
      const result = await sh('kill -USR1 $$');
      assert.equal(result.outcome, 'exited');
      assert.equal(result.exitCode, null);
      assert.equal(result.signal, 'SIGUSR1');
    });

    test('the script gets exactly the env given, its PATH finds the command, cwd is honoured', async () => {
      const result = await runner.run({
        command: 'env',
        input: '',
        env: { PATH: '/usr/bin:/bin', ONE: 'a b', TWO: '' },
        timeoutMs: 5_000,
        maxOutputBytes: 4096,
      });
      assert.deepEqual(result.stdout.trim().split('\n').sort(), ['ONE=a b', 'PATH=/usr/bin:/bin', 'TWO=']);
      assert.equal((await sh('pwd', { cwd: dir })).stdout.trim(), dir);
      writeScript(dir, 'relative.sh', '#!/bin/sh\necho relative\n');
      assert.equal(
        (
          await runner.run({
            command: './relative.sh',
            cwd: dir,
            input: '',
            env: {},
            timeoutMs: 5_000,
            maxOutputBytes: 100,
          })
        ).stdout,
        'relative\n',
      );
    });

    test('a script without a #! line runs with /bin/sh, as execvp does', async () => {
      const script = writeScript(dir, 'no-shebang', 'echo "no shebang: $1"\n');
      const result = await runner.run({
        command: script,
        args: ['arg'],
        input: '',
        env: {},
        timeoutMs: 5_000,
        maxOutputBytes: 100,
      });
      assert.equal(result.stdout, 'no shebang: arg\n');
    });

    test('spawn errors: not found (absolute, on PATH, missing cwd), not executable', async () => {
      const base = { input: '', env: { PATH: dir }, timeoutMs: 5_000, maxOutputBytes: 100 };
      const missing = await runner.run({ ...base, command: join(dir, 'missing.sh') });
      assert.equal(missing.outcome, 'spawn_error');
      assert.equal(missing.error, `cannot run ${join(dir, 'missing.sh')}: not found`);
      assert.equal(
        (await runner.run({ ...base, command: 'missing-command' })).error,
        'cannot run missing-command: not found',
      );
      assert.equal(
        (await runner.run({ ...base, command: '/bin/true', cwd: join(dir, 'no-such-dir') })).outcome,
        'spawn_error',
      );
      writeFileSync(join(dir, 'plain.sh'), '#!/bin/sh\necho never\n');
      const denied = await runner.run({ ...base, command: join(dir, 'plain.sh') });
      assert.equal(denied.outcome, 'spawn_error');
      assert.equal(denied.error, `cannot run ${join(dir, 'plain.sh')}: permission denied (is it executable?)`);
      assert.equal(
        (await runner.run({ ...base, command: 'plain.sh' })).error,
        'cannot run plain.sh: permission denied (is it executable?)',
      );
      assert.equal((await sh('echo still fine')).stdout, 'still fine\n');
    });

    test('string input, including non-ASCII text', async () => {
      const text = 'héllo – 世界 🎉\n'.repeat(3);
      assert.equal((await sh('cat', { input: text })).stdout, text);
      assert.equal((await sh('wc -c', { input: '' })).stdout.trim(), '0');
    });

    test('Buffer input arrives byte for byte: every byte value, and a 5 MB body', async () => {
      const everyByte = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      assert.equal((await sh('sha256sum', { input: everyByte })).stdout.split(' ')[0], sha256(everyByte));
      const body = randomBytes(5 * 1024 * 1024);
      const result = await sh('sha256sum; echo done >&2', { input: body });
      assert.equal(result.stdout.split(' ')[0], sha256(body));
      assert.equal(result.stderr, 'done\n');
      // A Buffer that is a view into a larger one sends only its own bytes.
      const view = body.subarray(1000, 3000);
      assert.equal((await sh('sha256sum', { input: view })).stdout.split(' ')[0], sha256(view));
    });

    test('scripts that reopen /dev/stdin read the input (Node readFileSync, < /dev/stdin)', async () => {
      const body = randomBytes(2 * 1024 * 1024);
      const node = await runner.run({
        command: process.execPath,
        args: [
          '-e',
          "process.stdout.write(require('crypto').createHash('sha256').update(require('fs').readFileSync('/dev/stdin')).digest('hex'))",
        ],
        input: body,
        env: {},
        timeoutMs: 10_000,
        maxOutputBytes: 1024,
      });
      assert.equal(node.stderr, '');
      assert.equal(node.stdout, sha256(body));
      assert.equal((await sh('cat < /dev/stdin', { input: '{"a":1}' })).stdout, '{"a":1}');
    });

    test('a script that never reads its input still runs to the end', async () => {
      const result = await sh('echo ignored input', { input: randomBytes(4 * 1024 * 1024) });
      assert.equal(result.outcome, 'exited');
      assert.equal(result.stdout, 'ignored input\n');
    });

    test('output is decoded as UTF-8 as Node decodes it (invalid bytes become U+FFFD)', async () => {
      const bytes = Buffer.from([0x61, 0xe2, 0x82, 0x62, 0xff, 0xf0, 0x9f, 0x8e, 0x89, 0xed, 0xa0, 0x80, 0xc3]);
      const result = await sh(`printf '${[...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}'`);
      assert.equal(result.stdout, bytes.toString('utf8'));
    });

    test('output up to the cap is kept; past it the script is stopped with the first bytes kept', async () => {
      assert.equal((await sh('head -c 1000 /dev/zero | tr "\\0" a', { maxOutputBytes: 1000 })).outcome, 'exited');
      const flood = await sh('yes abcdefgh', { maxOutputBytes: 100_000 });
      assert.equal(flood.outcome, 'output_limit');
      assert.equal(flood.error, 'output exceeded 100000 bytes; the script was stopped');
      assert.equal(flood.stdout, 'abcdefgh\n'.repeat(20_000).slice(0, 100_000));
      const stderrFlood = await sh('yes >&2', { maxOutputBytes: 10 });
      assert.equal(stderrFlood.outcome, 'output_limit');
      assert.equal(stderrFlood.stderr, 'y\n'.repeat(5));
    });

    test('a timeout stops the script and the grandchild it forked', async () => {
      const pidFile = join(dir, `grandchild-${kind}.pid`);
      const result = await sh(`sleep 60 & echo $! > "${pidFile}"; sleep 60`, { timeoutMs: 300 });
      assert.equal(result.outcome, 'timeout');
      assert.equal(result.signal, 'SIGTERM');
      assert.ok(
        result.durationMs >= 300 && result.durationMs < 20_000,
        `${result.durationMs} ms: stopped long before the 60 s sleep`,
      );
      await eventually(() => !alive(pidIn(pidFile)), 'the grandchild to be killed');
    });

    test('a script that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
      const result = await sh('trap "" TERM; sleep 30 & wait; sleep 30', { timeoutMs: 200, killGraceMs: 400 });
      assert.equal(result.outcome, 'timeout');
      assert.equal(result.signal, 'SIGKILL');
      assert.ok(result.durationMs >= 600, `${result.durationMs} ms`);
    });

    test('a background child holding stdout open after the script exits is waited for, then stopped by the timeout', async () => {
      const result = await sh('echo before; sleep 30 &', { timeoutMs: 500 });
      assert.equal(result.outcome, 'timeout');
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout, 'before\n');
    });

    test('a process that left the group holding stdout does not keep a stopped run waiting', {
      skip: kind === 'node' && 'the Node spawner waits for every holder of the pipes',
    }, async () => {
      const pidFile = join(dir, `escaped-${kind}.pid`);
      const result = await sh(`echo hi; setsid sleep 30 & echo $! > "${pidFile}"`, { timeoutMs: 300 });
      try {
        assert.equal(result.outcome, 'timeout');
        assert.equal(result.stdout, 'hi\n');
        assert.ok(result.durationMs < 20_000, `${result.durationMs} ms: not held for the 30 s sleep`);
      } finally {
        process.kill(pidIn(pidFile), 'SIGKILL');
      }
    });

    test('cancel (the abort signal) stops a running script at once; an aborted signal stops it before it runs', async () => {
      const pidFile = join(dir, `cancelled-${kind}.pid`);
      const controller = new AbortController();
      const running = sh(`echo $$ > "${pidFile}"; sleep 60`, { signal: controller.signal });
      await eventually(() => hasPid(pidFile), 'the script to start');
      controller.abort();
      const result = await running;
      assert.equal(result.outcome, 'cancelled');
      assert.ok(result.durationMs < 20_000, `${result.durationMs} ms: stopped long before the 60 s sleep`);
      assert.ok(!alive(pidIn(pidFile)));

      const early = new AbortController();
      early.abort();
      const marker = join(dir, `never-${kind}`);
      const skipped = await sh(`sleep 1; touch "${marker}"`, { signal: early.signal });
      assert.equal(skipped.outcome, 'cancelled');
      assert.ok(!existsSync(marker));
    });

    test('killAll kills every running script', async () => {
      const pidFiles = [1, 2].map((n) => join(dir, `killall-${kind}-${n}.pid`));
      const running = pidFiles.map((pidFile) => sh(`echo $$ > "${pidFile}"; sleep 60`));
      await eventually(() => pidFiles.every(hasPid), 'the scripts to start');
      runner.killAll();
      for (const result of await Promise.all(running)) assert.equal(result.signal, 'SIGKILL');
    });

    test("killAll on one runner leaves another runner's scripts running (two hubs in one process)", async () => {
      const other = new ScriptRunner();
      try {
        const pidFile = join(dir, `other-${kind}.pid`);
        const go = join(dir, `other-${kind}.go`);
        const theirs = other.run({
          command: '/bin/sh',
          args: ['-c', `echo $$ > "${pidFile}"; while [ ! -f "${go}" ]; do sleep 0.05; done; echo finished`],
          input: '',
          env: { PATH: process.env.PATH },
          timeoutMs: 30_000,
          maxOutputBytes: 1024,
        });
        await eventually(() => hasPid(pidFile), "the other runner's script to start");
        runner.killAll();
        runner.stopSpawner();
        assert.ok(alive(pidIn(pidFile)), 'still running after the first runner stopped');
        writeFileSync(go, '');
        const result = await theirs;
        assert.deepEqual([result.outcome, result.exitCode, result.stdout], ['exited', 0, 'finished\n']);
      } finally {
        other.stopSpawner();
      }
    });

    test('200 concurrent runs each get their own result', async () => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => sh(`read line; echo "$line:${i}"`, { input: `in${i}\n` })),
      );
      results.forEach((result, i) => assert.equal(result.stdout, `in${i}:${i}\n`));
    });

    test('when the spawner dies mid-run the caller is answered, the script killed, and the next run starts a new spawner', async () => {
      const pidFile = join(dir, `stranded-${kind}.pid`);
      const running = sh(`echo $$ > "${pidFile}"; sleep 60`);
      await eventually(() => hasPid(pidFile), 'the script to start');
      const spawnerPid = runner.spawnerPid()!;
      process.kill(spawnerPid, 'SIGKILL');
      const result = await running;
      assert.equal(result.outcome, 'spawn_error');
      assert.match(result.error!, /script spawner exited unexpectedly \(SIGKILL\); the script was stopped/);
      await eventually(() => !alive(pidIn(pidFile)), 'the stranded script to be killed', 30_000);
      assert.equal((await sh('echo again')).stdout, 'again\n');
      assert.notEqual(runner.spawnerPid(), spawnerPid);
      assert.equal(runner.spawnerKind(), kind);
    });

    test('the spawner and its scripts die with the process that started it, even on SIGKILL', async () => {
      const pidFile = join(dir, `orphan-${kind}.pid`);
      const program = [
        `import { ScriptRunner } from ${JSON.stringify(join(root, 'main/core/process/script-runner.ts'))};`,
        'const runner = new ScriptRunner();',
        `void runner.run({ command: '/bin/sh', args: ['-c', 'echo $$ > ${pidFile}; sleep 60'], input: '', env: process.env, timeoutMs: 60_000, maxOutputBytes: 1024 });`,
        'console.log(runner.spawnerKind(), runner.spawnerPid());',
        'setInterval(() => {}, 1000);',
      ].join('\n');
      const parent = spawn(process.execPath, ['--input-type=module', '-e', program], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: process.env,
      });
      const [line] = (await parent.stdout.take(1).toArray()) as Buffer[];
      const [started, pid] = String(line).trim().split(' ');
      assert.equal(started, kind);
      const spawnerPid = Number(pid);
      await eventually(() => hasPid(pidFile), 'the script to start');
      const scriptPid = pidIn(pidFile);
      assert.ok(alive(spawnerPid) && alive(scriptPid));
      parent.kill('SIGKILL');
      await eventually(() => !alive(spawnerPid) && !alive(scriptPid), 'the spawner and its script to exit');
    });
  });
}

describe('choosing the spawner', () => {
  const dir = tempDir();
  /** Runs three scripts in a new process whose process.resourcesPath (the packaged app's) is `resources`. */
  async function runWithResources(resources: string, env: NodeJS.ProcessEnv = {}) {
    const program = [
      `process.resourcesPath = ${JSON.stringify(resources)};`,
      `const { ScriptRunner } = await import(${JSON.stringify(join(root, 'main/core/process/script-runner.ts'))});`,
      'const runner = new ScriptRunner();',
      "const results = await Promise.all([1, 2, 3].map((n) => runner.run({ command: '/bin/sh', args: ['-c', 'cat; echo ' + n], input: 'x', env: {}, timeoutMs: 5000, maxOutputBytes: 100 })));",
      'console.log(JSON.stringify({ kind: runner.spawnerKind(), results }));',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOOKBOX_SPAWNER: '', ...env },
    });
    const [stdout] = await Promise.all([
      child.stdout.toArray(),
      new Promise((resolve) => child.once('close', resolve)),
    ]);
    return JSON.parse(Buffer.concat(stdout as Buffer[]).toString()) as {
      kind: string;
      results: Array<{ outcome: string; stdout: string; error?: string }>;
    };
  }

  test('the packaged app finds the binary in its resources', { skip: goMissing }, async () => {
    const resources = join(dir, 'packaged');
    mkdirSync(join(resources, 'bin'), { recursive: true });
    copyFileSync(SPAWNER_BINARY, join(resources, 'bin/hookbox-spawner'));
    const { kind, results } = await runWithResources(resources);
    assert.equal(kind, 'go');
    assert.deepEqual(
      results.map((r) => r.stdout),
      ['x1\n', 'x2\n', 'x3\n'],
    );
  });

  test('a Go binary that cannot run (not executable, or for another machine) hands its runs to the Node spawner', {
    skip: goMissing,
  }, async () => {
    const notExecutable = join(dir, 'not-executable');
    mkdirSync(join(notExecutable, 'bin'), { recursive: true });
    copyFileSync(SPAWNER_BINARY, join(notExecutable, 'bin/hookbox-spawner'));
    chmodSync(join(notExecutable, 'bin/hookbox-spawner'), 0o644);
    const foreign = join(dir, 'foreign');
    mkdirSync(join(foreign, 'bin'), { recursive: true });
    // An ELF header for another machine (e_machine = 0xb7, arm64): execve says ENOEXEC.
    const elf = readFileSync(SPAWNER_BINARY).subarray(0, 4096);
    elf.writeUInt16LE(0xb7, 18);
    writeFileSync(join(foreign, 'bin/hookbox-spawner'), elf, { mode: 0o755 });
    for (const resources of [notExecutable, foreign]) {
      const { kind, results } = await runWithResources(resources);
      assert.equal(kind, 'node', resources);
      assert.deepEqual(
        results.map((r) => r.stdout),
        ['x1\n', 'x2\n', 'x3\n'],
        resources,
      );
    }
  });

  test('HOOKBOX_SPAWNER=<path> that cannot start fails every run with the reason, without falling back', async () => {
    const { kind, results } = await runWithResources(join(dir, 'none'), {
      HOOKBOX_SPAWNER: join(dir, 'no-such-spawner'),
    });
    assert.equal(kind, 'go');
    for (const result of results) {
      assert.equal(result.outcome, 'spawn_error');
      assert.match(result.error!, /script spawner could not start \(spawn .*no-such-spawner ENOENT\)/);
    }
  });

  test('without HOOKBOX_SPAWNER the built Go spawner is used', { skip: goMissing }, async () => {
    const { kind } = await runWithResources(join(dir, 'none'));
    assert.equal(kind, 'go');
  });
});

describe('the Go spawner on its own', { skip: goMissing || (process.platform !== 'linux' && 'Linux only') }, () => {
  const dir = tempDir();

  // The hub kills a stranded script's group once it has the 'started' report; a spawner killed
  // before it sent that report must not leave the script running (the kernel kills it: Pdeathsig).
  test('a script dies with the spawner even when nobody else knows it started', async () => {
    const spawner = spawn(SPAWNER_BINARY, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    const pidFile = join(dir, 'unreported.pid');
    spawner.send({
      type: 'run',
      id: 1,
      command: '/bin/sh',
      args: ['-c', `echo $$ > "${pidFile}"; sleep 60`],
      input: '',
      env: { PATH: process.env.PATH },
      timeoutMs: 60_000,
      maxOutputBytes: 1024,
      killGraceMs: 2_000,
    });
    await eventually(() => hasPid(pidFile), 'the script to start');
    const scriptPid = pidIn(pidFile);
    assert.ok(alive(scriptPid));
    spawner.kill('SIGKILL');
    await eventually(() => !alive(scriptPid), 'the script to be killed with its spawner');
  });
});
