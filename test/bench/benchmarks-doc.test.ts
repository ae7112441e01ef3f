import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { updateBenchmarksDoc } from '../../bench/lib/benchmarks-doc.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('a bench run replaces its own blocks in place and keeps the text written by hand around them', () => {
  const file = join(tempDir(), 'benchmarks.md');
  const before = [
    '# Benchmarks',
    '',
    '<!-- bench:a -->',
    'old a',
    '<!-- /bench:a -->',
    '',
    '### Where the time goes',
    '',
    'A profile written by hand.',
    '',
    '<!-- bench:b -->',
    'old b',
    '<!-- /bench:b -->',
    '',
  ].join('\n');
  writeFileSync(file, before);
  updateBenchmarksDoc(file, [
    { name: 'b', markdown: 'new b', footer: '_b footer_' },
    { name: 'c', markdown: 'new c', footer: '_c footer_' },
  ]);
  const after = readFileSync(file, 'utf8');
  assert.ok(after.includes('old a'), 'an unmeasured block stays');
  assert.ok(after.includes('A profile written by hand.'), 'hand-written text stays');
  assert.ok(!after.includes('old b'));
  assert.ok(after.indexOf('A profile written by hand.') < after.indexOf('new b'), 'b stays where it was');
  assert.ok(after.indexOf('new b') < after.indexOf('new c'), 'a new section goes at the end');
  assert.ok(after.includes('new c\n\n_c footer_\n<!-- /bench:c -->'));
});
