import { readFileSync } from 'node:fs';

// Read once from package.json so /health, the CLI and the app report the same version. The
// bundled Electron build defines HOOKBOX_VERSION at build time instead.
declare const __HOOKBOX_VERSION__: string | undefined;

function readVersion(): string {
  if (typeof __HOOKBOX_VERSION__ === 'string') return __HOOKBOX_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export const HOOKBOX_VERSION = readVersion();
export const SERVICE_NAME = 'hookbox';
