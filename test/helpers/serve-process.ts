import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after } from 'node:test';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
export const HOOKBOX_CLI = join(REPO_ROOT, 'main/cli/hookbox.ts');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  /** Sends the signal and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Runs the real `hookbox serve` in a child process and waits until it says where it listens.
 * `command`: what starts `hookbox` (default: this Node on the sources; the launcher tests pass
 * another Node and bin/hookbox).
 */
export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
  command: [string, ...string[]] = [process.execPath, HOOKBOX_CLI],
): Promise<ServeProcess> {
  const [program, ...programArgs] = command;
  const child = spawn(program, [...programArgs, 'serve', ...args], {
    env: { ...process.env, AGENTD_LOG_FORMAT: 'text', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hookbox serve did not start:\n${output}`)), timeoutMs);
    const check = () => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hookbox serve exited with ${code}:\n${output}`));
    });
  });

  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HOOKBOX_CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(input ?? '');
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
