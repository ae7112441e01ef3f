// electron-builder's hooks (electron-builder.yml). beforePack builds the Go script spawner for the
// OS and CPU of the package being made, into out/bin/<os>-<arch>/, which extraResources copies into
// the app's resources/bin/: an arm64 package gets an arm64 binary even when an x64 machine makes
// it. Plain JavaScript because electron-builder imports it; the build itself is shared with
// `npm run build:spawner` (scripts/build-spawner.ts).
import { join } from 'node:path';
import { buildSpawner } from './build-spawner.ts';

const REPO_ROOT = join(import.meta.dirname, '..');
// electron-builder's Arch enum, by value.
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];
// electron-builder's platform names → Go's, and the ${os} its file patterns expand to.
const GOOS = { linux: 'linux', darwin: 'darwin' };
const OS_MACRO = { linux: 'linux', darwin: 'mac' };
const GOARCH = { ia32: '386', x64: 'amd64', armv7l: 'arm', arm64: 'arm64' };

/**
 * Builds out/bin/<os>-<arch>/hookbox-spawner (under `outRoot`; os as electron-builder's ${os}: linux, mac) for electron-builder's platform name
 * (linux, darwin, win32) and arch name. Returns what it did, in words; never throws for a target
 * it cannot serve (Windows, a universal macOS build): the Node spawner runs scripts there.
 */
export function buildSpawnerForPackage(platformName, archName, outRoot = join(REPO_ROOT, 'out/bin')) {
  const goos = GOOS[platformName];
  const goarch = GOARCH[archName];
  if (!goos || !goarch)
    return {
      built: false,
      why: `no Go spawner for ${platformName} ${archName}: scripts run through the Node spawner there`,
    };
  const binary = join(outRoot, `${OS_MACRO[platformName]}-${archName}`, 'hookbox-spawner');
  const outcome = buildSpawner({
    ifStale: true,
    binary,
    target: { goos, goarch, ...(goarch === 'arm' ? { goarm: '7' } : {}) },
  });
  return { ...outcome, binary };
}

export async function beforePack(context) {
  const archName = ARCH_NAMES[context.arch] ?? String(context.arch);
  const outcome = buildSpawnerForPackage(context.electronPlatformName, archName);
  console.log(
    outcome.built
      ? `  • hookbox-spawner built for ${context.electronPlatformName} ${archName} in ${outcome.ms} ms`
      : `  • hookbox-spawner for ${context.electronPlatformName} ${archName}: ${outcome.why}`,
  );
}
