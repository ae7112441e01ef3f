import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
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

/** Files under main/ each file imports, type-only imports and `import('…')` types included. */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((f) => f.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolve(dirname(file), specifier))
      .filter((target) => target.startsWith(`${root}/`));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every import circle as its files in order (Tarjan's strongly connected components of more than one file). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)?.includes(file)) cycles.push(component.reverse());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

// A circle of imports (even type-only ones) means two parts cannot be read, tested or replaced
// apart: the composition root builds services, consumers receive them, shared types sit in
// types-only files.
test('no import cycle under main/, type-only imports included', () => {
  const cycles = importCycles(importGraph(join(REPO_ROOT, 'main')));
  assert.deepEqual(
    cycles.map((files) => `circle: ${files.map((file) => relative(REPO_ROOT, file)).join(', ')}`),
    [],
  );
});

test('the cycle check finds a circle through a type-only import, and none in a chain', () => {
  const graph = new Map([
    ['/a.ts', ['/b.ts']],
    ['/b.ts', ['/c.ts']],
    ['/c.ts', ['/a.ts']],
    ['/d.ts', ['/a.ts']],
  ]);
  assert.deepEqual(importCycles(graph), [['/a.ts', '/b.ts', '/c.ts']]);
  graph.set('/c.ts', []);
  assert.deepEqual(importCycles(graph), []);
  const { importedFiles } = ts.preProcessFile(
    "import type { A } from './a.ts';\ntype B = import('./b.ts').B;",
    true,
    true,
  );
  assert.deepEqual(
    importedFiles.map((f) => f.fileName),
    ['./a.ts', './b.ts'],
  );
});
