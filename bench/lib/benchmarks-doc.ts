import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// docs/benchmarks.md is made of one block per section between markers. A run rewrites the blocks
// of the sections it measured and keeps the others, so `npm run bench -- ingest` refreshes only
// the ingest figures and each block says when, how and where it was measured.

export interface MeasuredBlock {
  name: string;
  markdown: string;
  footer: string;
}

const HEADER = `# Benchmarks

Produced by \`npm run bench\` (\`bench/run.ts\`, sections in \`bench/sections/\`). Each section below
was written by the run that measured it, with its date, command and machine; \`npm run bench -- <section>\`
refreshes one section. Targets come from issue 2. A missed target is reported (MISSED), not fatal; a
wrong result (an acknowledged event missing from the database, errors under load) makes the bench exit 1.
All traffic is to 127.0.0.1; every server runs as its own child process and is killed at the end.
`;

const BLOCK = /<!-- bench:([\w-]+) -->\n[\s\S]*?\n<!-- \/bench:\1 -->/g;

function renderBlock(block: MeasuredBlock): string {
  return `<!-- bench:${block.name} -->\n${block.markdown.trimEnd()}\n\n${block.footer}\n<!-- /bench:${block.name} -->`;
}

export function updateBenchmarksDoc(file: string, measured: readonly MeasuredBlock[]): void {
  // Each measured block replaces its old one where it stands; what is written by hand between the
  // blocks (profiles, notes) stays; a section measured for the first time goes at the end.
  const fresh = new Map(measured.map((block) => [block.name, renderBlock(block)]));
  let text = existsSync(file) ? readFileSync(file, 'utf8') : `${HEADER}\n`;
  text = text.replace(BLOCK, (old, name: string) => {
    const block = fresh.get(name);
    fresh.delete(name);
    return block ?? old;
  });
  if (fresh.size > 0) text = `${text.trimEnd()}\n\n${[...fresh.values()].join('\n\n')}\n`;
  writeFileSync(file, text);
  // Aligned as Biome formats Markdown tables, so `npm test` (biome ci) passes after a bench run.
  const biome = join(dirname(file), '..', 'node_modules/.bin/biome');
  spawnSync(biome, ['format', '--write', file], { stdio: 'ignore' });
}
