import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installShellIntegration } from '../../../main/core/shell/shell-installer.ts';
import { ACCEPTING_FILE, shellSpoolDir } from '../../../main/core/shell/shell-spool.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { listEvents, waitForCount } from './event-polling.ts';
import { TmuxShell, prepareHome, shellArgv, shellEnv, waitForPrompt, type ShellName } from './tmux-shell.ts';

// The integration in real interactive bash, zsh and fish, installed by the real installer into a
// fresh home, reporting to a real hub: every event is read back from the hub and compared exactly.

interface Expected {
  command: string;
  exit_code: number;
  cwd: string;
  minMs?: number;
  maxMs?: number;
}

// The private-line settings each shell needs (the Debian default for bash is ignoreboth).
const RC: Record<ShellName, string> = {
  bash: 'HISTCONTROL=ignoreboth\n',
  zsh: 'setopt HIST_IGNORE_SPACE\nHISTFILE=~/.zsh_history\nSAVEHIST=100\nHISTSIZE=100\n',
  fish: '',
};

// "exit 3 in a subshell": fish has no (…) subshell, a child fish is the equivalent.
const SUBSHELL_EXIT_3: Record<ShellName, string> = {
  bash: '(exit 3)',
  zsh: '(exit 3)',
  fish: "fish --no-config -c 'exit 3'",
};

