// `npm start`: builds the desktop app and runs it in Electron. The electron package (45 and
// later) has no install script: its binary is downloaded on first use, which this script does on
// the first start. Where it cannot be had (ELECTRON_SKIP_BINARY_DOWNLOAD, no network, servers, CI)
// it says so in one line and points to the headless hub instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');

/**
 * The Electron executable, or undefined when it was never downloaded. This reads what
 * `require('electron')` would, without requiring it: that would try to download the binary.
 */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const packageDir = electronPackageDir();
  if (!packageDir) return undefined;
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(binary) ? binary : undefined;
  }
  if (!relative) return undefined;
  const binary = join(packageDir, 'dist', relative);
  return existsSync(binary) ? binary : undefined;
}

function electronPackageDir(): string | undefined {
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/**
 * The first start downloads the binary with the electron package's own installer (its checksums,
 * cache and mirror settings), unless the user said not to or points at a binary of their own.
 */
function downloadElectron(env: NodeJS.ProcessEnv): boolean {
  const packageDir = electronPackageDir();
  if (!packageDir || env.ELECTRON_SKIP_BINARY_DOWNLOAD || env.ELECTRON_OVERRIDE_DIST_PATH) return false;
  process.stderr.write("hookbox: downloading Electron's binary (first start only)\n");
  const install = spawnSync(process.execPath, [join(packageDir, 'install.js')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'pipe'],
    env,
  });
  if (install.status === 0) return true;
  const reason = install.stderr
    .toString()
    .split('\n')
    .find((line) => /error/i.test(line))
    ?.trim();
  process.stderr.write(`hookbox: the download failed${reason ? `: ${reason}` : ''}\n`);
  return false;
}

function main(): void {
  const electron = findElectronBinary() ?? (downloadElectron(process.env) ? findElectronBinary() : undefined);
  if (!electron) {
    process.stderr.write(
      'hookbox: the Electron binary is not installed on this machine; run the headless hub instead: npm run serve\n',
    );
    process.exitCode = 1;
    return;
  }

  const build = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('hookbox: the desktop build failed (see above)\n');
    process.exitCode = build.status ?? 1;
    return;
  }

  // Electron runs the app folder, whose package.json "main" is out/main/index.js; the app path
  // stays the repository root, where resources/ is.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const app = spawn(electron, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (app.exitCode === null) app.kill(signal);
    });
  }
  app.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

if (import.meta.main) main();
