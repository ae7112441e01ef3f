import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/serve-process.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

const importsElectron = /(?:from\s*|require\s*\(\s*|import\s*\(\s*)['"]electron(?:\/[\w-]+)?['"]/;

// main/core runs under plain Node (hookbox serve, the tests); one Electron import would break both.
test('nothing under main/core imports electron', () => {
  const offenders = sourceFiles(join(REPO_ROOT, 'main/core'))
    .filter((file) => importsElectron.test(readFileSync(file, 'utf8')))
    .map((file) => relative(REPO_ROOT, file));
  assert.deepEqual(offenders, []);
});

test('the electron-import check recognises every import form', () => {
  for (const line of [
    "import { app } from 'electron';",
    'const { app } = require("electron")',
    "await import('electron/main')",
  ]) {
    assert.ok(importsElectron.test(line), line);
  }
  assert.ok(!importsElectron.test("import x from 'electron-vite'"));
});
