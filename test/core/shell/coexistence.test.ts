import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { installShellIntegration } from '../../../main/core/shell/shell-installer.ts';
import { shellIntegrationScript } from '../../../main/core/shell/shell-integration.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { REPO_ROOT, startServe } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { listEvents, waitForCount } from './event-polling.ts';
import { TmuxShell, prepareHome, shellArgv, shellEnv, type ShellName } from './tmux-shell.ts';

// The integration beside what users already have in their shells: PROMPT_COMMAND entries, history
// settings, bash-preexec, starship-style prompts, other zsh and fish hooks. The stand-ins for
// bash-preexec and starship in fixtures/ reproduce the mechanics that matter (see each file).

const FIXTURES = join(REPO_ROOT, 'test/core/shell/fixtures');

async function openShell(shell: ShellName, rc: string, hubUrl: string, how: 'installer' | 'rc-only' = 'installer') {
  const home = prepareHome(shell, rc);
  if (how === 'installer') installShellIntegration(shell, { home, env: { HOME: home }, baseUrl: hubUrl });
  const work = tempDir('hookbox-work-');
  const session = await TmuxShell.start({ argv: shellArgv(shell), env: shellEnv(home), cwd: work });
  await session.waitForScreen((screen) => /^(\[\d+\] )?\$$/m.test(screen), 'the first prompt');
  return { session, home, work };
}

/** Runs reported command lines one by one, waiting for each event. */
function runner(session: TmuxShell, url: string) {
  let count = 0;
  return async (line: string) => {
    await session.line(line);
    count += 1;
    await waitForCount(url, count, `the event for ${JSON.stringify(line)}`);
  };
}

/** Waits for an output line matching the pattern; returns the match and its groups. */
async function outputLine(session: TmuxShell, pattern: RegExp, what: string): Promise<string[]> {
  const screen = await session.waitForScreen((s) => s.split('\n').some((line) => pattern.test(line)), what);
  return [
    ...screen
      .split('\n')
      .find((line) => pattern.test(line))!
      .match(pattern)!,
  ].map((group) => group ?? '');
}

test('bash: a PROMPT_COMMAND of the user still sees the exit status; history keeps ignoreboth and HISTIGNORE, also when sourced again; $! is untouched', async () => {
  const hub = await startHub();
  const rc = "HISTCONTROL=ignoreboth\nHISTIGNORE='ls:ls *:&'\nPROMPT_COMMAND='__user_status=$?'\n";
  const { session } = await openShell('bash', rc, hub.url);
  const run = runner(session, hub.url);

  await run('false');
  await run('echo "user saw $__user_status"');
  await outputLine(session, /^user saw 1$/, 'the user PROMPT_COMMAND output');
  await session.line(' echo private-line'); // not reported, not in history
  await outputLine(session, /^private-line$/, 'the private line to run');
  await run('ls /'); // reported, but not in history (HISTIGNORE)
  await run('false'); // a repeat of "false", two commands back: in history again
  await run('false'); // a repeat of the line just before: reported, not in history (ignoredups)
  await run('source ~/.bashrc'); // HISTCONTROL and HISTIGNORE set again, the integration loaded again
  await session.line(' echo private-2');
  await outputLine(session, /^private-2$/, 'the second private line to run');
  await run('source ~/.local/share/hookbox/shell/hookbox.bash'); // loaded again alone
  await session.line(' echo private-3');
  await outputLine(session, /^private-3$/, 'the third private line to run');
  await run('sleep 30 &');
  await run('echo "bg=$! jobs=$(jobs -p)"');
  const [, bg, jobs] = await outputLine(session, /^bg=(\d+) jobs=(\d+)$/, 'the $! line');
  assert.equal(bg, jobs, 'after the prompt, $! is still the job the user started');
  await run('history');
  const screen = await session.waitForScreen((s) => /^\s+\d+\s+history$/m.test(s), 'the history listing');
  const listing = screen
    .slice(screen.lastIndexOf('$ history'))
    .split('\n')
    .slice(1)
    .filter((line) => /^\s+\d+\s/.test(line));
  assert.deepEqual(
    listing.map((line) => line.replace(/^\s+\d+\s+/, '')),
    [
      'false',
      'echo "user saw $__user_status"',
      'false',
      'source ~/.bashrc',
      'source ~/.local/share/hookbox/shell/hookbox.bash',
      'sleep 30 &',
      'echo "bg=$! jobs=$(jobs -p)"',
      'history',
    ],
  );
  assert.deepEqual(
    (await listEvents(hub.url)).map((e) => [e.command, e.exit_code]),
    [
      ['false', 1],
      ['echo "user saw $__user_status"', 0],
      ['ls /', 0],
      ['false', 1],
      ['false', 1],
      ['source ~/.bashrc', 0],
      ['source ~/.local/share/hookbox/shell/hookbox.bash', 0],
      ['sleep 30 &', 0],
      ['echo "bg=$! jobs=$(jobs -p)"', 0],
      ['history', 0],
    ],
  );
});

