import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { REPO_ROOT } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// One real `electron-vite build` into a temp folder; the tests read what it produced.
const outDir = tempDir('hookbox-build-');
let buildOutput = '';

before(async () => {
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(join(REPO_ROOT, 'node_modules/.bin/electron-vite'), ['build', '--outDir', outDir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (buildOutput += c.toString()));
    child.stderr.on('data', (c: Buffer) => (buildOutput += c.toString()));
    child.on('exit', resolve);
  });
  assert.equal(code, 0, `electron-vite build failed:\n${buildOutput}`);
});

const read = (path: string) => readFileSync(join(outDir, path), 'utf8');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; main: string };

test('the build produces the main, preload and renderer bundles', () => {
  for (const file of ['main/index.js', 'preload/index.cjs', 'renderer/index.html']) assert.ok(existsSync(join(outDir, file)), `${file} missing:\n${buildOutput}`);
  assert.ok(readdirSync(join(outDir, 'renderer/assets')).some((f) => f.endsWith('.js')), 'no renderer script');
  // package.json "main" names the same file inside the default out/ folder.
  assert.equal(pkg.main, 'out/main/index.js');
});

test('the main bundle loads better-sqlite3 and the other runtime deps from node_modules', () => {
  const main = read('main/index.js');
  assert.match(main, /^import \w+ from "better-sqlite3";$/m);
  assert.match(main, /^import .* from "fastify";$/m);
  // Inlined, better-sqlite3 would carry its loader for the native addon.
  assert.doesNotMatch(main, /better_sqlite3\.node|node_modules\/better-sqlite3/);
});

test('the main bundle carries the version instead of reading package.json beside the source', () => {
  const main = read('main/index.js');
  assert.ok(main.includes(JSON.stringify(pkg.version)));
  assert.doesNotMatch(main, /__HOOKBOX_VERSION__|\.\.\/\.\.\/package\.json/);
});

test('the preload is CommonJS requiring only electron, as a sandboxed preload must be', () => {
  const preload = read('preload/index.cjs');
  const required = [...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron']);
  assert.doesNotMatch(preload, /^\s*(import|export)\s/m);
  assert.match(preload, /exposeInMainWorld\("hookbox"/);
});

test('the renderer page carries the strict Content-Security-Policy', () => {
  const html = read('renderer/index.html');
  const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp, html);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  // Scripts are files next to the page, loaded relative to it (file:// in the app).
  assert.match(html, /<script type="module" crossorigin src="\.\/assets\/[^"]+\.js"><\/script>/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
});
