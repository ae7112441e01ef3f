// `npm run build:cli`: bundles the `hookbox` command (main/cli/hookbox.ts and everything it
// imports) into one ESM file, out/cli/hookbox.mjs, which bin/hookbox runs while it is fresh.
// One file parsed once starts about twice as fast and idles in less memory than Node stripping
// types from the sources and loading node_modules file by file (docs/benchmarks.md).
//
//   node scripts/build-cli.ts [--outfile FILE] [--minify] [--if-stale]
//
// --if-stale builds only when the bundle is missing or older than one of its inputs (the rule
// bin/hookbox applies before using it); `npm run serve` uses it.
//
// better-sqlite3 stays external: a native addon is loaded from node_modules at run time, so the
// bundle must sit inside the package (out/cli/, below the node_modules/ it resolves from).
import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { Plugin } from 'rolldown';
import { CLI_BUNDLE_INPUTS, isFresh } from './build-freshness.mjs';

export const REPO_ROOT = join(import.meta.dirname, '..');
export const DEFAULT_OUTFILE = join(REPO_ROOT, 'out/cli/hookbox.mjs');
/** The small bundle for `agent-hook` / `claude-hook` (main/cli/agent-hook-main.ts), written beside the full one. */
export const AGENT_HOOK_FILE = 'agent-hook.cjs';
/** Its other chunks (what it imports dynamically: the hook, the hub-down path) are named agent-hook-NAME.mjs. */
const AGENT_HOOK_CHUNKS = /^agent-hook(-.*)?\.[cm]js$/;

/** What the bundle is built from; a change to any of them makes it stale (bin/hookbox reads the same list). */
const INPUTS = CLI_BUNDLE_INPUTS.map((p) => join(REPO_ROOT, p));

export interface BuildCliOptions {
  outfile?: string;
  /** Not the default: see "Start-up options" in docs/benchmarks.md. */
  minify?: boolean;
}

/**
 * When an ES module imports a Node built-in, Node copies every export into the module namespace,
 * running the lazy getters of these four: node:http's load undici (Node's fetch, 0.7 MB of
 * source), node:process's and node:fs's a few dozen internal modules more. Taken with require()
 * they stay lazy, which the bundle's CommonJS dependencies already do: `serve` then starts
 * 10-20 ms sooner and idles about 3 MB smaller. Each becomes a small module over require(); a
 * name nothing exports fails the build, not the run.
 */
const BUILTINS_VIA_REQUIRE = new Set(['http', 'process', 'fs', 'util']);
const VIA_REQUIRE_PREFIX = '\0hookbox-require:';

function builtinsViaRequire(): Plugin {
  const requireBuiltin = createRequire(import.meta.url);
  return {
    name: 'hookbox:builtins-via-require',
    resolveId(source, _importer, { kind }) {
      const name = source.replace(/^node:/, '');
      if (kind === 'import-statement' && BUILTINS_VIA_REQUIRE.has(name)) return `${VIA_REQUIRE_PREFIX}${name}`;
      return null;
    },
    load(id) {
      if (!id.startsWith(VIA_REQUIRE_PREFIX)) return null;
      const name = `node:${id.slice(VIA_REQUIRE_PREFIX.length)}`;
      const names = Object.keys(requireBuiltin(name) as object).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key));
      // Each export is a pure read, so the bundle keeps (and runs) only those something imports.
      return [
        "import { createRequire as $createRequire } from 'node:module';",
        `const $builtin = $createRequire(import.meta.url)(${JSON.stringify(name)});`,
        'const $read = (key) => $builtin[key];',
        'export default $builtin;',
        ...names.map(
          (key, i) => `const $${i} = /* @__PURE__ */ $read(${JSON.stringify(key)}); export { $${i} as ${key} };`,
        ),
      ].join('\n');
    },
  };
}

