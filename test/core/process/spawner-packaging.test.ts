import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { goVersion } from '../../../scripts/build-spawner.ts';
import { beforePack, buildSpawnerForPackage } from '../../../scripts/electron-builder-hooks.mjs';
import { REPO_ROOT } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { skipWithout } from '../../helpers/toolchain.ts';

// `npm run dist` packages the Go script spawner through electron-builder's beforePack hook, built
// for the package's OS and CPU rather than the packaging machine's. Checked here by reading the
// header of what `go build` made: the CPU an ELF or Mach-O file is for.

const noGo = skipWithout(goVersion() !== undefined, 'go (the Go toolchain)');

function elfMachine(file: string): number {
  const header = readFileSync(file).subarray(0, 20);
  assert.equal(header.subarray(0, 4).toString('latin1'), '\x7fELF', `${file} is an ELF file`);
  return header.readUInt16LE(18);
}

function machOCpu(file: string): number {
  const header = readFileSync(file).subarray(0, 8);
  assert.equal(header.readUInt32LE(0), 0xfeedfacf, `${file} is a 64-bit Mach-O file`);
  return header.readUInt32LE(4);
}

test("beforePack builds the spawner for the package's OS and CPU, not this machine's", { skip: noGo }, () => {
  const out = tempDir('hookbox-package-bin-');
  const linuxArm = buildSpawnerForPackage('linux', 'arm64', out);
  assert.equal(linuxArm.built, true, linuxArm.why);
  assert.equal(linuxArm.binary, join(out, 'linux-arm64', 'hookbox-spawner'));
  assert.equal(elfMachine(linuxArm.binary!), 183, 'EM_AARCH64');
  const linuxX64 = buildSpawnerForPackage('linux', 'x64', out);
  assert.equal(elfMachine(linuxX64.binary!), 62, 'EM_X86_64');
  const macArm = buildSpawnerForPackage('darwin', 'arm64', out);
  assert.equal(
    macArm.binary,
    join(out, 'mac-arm64', 'hookbox-spawner'),
    "the folder electron-builder's ${os}-${arch} names",
  );
  assert.equal(machOCpu(macArm.binary!), 0x0100000c, 'CPU_TYPE_ARM64');
  assert.equal(elfMachine(linuxArm.binary!), 183, 'the Linux one is still the Linux one');
  // Up to date: not built again.
  assert.equal(buildSpawnerForPackage('linux', 'arm64', out).built, false);
});

test('targets without a Go spawner say so and build nothing (the Node spawner runs scripts there)', async () => {
  const out = tempDir('hookbox-package-bin-');
  assert.match(
    buildSpawnerForPackage('win32', 'x64', out).why ?? '',
    /no Go spawner for win32 x64: scripts run through the Node spawner/,
  );
  assert.match(buildSpawnerForPackage('darwin', 'universal', out).why ?? '', /no Go spawner for darwin universal/);
  const logged: string[] = [];
  const log = console.log;
  console.log = (line: string) => void logged.push(line);
  try {
    await beforePack({ electronPlatformName: 'win32', arch: 1 });
  } finally {
    console.log = log;
  }
  assert.deepEqual(logged, [
    '  • hookbox-spawner for win32 x64: no Go spawner for win32 x64: scripts run through the Node spawner there',
  ]);
});

test("electron-builder.yml takes each package's spawner from where beforePack puts it", () => {
  const config = readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
  assert.match(config, /^beforePack: \.\/scripts\/electron-builder-hooks\.mjs$/m);
  assert.equal(config.match(/- from: out\/bin\/\$\{os\}-\$\{arch\}\n\s+to: bin/g)?.length, 2, 'linux and mac');
});
