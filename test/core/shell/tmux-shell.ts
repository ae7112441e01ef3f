import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../../helpers/temp-dir.ts';

// A real interactive shell on a real terminal: tmux gives it a pty, we type into it and read the
// screen back. Each session runs on its own tmux server (its own socket), so tests never meet
// each other or a tmux the developer has open.

const run = promisify(execFile);

export interface ShellSessionOptions {
  /** The command the pane runs, e.g. ['bash', '-i']. */
  argv: string[];
  /** The whole environment of the shell (nothing leaks in from the test process). */
  env: Record<string, string>;
  cwd: string;
}

export class TmuxShell {
  readonly socket: string;
  private readonly dir: string;
  private readonly target = 'hb:0.0';

  private constructor(dir: string) {
    this.dir = dir;
    this.socket = join(dir, 'tmux.sock');
  }

  static async start(options: ShellSessionOptions): Promise<TmuxShell> {
    // Not tempDir(): the socket must outlive nothing but this session, and go after kill-server.
    const shell = new TmuxShell(mkdtempSync(join(tmpdir(), 'hookbox-tmux-')));
    const socket = shell.socket;
    const envArgs = Object.entries(options.env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    // The server's own environment is the base of every pane's: give it exactly the shell's.
    await run(
      'tmux',
      [
        '-S',
        socket,
        '-f',
        '/dev/null',
        '-u',
        'new-session',
        '-d',
        '-s',
        'hb',
        '-x',
        '220',
        '-y',
        '50',
        '-c',
        options.cwd,
        ...envArgs,
        '--',
        ...options.argv,
      ],
      {
        env: options.env,
      },
    );
    after(() => shell.stop());
    await shell.tmux('set-option', '-g', 'history-limit', '5000');
    return shell;
  }

  private async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-S', this.socket, ...args]);
    return stdout;
  }

  /** Types text literally (no key names). */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', this.target, '-l', text);
  }

  /** Presses keys by tmux name: Enter, C-c, ... */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', this.target, ...keys);
  }

  /** Types a line (which may contain newlines: each becomes Enter) and presses Enter. */
  async line(text: string): Promise<void> {
    const parts = text.split('\n');
    for (const [i, part] of parts.entries()) {
      if (part) await this.type(part);
      await this.keys('Enter');
      if (i < parts.length - 1) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Pastes text the way a terminal does (bracketed paste): tabs and control characters arrive as they are. */
  async paste(text: string): Promise<void> {
    const file = join(tempDir('hookbox-paste-'), 'paste.txt');
    writeFileSync(file, text);
    await this.tmux('load-buffer', '-b', 'hbpaste', file);
    await this.tmux('paste-buffer', '-p', '-d', '-b', 'hbpaste', '-t', this.target);
  }

  /** The pane's text, scrollback included, lines right-trimmed, trailing empty lines dropped. */
  async screen(): Promise<string> {
    const text = await this.tmux('capture-pane', '-p', '-J', '-S', '-5000', '-t', this.target);
    return text
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n+$/, '');
  }

  /** The pid of the process the pane runs (the shell). */
  async pid(): Promise<number> {
    return Number((await this.tmux('display-message', '-p', '-t', this.target, '#{pane_pid}')).trim());
  }

  async waitForScreen(predicate: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (predicate(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${screen}`);
  }

  async stop(): Promise<void> {
    await run('tmux', ['-S', this.socket, 'kill-server']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export type ShellName = 'bash' | 'zsh' | 'fish';

/**
 * A fresh home for one shell: a plain "$ " prompt, history in the home, no fish greeting,
 * autosuggestions or man-page scan. `extraRc` goes before anything the installer adds.
 */
export function prepareHome(shell: ShellName, extraRc = ''): string {
  const home = tempDir('hookbox-home-');
  if (shell === 'bash') writeFileSync(join(home, '.bashrc'), `PS1='$ '\nPS2='> '\nunset PROMPT_COMMAND\n${extraRc}`);
  if (shell === 'zsh') writeFileSync(join(home, '.zshrc'), `PROMPT='$ '\nPROMPT2='> '\nunsetopt PROMPT_SP\n${extraRc}`);
  if (shell === 'fish') {
    mkdirSync(join(home, '.config/fish'), { recursive: true });
    mkdirSync(join(home, '.local/share/fish/generated_completions'), { recursive: true });
    writeFileSync(
      join(home, '.config/fish/config.fish'),
      `set -g fish_greeting ''\nset -g fish_autosuggestion_enabled 0\nfunction fish_prompt; printf '$ '; end\nfunction fish_right_prompt; end\n${extraRc}`,
    );
  }
  return home;
}

/** The environment of a test shell: its own HOME, UTF-8, a PATH with git/curl; nothing else. */
export function shellEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: home,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TERM: 'xterm-256color',
    USER: process.env.USER ?? 'root',
    ...extra,
  };
}

export function shellArgv(shell: ShellName): string[] {
  return shell === 'bash' ? ['bash', '--noprofile', '-i'] : [shell, '-i'];
}

/** Waits for the first "$ " prompt of a fresh session. */
export async function waitForPrompt(session: TmuxShell): Promise<void> {
  await session.waitForScreen((screen) => screen.split('\n').some((line) => line === '$'), 'the first prompt');
}