export async function buildCli(options: BuildCliOptions = {}): Promise<string> {
  const { build } = await import('rolldown');
  const outfile = options.outfile ?? DEFAULT_OUTFILE;
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  // Stamped with the time the build started, not finished: a source saved during the build is
  // newer than the bundle, which is then stale as it should be.
  const started = new Date();
  mkdirSync(dirname(outfile), { recursive: true });
  const bundle = (input: string, file: string, split = false) =>
    build({
      input: join(REPO_ROOT, input),
      platform: 'node',
      cwd: REPO_ROOT,
      external: [/^better-sqlite3(\/|$)/],
      // jsonc-parser's "main" is a UMD build whose require() calls a bundler cannot follow: its ESM build.
      resolve: { alias: { 'jsonc-parser': join(REPO_ROOT, 'node_modules/jsonc-parser/lib/esm/main.js') } },
      // main/core/version.ts would read ../../package.json relative to itself: not there once bundled.
      transform: { define: { __HOOKBOX_VERSION__: JSON.stringify(pkg.version) } },
      // Only the ES bundle needs it: a CommonJS bundle takes each built-in with require() already.
      plugins: split ? [] : [builtinsViaRequire()],
      logLevel: 'warn',
      // No comments and ASCII escapes: V8 keeps the bundle's source in memory, as one byte per
      // character only when every character is ASCII (otherwise two: 2.5 MB more).
      output: {
        ...(split
          ? { dir: dirname(file), entryFileNames: basename(file), chunkFileNames: 'agent-hook-[name].cjs' }
          : { file, codeSplitting: false }),
        format: split ? 'cjs' : 'esm',
        minify: options.minify ?? false,
        comments: false,
        charset: 'ascii',
      },
    });
  await bundle('main/cli/hookbox.ts', outfile);
  // A coding agent's hook runs on every tool call: its own bundle holds only what deciding one needs.
  // Split at its dynamic imports: the way to the hub loads a small chunk, the hub-down path the rest.
  const agentHook = join(dirname(outfile), AGENT_HOOK_FILE);
  for (const old of readdirSync(dirname(outfile))) {
    if (AGENT_HOOK_CHUNKS.test(old)) rmSync(join(dirname(outfile), old));
  }
  const { output } = await bundle('main/cli/agent-hook-main.ts', agentHook, true);
  for (const chunk of output) utimesSync(join(dirname(outfile), chunk.fileName), started, started);
  utimesSync(outfile, started, started);
  return outfile;
}

/** Raw template text (String.raw) cannot be escaped: say where non-ASCII characters remain. */
function warnNonAscii(outfile: string): void {
  const lines = readFileSync(outfile, 'utf8').split('\n');
  const found = lines.flatMap((line, i) =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII, on purpose
    /[^\x00-\x7f]/.test(line) ? [`  line ${i + 1}: ${line.trim().slice(0, 100)}`] : [],
  );
  if (found.length === 0) return;
  const where = lines
    .slice(
      0,
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII, on purpose
      lines.findIndex((line) => /[^\x00-\x7f]/.test(line)),
    )
    .findLast((line) => line.startsWith('// '));
  console.warn(
    `warning: ${relative(process.cwd(), outfile)} is not pure ASCII (first in ${where?.slice(3) ?? 'the bundle'}), so V8 keeps its ` +
      `source at two bytes per character (about 2.5 MB more memory):\n${found.slice(0, 5).join('\n')}`,
  );
}

/** True when `outfile` exists and no input was modified after it (as `find -newer` sees it). */
export function isBundleFresh(outfile = DEFAULT_OUTFILE): boolean {
  return isFresh(outfile, INPUTS);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { outfile: { type: 'string' }, minify: { type: 'boolean' }, 'if-stale': { type: 'boolean' } },
  });
  const outfile = values.outfile ?? DEFAULT_OUTFILE;
  if (values['if-stale'] && isBundleFresh(outfile)) process.exit(0);
  const began = performance.now();
  await buildCli({ outfile, minify: values.minify });
  console.log(`built ${relative(process.cwd(), outfile) || outfile} in ${Math.round(performance.now() - began)} ms`);
  warnNonAscii(outfile);
}