for (const order of ['before', 'after'] as const) {
  test(`bash: a bash-preexec-style framework loaded ${order} the integration keeps working, and so does it`, async () => {
    const hub = await startHub();
    const script = join(tempDir(), 'hookbox.bash');
    writeFileSync(script, shellIntegrationScript('bash', hub.url));
    const framework = `source ${FIXTURES}/preexec-framework.bash\nuser_preexec() { user_seen+="[$1]"; }\nuser_precmd() { user_status+="[$?]"; }\npreexec_functions+=(user_preexec)\nprecmd_functions+=(user_precmd)\n`;
    const rc = order === 'before' ? `${framework}source ${script}\n` : `source ${script}\n${framework}`;
    const { session } = await openShell('bash', rc, hub.url, 'rc-only');
    const run = runner(session, hub.url);

    await run('false');
    await run('(exit 4)');
    await run('true');
    await run('echo "seen=$user_seen status=$user_status"');
    const [, seen, status] = await outputLine(session, /^seen=(.*) status=(.*)$/, 'the framework state');
    assert.equal(
      seen,
      '[false][true][echo "seen=$user_seen status=$user_status"]',
      'preexec functions ran once per command (a (subshell) line has no DEBUG trap)',
    );
    assert.match(String(status), /\[1\]\[4\]\[0\]$/, 'precmd functions saw each exit status');
    assert.deepEqual(
      (await listEvents(hub.url)).map((e) => [e.command, e.exit_code]),
      [
        ['false', 1],
        ['(exit 4)', 4],
        ['true', 0],
        ['echo "seen=$user_seen status=$user_status"', 0],
      ],
    );
  });

  test(`bash: a starship-style prompt loaded ${order} the integration still shows each exit status, and the events are right`, async () => {
    const hub = await startHub();
    const starship = `source ${FIXTURES}/starship-style.bash\n`;
    let rc = starship; // "before": the installer's block comes after everything in .bashrc
    let how: 'installer' | 'rc-only' = 'installer';
    if (order === 'after') {
      const script = join(tempDir(), 'hookbox.bash');
      writeFileSync(script, shellIntegrationScript('bash', hub.url));
      rc = `source ${script}\n${starship}`;
      how = 'rc-only';
    }
    const { session } = await openShell('bash', rc, hub.url, how);
    const run = runner(session, hub.url);

    await run('false');
    await session.waitForScreen((s) => s.endsWith('[1] $'), 'the prompt to show status 1');
    await run('(exit 5)');
    await session.waitForScreen((s) => s.endsWith('[5] $'), 'the prompt to show status 5');
    await run('true');
    await session.waitForScreen((s) => s.endsWith('[0] $'), 'the prompt to show status 0');
    assert.deepEqual(
      (await listEvents(hub.url)).map((e) => [e.command, e.exit_code]),
      [
        ['false', 1],
        ['(exit 5)', 5],
        ['true', 0],
      ],
    );
  });
}

