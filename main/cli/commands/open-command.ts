import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import open from 'open';
import { ErrorCode, HookboxError } from '../../core/errors.ts';
import { controlTokenPath } from '../../core/security/control-token.ts';
import { ApiClient, type ApiClientFlags } from '../api-client.ts';
import { integerOption } from '../cli-options.ts';

// `hookbox open`: the running hub's window in the browser, signed in. Its address carries the
// control token (in the fragment), so it is shown only here, to the user who asks, and never in
// a log. The browser is not given that address on its command line either (other users can read
// a process's arguments): it opens a 0600 file in the data dir that redirects to it, as Jupyter
// does.

export const OPEN_WINDOW_FILE = 'open-window.html';

export interface OpenFlags extends ApiClientFlags {
  /** Print the address instead of opening a browser. */
  print?: boolean;
}

interface OpenIo {
  stdout: NodeJS.WritableStream;
  /** Opens a file in the default browser (the `open` package; tests pass their own). */
  openFile: (path: string) => Promise<unknown>;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

/** Whether a browser can show up: macOS and Windows always; elsewhere only inside a desktop session (or WSL, which opens Windows' browser). */
export function hasDesktop(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY || env.WSL_DISTRO_NAME);
}

function redirectPage(url: string): string {
  const escaped = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return `<!doctype html>\n<meta charset="utf-8">\n<title>Hookbox</title>\n<meta http-equiv="refresh" content="0;url=${escaped}">\n<p><a href="${escaped}">Open the Hookbox window</a></p>\n`;
}

export async function openCommand(
  flags: OpenFlags,
  io: OpenIo = { stdout: process.stdout, openFile: (path) => open(path), env: process.env, platform: process.platform },
): Promise<void> {
  const client = new ApiClient(flags);
  const { dataDir, token } = client;
  if (!(await client.isHookboxRunning())) {
    throw new HookboxError(
      ErrorCode.NotRunning,
      `Hookbox is not running (nothing answers on ${client.baseUrl}); start it with: hookbox serve (or the desktop app)`,
    );
  }
  if (!token)
    throw new HookboxError(
      ErrorCode.Unauthorized,
      `no control token in ${controlTokenPath(dataDir)}; give the --data-dir the running Hookbox uses`,
    );
  // A token from another data dir would open a window that every call refuses: say so now.
  const check = await fetch(`${client.baseUrl}/sessions`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5_000),
  });
  if (check.status === 401) {
    throw new HookboxError(
      ErrorCode.Unauthorized,
      `the token in ${controlTokenPath(dataDir)} is not the running Hookbox's; give the --data-dir it uses`,
    );
  }
  const url = `${client.baseUrl}/#token=${encodeURIComponent(token)}`;
  if (flags.print || !hasDesktop(io.env, io.platform)) {
    io.stdout.write(`${url}\n`);
    return;
  }
  const page = join(dataDir, OPEN_WINDOW_FILE);
  writeFileSync(page, redirectPage(url), { mode: 0o600 });
  chmodSync(page, 0o600);
  await io.openFile(page);
  io.stdout.write(
    `opening the Hookbox window (${client.baseUrl}/) in your browser; if none appears: hookbox open --print\n`,
  );
}

export function registerOpenCommand(program: Command): void {
  program
    .command('open')
    .description("open the running hub's window in your browser, signed in (--print: print its address instead)")
    .option('--print', 'print the address (it holds the control token) instead of opening a browser')
    .option('--port <n>', 'API port of the running hub (overrides AGENTD_PORT)', integerOption('--port', 1, 65535))
    .action((options: { print?: boolean; port?: number }) => openCommand({ ...program.opts(), ...options }));
}
