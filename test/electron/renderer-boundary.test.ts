import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/serve-process.ts';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

const PACKAGES = new Set([
  'react',
  'react-dom/client',
  'zustand',
  'zustand/vanilla',
  // The config editor (CodeMirror 6 with the legacy TOML mode).
  '@codemirror/commands',
  '@codemirror/language',
  '@codemirror/legacy-modes/mode/toml',
  '@codemirror/lint',
  '@codemirror/state',
  '@codemirror/view',
  '@lezer/highlight',
  // The browser build's event stream (renderer/src/transport/http-transport.ts).
  'eventsource-parser/stream',
]);

// The renderer talks to the hub only through the contract's interface: no Electron, no preload,
// no core code; from outside renderer/ it may import types from main/shared/api-contract.ts (and
// main/shared/format-duration.ts).
test('the renderer imports the contract interface, never a transport', () => {
  const problems: string[] = [];
  for (const file of files(join(REPO_ROOT, 'renderer'))) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^\s*import\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
      const [, typeOnly, specifier] = match as unknown as [string, string | undefined, string];
      const where = relative(REPO_ROOT, file);
      if (!specifier.startsWith('.')) {
        if (!PACKAGES.has(specifier)) problems.push(`${where}: imports package ${specifier}`);
        continue;
      }
      const target = relative(REPO_ROOT, join(file, '..', specifier));
      if (target.startsWith('renderer/')) continue;
      if (target === 'main/shared/api-contract.ts' && typeOnly) continue;
      // Plain formatting with no import of its own: durations read the same in every shell.
      if (target === 'main/shared/format-duration.ts') continue;
      problems.push(`${where}: imports ${target}${typeOnly ? '' : ' (not type-only)'}`);
    }
  }
  assert.deepEqual(problems, []);
});