test('bash: eval "$(curl …/shell/bash)" from a running hookbox serve, as agentd documents it', async () => {
  const dataDir = tempDir();
  const serve = await startServe(['--port', '0', '--data-dir', dataDir], { XDG_CONFIG_HOME: tempDir() });
  const rc = `eval "$(curl -fsS ${serve.url}/shell/bash)"\n`;
  const { session } = await openShell('bash', rc, serve.url, 'rc-only');
  const run = runner(session, serve.url);
  await run('false');
  await run('echo "it works"');
  assert.deepEqual(
    (await listEvents(serve.url)).map((e) => [e.command, e.exit_code, e.metadata.shell]),
    [
      ['false', 1, 'bash'],
      ['echo "it works"', 0, 'bash'],
    ],
  );
  assert.equal(await serve.stop(), 0);
});

test('zsh: other precmd/preexec hooks that change $? neither see nor cause wrong statuses; $! is untouched', async () => {
  const hub = await startHub();
  const rc = [
    'autoload -Uz add-zsh-hook',
    'user_precmd() { user_status+="[$?]"; return 7 }',
    'user_preexec() { user_seen+="[$1]"; false }',
    'add-zsh-hook precmd user_precmd',
    'add-zsh-hook preexec user_preexec',
    '',
  ].join('\n');
  const { session } = await openShell('zsh', rc, hub.url);
  const run = runner(session, hub.url);
  await run('false');
  await run('(exit 6)');
  await run('echo "seen=$user_seen status=$user_status"');
  const [, seen, status] = await outputLine(session, /^seen=(.*) status=(.*)$/, 'the hook state');
  assert.equal(seen, '[false][(exit 6)][echo "seen=$user_seen status=$user_status"]');
  assert.match(String(status), /\[1\]\[6\]$/);
  await run('sleep 30 & mine=$!');
  await run('echo "same=$(( mine == $! ))"');
  await outputLine(session, /^same=1$/, '$! after the prompts');
  assert.deepEqual(
    (await listEvents(hub.url)).map((e) => [e.command, e.exit_code]),
    [
      ['false', 1],
      ['(exit 6)', 6],
      ['echo "seen=$user_seen status=$user_status"', 0],
      ['sleep 30 & mine=$!', 0],
      ['echo "same=$(( mine == $! ))"', 0],
    ],
  );
});

test('fish: another fish_postexec handler keeps its $status, and the events are right; $last_pid is untouched', async () => {
  const hub = await startHub();
  const rc = 'function user_postexec --on-event fish_postexec; set -ga user_status $status; false; end\n';
  const { session } = await openShell('fish', rc, hub.url);
  const run = runner(session, hub.url);
  await run('false');
  await run("fish --no-config -c 'exit 6'");
  await run('echo "status=$user_status"');
  const [, status] = await outputLine(session, /^status=(.*)$/, 'the handler state');
  assert.equal(status, '1 6');
  await run('sleep 30 &; set -g mine $last_pid');
  await run('test "$mine" = "$last_pid"; and echo same-pid');
  await run('echo after');
  await outputLine(session, /^same-pid$/, '$last_pid after the prompts');
  assert.deepEqual(
    (await listEvents(hub.url)).map((e) => [e.command, e.exit_code]),
    [
      ['false', 1],
      ["fish --no-config -c 'exit 6'", 6],
      ['echo "status=$user_status"', 0],
      ['sleep 30 &; set -g mine $last_pid', 0],
      ['test "$mine" = "$last_pid"; and echo same-pid', 0],
      ['echo after', 0],
    ],
  );
});

test('bash without $EPOCHREALTIME (as before bash 5) still measures milliseconds, through date', async () => {
  const hub = await startHub();
  const { session } = await openShell(
    'bash',
    'unset EPOCHREALTIME # loses its special meaning, as in bash 4\n',
    hub.url,
  );
  const run = runner(session, hub.url);
  await run('sleep 1.2');
  await run('false');
  const events = await listEvents(hub.url);
  assert.deepEqual(
    events.map((e) => [e.command, e.exit_code]),
    [
      ['sleep 1.2', 0],
      ['false', 1],
    ],
  );
  assert.ok(
    events[0]!.duration_ms >= 1200 && events[0]!.duration_ms < 60_000,
    `sleep 1.2 took ${events[0]!.duration_ms} ms (milliseconds, not seconds or microseconds)`,
  );
  await run('declare -f __hookbox_now | grep -c "date +%s%6N"');
  await outputLine(session, /^1$/, 'the clock to be date, not whole seconds');
});
