// `npm run build:cli`: bundles the `hookbox` command (main/cli/hookbox.ts and everything it
// imports) into one ESM file, out/cli/hookbox.mjs, which bin/hookbox runs when it is fresh.
// One file parsed once starts about twice as fast and idles in less memory than Node stripping
// types from ~100 source files and loading node_modules file by file (docs/benchmarks.md).
//
//   node scripts/build-cli.ts [--outfile FILE] [--minify]
//
// better-sqlite3 stays external: it is a native addon and is loaded from node_modules at run
// time, so the bundle must sit inside the package (out/cli/ next to node_modules/).
import { mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'rolldown';

export const REPO_ROOT = join(import.meta.dirname, '..');
export const DEFAULT_OUTFILE = join(REPO_ROOT, 'out/cli/hookbox.mjs');

export interface BuildCliOptions {
  outfile?: string;
  minify?: boolean;
}

export async function buildCli(options: BuildCliOptions = {}): Promise<string> {
  const outfile = options.outfile ?? DEFAULT_OUTFILE;
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  // bin/hookbox uses the bundle only when it is newer than every source file. Stamping it with
  // the time the build started (not finished) means a source saved mid-build marks it stale.
  const started = new Date();
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    input: join(REPO_ROOT, 'main/cli/hookbox.ts'),
    platform: 'node',
    cwd: REPO_ROOT,
    external: [/^better-sqlite3(\/|$)/],
    // main/core/version.ts reads ../../package.json relative to itself otherwise.
    transform: { define: { __HOOKBOX_VERSION__: JSON.stringify(pkg.version) } },
    logLevel: 'warn',
    output: { file: outfile, format: 'esm', codeSplitting: false, minify: options.minify ?? false },
  });
  utimesSync(outfile, started, started);
  return outfile;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { outfile: { type: 'string' }, minify: { type: 'boolean' } } });
  const began = performance.now();
  const outfile = await buildCli({ outfile: values.outfile, minify: values.minify });
  console.log(`built ${relative(process.cwd(), outfile) || outfile} in ${Math.round(performance.now() - began)} ms`);
}
