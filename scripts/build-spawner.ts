// `npm run build:spawner`: builds the Go script spawner (native/spawner) into
// out/bin/hookbox-spawner, which script-runner.ts uses instead of the Node spawner when it is
// there (Go starts a script without copying the spawner's page tables as Node's fork() does).
//
//   node scripts/build-spawner.ts [--if-stale]
//
// --if-stale builds only when the binary is missing or older than its sources; postinstall and
// `npm run serve` use it. Without Go on the PATH (or on Windows) it builds nothing and exits 0:
// the Node spawner is the fallback. A build that fails exits non-zero.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { isFresh } from './build-freshness.mjs';

const REPO_ROOT = join(import.meta.dirname, '..');
export const SPAWNER_SOURCES = join(REPO_ROOT, 'native/spawner');
export const SPAWNER_BINARY = join(REPO_ROOT, 'out/bin/hookbox-spawner');

/** What the binary is built from; a change to any of them makes it stale. */
const INPUTS = [SPAWNER_SOURCES, join(REPO_ROOT, 'scripts/build-spawner.ts')];

export function isSpawnerFresh(binary = SPAWNER_BINARY): boolean {
  return isFresh(binary, INPUTS);
}

/** `go version`, or undefined when there is no Go toolchain on the PATH. */
export function goVersion(): string | undefined {
  const result = spawnSync('go', ['version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** `why` completes "<binary> not built: …". */
export type BuildSpawnerOutcome = { built: true; ms: number } | { built: false; why: string };

/** Another machine's OS and CPU (Go's names: GOOS linux/darwin, GOARCH amd64/arm64/386/arm). */
export interface GoTarget {
  goos: string;
  goarch: string;
  /** For GOARCH=arm. */
  goarm?: string;
}

/**
 * Builds the binary (when stale, with ifStale); throws when `go build` fails. With a target, for
 * that OS and CPU (Go cross-compiles the standard library by itself: nothing to install).
 */
export function buildSpawner(
  options: { ifStale?: boolean; binary?: string; target?: GoTarget } = {},
): BuildSpawnerOutcome {
  const binary = options.binary ?? SPAWNER_BINARY;
  if (process.platform === 'win32' && !options.target)
    return { built: false, why: 'Windows: scripts run through the Node spawner' };
  if (options.ifStale && isSpawnerFresh(binary)) return { built: false, why: 'up to date with its sources' };
  const version = goVersion();
  if (!version)
    return {
      built: false,
      why: 'no Go toolchain (go) on the PATH: scripts run through the Node spawner, which starts them more slowly',
    };
  const began = performance.now();
  // Stamped with the time the build started: a source saved during the build leaves it stale.
  const started = new Date();
  mkdirSync(dirname(binary), { recursive: true });
  // Built beside the binary and renamed over it: a test or a second build never sees half a file.
  const partial = `${binary}.${process.pid}.partial`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CGO_ENABLED: '0',
    GO111MODULE: 'on',
    GOWORK: 'off',
    // Standard library only: nothing to download.
    GOPROXY: 'off',
    ...(options.target
      ? {
          GOOS: options.target.goos,
          GOARCH: options.target.goarch,
          ...(options.target.goarm ? { GOARM: options.target.goarm } : {}),
        }
      : {}),
  };
  // go needs a build cache; without HOME (some CI and service environments) it has no default.
  if (!env.GOCACHE && !env.XDG_CACHE_HOME && !env.HOME) env.GOCACHE = join(tmpdir(), 'hookbox-go-build-cache');
  // -buildvcs=false: stamping VCS data runs git, which fails in a checkout owned by another user.
  const result = spawnSync('go', ['build', '-trimpath', '-buildvcs=false', '-ldflags=-s', '-o', partial, './'], {
    cwd: SPAWNER_SOURCES,
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    rmSync(partial, { force: true });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(
      `go build of ${relative(REPO_ROOT, SPAWNER_SOURCES)} failed (${version}): ${output || result.error?.message || `status ${result.status}`}`,
    );
  }
  utimesSync(partial, started, started);
  renameSync(partial, binary);
  return { built: true, ms: Math.round(performance.now() - began) };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { 'if-stale': { type: 'boolean' } } });
  const name = relative(process.cwd(), SPAWNER_BINARY) || SPAWNER_BINARY;
  try {
    const outcome = buildSpawner({ ifStale: values['if-stale'] });
    console.log(outcome.built ? `built ${name} in ${outcome.ms} ms` : `${name} not built: ${outcome.why}`);
  } catch (error) {
    console.error(`hookbox-spawner: ${(error as Error).message}`);
    process.exit(1);
  }
}