const QUOTED = `echo "it's \\"quoted\\" \\\\ back\\slash\n🎉 naïve – done"`;
// Bracketed paste delivers a tab and a control character as they are (fish edits pastes, so not there).
const PASTED = "echo 'tab\there ctl\x01x \x1b[1m'";

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`${shell}: every command line is reported exactly; empty lines, Ctrl-C and private lines are not`, async () => {
    const home = prepareHome(shell, RC[shell]);
    // The hub runs as the same user with the same home, so fish finds its spool (shell-spool.ts).
    const hub = await startHub({ env: { HOME: home, XDG_DATA_HOME: join(home, '.local/share') } });
    installShellIntegration(shell, { home, env: { HOME: home }, baseUrl: hub.url });
    const work = tempDir('hookbox-work-');
    mkdirSync(join(work, 'sub'));
    const session = await TmuxShell.start({ argv: shellArgv(shell), env: shellEnv(home), cwd: work });
    await waitForPrompt(session);

    const expected: Expected[] = [];
    const reported = async (line: string, exit_code: number, more: Partial<Expected> = {}) => {
      await session.line(line);
      expected.push({ command: line, exit_code, cwd: work, ...more });
      await waitForCount(hub.url, expected.length, `the event for ${JSON.stringify(line)}`);
    };

    await reported('true', 0);
    await reported('false', 1);
    await reported('false', 1); // a repeat: bash's ignoredups keeps it out of history, not out of Hookbox
    await reported(SUBSHELL_EXIT_3[shell], 3);
    await reported('sleep 1.2', 0, { minMs: 1200, maxMs: 1200 + 4000 });
    await reported(QUOTED, 0);
    if (shell !== 'fish') {
      await session.paste(PASTED);
      await session.keys('Enter');
      expected.push({ command: PASTED, exit_code: 0, cwd: work });
      await waitForCount(hub.url, expected.length, 'the pasted command');
    }

    // Not reported: an empty line, Ctrl-C at an empty prompt, an abandoned line, a private line.
    const prompts = (screen: string) => screen.split('\n').filter((line) => line.startsWith('$')).length;
    const pressForNewPrompt = async (key: string, what: string) => {
      const before = prompts(await session.screen());
      await session.keys(key);
      await session.waitForScreen((screen) => prompts(screen) > before, `a new prompt after ${what}`);
    };
    await pressForNewPrompt('Enter', 'an empty line');
    if (shell === 'fish') {
      // fish shows nothing for Ctrl-C on an empty line: give it a moment (pacing, not an assertion).
      await session.keys('C-c');
      await new Promise((resolve) => setTimeout(resolve, 300));
    } else {
      await pressForNewPrompt('C-c', 'Ctrl-C at an empty prompt');
    }
    await session.type('abandoned line');
    await session.waitForScreen((screen) => screen.endsWith('abandoned line'), 'the abandoned line on screen');
    await pressForNewPrompt('C-c', 'Ctrl-C on a typed line');
    await session.line(' echo private-line');
    await session.waitForScreen((screen) => screen.includes('\nprivate-line'), 'the private line to run');

    await reported('cd sub', 0);
    await reported('pwd', 0, { cwd: join(work, 'sub') });
    await reported('echo finished', 0, { cwd: join(work, 'sub') });

    const events = await listEvents(hub.url);
    assert.deepEqual(
      events.map((e) => [e.command, e.exit_code]),
      expected.map((e) => [e.command, e.exit_code]),
    );
    const pid = await session.pid();
    for (const [i, event] of events.entries()) {
      const want = expected[i]!;
      assert.equal(event.kind, 'shell');
      assert.equal(event.metadata.shell, shell);
      assert.equal(event.metadata.cwd, want.cwd, `cwd of ${event.command}`);
      assert.equal(event.metadata.hostname, hostname());
      assert.equal(event.metadata.pid, pid);
      assert.match(String(event.metadata.tty), /^\/dev\/pts\/\d+$/);
      assert.equal(event.output, '');
      const [min, max] = [want.minMs ?? 0, want.maxMs ?? 1000];
      assert.ok(
        event.duration_ms >= min && event.duration_ms <= max,
        `${event.command}: ${event.duration_ms} ms, expected ${min}..${max}`,
      );
    }

    // Reported through the spool (the shell's own file there), not over HTTP: byte for byte what was recorded.
    const spoolFile = join(shellSpoolDir(hub.address.port, {}, home), `events.${pid}.jsonl`);
    const spooled = readFileSync(spoolFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      spooled.map((e) => [e.command, e.exit_code, e.duration_ms]),
      events.map((e) => [e.command, e.exit_code, e.duration_ms]),
    );

    // Nothing the integration does shows on the terminal: no job numbers, no "Done", no curl.
    const screen = await session.screen();
    assert.doesNotMatch(screen, /\[\d+\]\s+\d|\bDone\b|curl:|has ended|not found/, screen);
    assert.ok(screen.includes('it\'s "quoted" \\ back\\slash\n🎉 naïve – done'), screen);
  });
}

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`${shell}: a spool whose hub died (stale, its pid gone) is not appended to; one frozen but alive still is`, async () => {
    const home = prepareHome(shell, '');
    const hub = await startHub();
    installShellIntegration(shell, { home, env: { HOME: home }, baseUrl: hub.url });
    // The spool of the hub's port, in the shell's home, written by the test alone (the hub keeps
    // its own elsewhere, so no heartbeat of it changes what the test sets up): what a running, a
    // frozen and a dead hub leave there.
    const spool = shellSpoolDir(hub.address.port, {}, home);
    mkdirSync(spool, { recursive: true });
    const accepting = join(spool, ACCEPTING_FILE);
    const setAccepting = (pid: number, at: Date) => {
      writeFileSync(accepting, `${pid} ${Math.floor(at.getTime() / 1000)}\n`);
      utimesSync(accepting, at, at);
    };
    setAccepting(process.pid, new Date());
    const session = await TmuxShell.start({
      argv: shellArgv(shell),
      env: shellEnv(home),
      cwd: tempDir('hookbox-work-'),
    });
    await waitForPrompt(session);
    const spoolFile = join(spool, `events.${await session.pid()}.jsonl`);
    const spooled = () =>
      existsSync(spoolFile)
        ? readFileSync(spoolFile, 'utf8')
            .trimEnd()
            .split('\n')
            .map((l) => JSON.parse(l).command)
        : [];
    const prompts = (screen: string) => screen.split('\n').filter((line) => line.startsWith('$')).length;
    const run = async (line: string) => {
      const before = prompts(await session.screen());
      await session.line(line);
      await session.waitForScreen((s) => prompts(s) > before && s.endsWith('\n$'), `the prompt after ${line}`);
    };

    await run('echo live');
    assert.deepEqual(spooled(), ['echo live']);
    // Not said for two minutes, but its process runs (frozen, in a debugger): still the spool.
    const longAgo = new Date(Date.now() - 120_000);
    setAccepting(process.pid, longAgo);
    await run('echo frozen');
    assert.deepEqual(spooled(), ['echo live', 'echo frozen']);
    // Stale and naming a process that is gone: a hub that died. Over HTTP to the port instead.
    setAccepting(4_000_001, longAgo); // above Linux's pid_max: no such process
    await session.line('echo after the crash');
    await waitForCount(hub.url, 1, 'the event over HTTP');
    assert.deepEqual(
      (await listEvents(hub.url)).map((e) => e.command),
      ['echo after the crash'],
    );
    assert.deepEqual(spooled(), ['echo live', 'echo frozen'], 'nothing was appended to the dead spool');
  });
}
