import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { installShellIntegration } from '../../../main/core/shell/shell-installer.ts';
import { prepareHome, shellArgv, shellEnv, type ShellName } from './tmux-shell.ts';

// [shell] terminal_notifications: the integration writes the terminal's own notification (OSC 777,
// kitty's OSC 99, OSC 9) for a failure or a long run, and only to a terminal: real shells on a real
// pty (util-linux `script`), read byte for byte; the same shells with TERM=dumb or on a pipe write
// no escape sequence at all.

const MARK = 'HBPROMPT';
const ESC = '\x1b';
const ST = `${ESC}\\`;

async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** A home whose prompt is MARK, with the integration installed (terminal notifications on, long after 200 ms). */
async function homeFor(shell: ShellName): Promise<string> {
  const prompt: Record<ShellName, string> = {
    bash: `PS1='${MARK}$ '\n`,
    zsh: `PROMPT='${MARK}$ '\n`,
    fish: `function fish_prompt; printf '${MARK}\\$ '; end\nfunction fish_title; end\n`,
  };
  const home = prepareHome(shell, prompt[shell]);
  mkdirSync(join(home, 'bin'));
  writeFileSync(join(home, 'bin/vim'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  installShellIntegration(shell, {
    home,
    env: { HOME: home },
    baseUrl: await deadUrl(),
    options: { terminalNotifications: true, longRunningMs: 200, ignore: ['vim'] },
  });
  return home;
}

/**
 * Types each line after the prompt before it is back, then `exit`; resolves with everything the
 * shell wrote. On a pty through `script`, or on plain pipes.
 */
async function session(shell: ShellName, env: Record<string, string>, lines: string[], pty: boolean): Promise<string> {
  const argv = shellArgv(shell);
  const child = pty
    ? spawn('script', ['-qfec', argv.join(' '), '/dev/null'], { env, cwd: env.HOME, stdio: ['pipe', 'pipe', 'pipe'] })
    : // Through cat: fish refuses a socket (Node's pipes) as its input, a real pipe will do.
      spawn('sh', ['-c', 'cat | exec "$@"', 'sh', ...argv], { env, cwd: env.HOME, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const prompts = () => output.split(MARK).length - 1;
  const waitPrompts = async (n: number) => {
    const deadline = Date.now() + 30_000;
    while (prompts() < n) {
      if (Date.now() > deadline) throw new Error(`no prompt ${n}; output: ${JSON.stringify(output)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const enter = pty ? '\r' : '\n';
  if (!pty) {
    // Off a terminal fish draws no prompt: the lines go in at once, one after another.
    child.stdin.end(`${[...lines, 'exit 0'].join(enter)}${enter}`);
    await exited;
    return output;
  }
  await waitPrompts(1);
  for (const [i, line] of lines.entries()) {
    child.stdin.write(`${line}${enter}`);
    await waitPrompts(i + 2);
  }
  child.stdin.end(`exit 0${enter}`);
  await exited;
  return output;
}

// ./bin/vim fails (exit 1) but is on the ignore list; `sh -c 'kill -TERM $$'` ends by SIGTERM (143).
const LINES = ['false', 'sleep 0.3', 'true', './bin/vim notes', `sh -c 'kill -TERM $$'`, 'sleep 0.01'];
const BEL = '\x07';
/** Every OSC 777 / 99 / 9 sequence in the output (ESC ] … ST or BEL). */
const osc = (text: string) =>
  text
    .split(`${ESC}]`)
    .slice(1)
    .filter((part) => /^(777|99|9);/.test(part))
    .map((part) => {
      const end = [part.indexOf(ST), part.indexOf(BEL)].filter((i) => i >= 0);
      const stop = Math.min(...end);
      return `${ESC}]${part.slice(0, stop)}${part.startsWith(ST, stop) ? ST : BEL}`;
    });

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`${shell}: a failure and a long run write OSC 777 on a terminal; nothing else does`, async () => {
    const home = await homeFor(shell);
    const output = await session(shell, shellEnv(home), LINES, true);
    assert.deepEqual(osc(output), [
      `${ESC}]777;notify;Command failed (exit 1);false${ST}`,
      `${ESC}]777;notify;Command finished;sleep 0.3${ST}`,
    ]);
  });

  test(`${shell}: kitty gets OSC 99, HOOKBOX_TERMINAL_OSC=9 gets OSC 9`, async () => {
    const home = await homeFor(shell);
    const kitty = await session(shell, shellEnv(home, { TERM: 'xterm-kitty' }), ['false'], true);
    assert.deepEqual(osc(kitty), [
      `${ESC}]99;i=hookbox:d=0;Command failed (exit 1)${ST}`,
      `${ESC}]99;i=hookbox:p=body;false${ST}`,
    ]);
    const nine = await session(shell, shellEnv(home, { HOOKBOX_TERMINAL_OSC: '9' }), ['false'], true);
    assert.deepEqual(osc(nine), [`${ESC}]9;Command failed (exit 1): false${ST}`]);
  });

  test(`${shell}: no escape sequence with TERM=dumb, on a pipe, or with HOOKBOX_TERMINAL_NOTIFICATIONS=0`, async () => {
    const home = await homeFor(shell);
    const dumb = await session(shell, shellEnv(home, { TERM: 'dumb' }), ['false', 'sleep 0.3'], true);
    assert.deepEqual(osc(dumb), []);
    assert.ok(dumb.includes(MARK), dumb);
    const off = await session(shell, shellEnv(home, { HOOKBOX_TERMINAL_NOTIFICATIONS: '0' }), ['false'], true);
    assert.deepEqual(osc(off), []);
    const piped = await session(shell, shellEnv(home), ['false', 'sleep 0.3', 'echo piped-done'], false);
    assert.ok(piped.includes('piped-done'), piped);
    assert.equal(piped.includes(ESC), false, JSON.stringify(piped));
  });
}
