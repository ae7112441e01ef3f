// `npm test`: the type check, Biome and knip, then every test file under test/ in Node's test
// runner (each file in its own process: SQLite and servers never share one), then one closing line
// `N passed, N failed` that CI counts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

// The whole-tree checks, each one pass or fail: types, format and lint (Biome), unused files,
// exports and dependencies (knip). `npm run format` fixes what Biome can.
const treeChecks: Array<[string, string, string[]]> = [
  ['type check (tsc --noEmit)', 'tsc', ['-p', 'tsconfig.json', '--noEmit']],
  ['format and lint (biome ci)', 'biome', ['ci', '--reporter=summary', '.']],
  ['unused code (knip)', 'knip', []],
];
if (filter.length === 0) {
  for (const [title, bin, args] of treeChecks) {
    process.stdout.write(`== ${title}\n`);
    const check = spawnSync(join(root, 'node_modules/.bin', bin), args, { cwd: root, stdio: 'inherit' });
    if (check.status === 0) passed += 1;
    else failed += 1;
  }
}

const summaryFile = join(mkdtempSync(join(tmpdir(), 'hookbox-tests-')), 'summary.json');
const files = filter.length > 0 ? filter : ['test/**/*.test.ts'];
process.stdout.write(`== node --test ${files.join(' ')}\n`);
const run = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-concurrency=2',
    '--test-timeout=300000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/test-summary-reporter.ts')}`,
    `--test-reporter-destination=${summaryFile}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
try {
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { passed: number; failed: number; skipped: number };
  passed += summary.passed;
  failed += summary.failed;
  skipped += summary.skipped;
} catch {
  failed += 1;
  process.stdout.write('the test runner produced no summary\n');
}
if (run.status !== 0 && failed === 0) failed += 1;

// Skipped tests (a known limitation they name) get their own line: the last one stays plain.
if (skipped) process.stdout.write(`${skipped} skipped\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 ? 1 : 0;
