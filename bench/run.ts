// `npm run bench [-- SECTION...]`: runs every benchmark in bench/sections/ (or the named ones),
// prints a table per section and rewrites their blocks in docs/benchmarks.md.
// Exit code: 1 when a section failed (a wrong result or an error), 2 for an unknown section name.
// BENCH_SECONDS=N shortens the ingest runs (default 10) while working on the harness.
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { updateBenchmarksDoc, type MeasuredBlock } from './lib/benchmarks-doc.ts';
import { describeMachine, machineLine } from './lib/machine.ts';
import { textTable, type BenchSection } from './lib/section.ts';
import { cleanUpEverything, REPO_ROOT } from './lib/server-process.ts';

interface SectionModule {
  run: () => Promise<BenchSection>;
}

const SECTIONS_DIR = join(REPO_ROOT, 'bench/sections');
const DOC_FILE = join(REPO_ROOT, 'docs/benchmarks.md');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the servers`);
    cleanUpEverything();
    process.exit(130);
  });
}

function availableSections(): string[] {
  return readdirSync(SECTIONS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

function commandLine(names: readonly string[]): string {
  const args = names.join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return args ? `npm run bench -- ${args}` : 'npm run bench';
  return `node bench/run.ts${args ? ` ${args}` : ''}`;
}

async function main(): Promise<number> {
  const available = availableSections();
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown section ${unknown.join(', ')}; sections: ${available.join(', ')}`);
    return 2;
  }
  const names = requested.length > 0 ? requested : available;
  const machine = describeMachine();
  const command = commandLine(requested);
  console.log(`Hookbox benchmarks: ${names.join(', ')}\n${machineLine(machine)}\n`);

  const measured: MeasuredBlock[] = [];
  const failures: string[] = [];
  const benchStarted = performance.now();
  for (const name of names) {
    const started = performance.now();
    // Other work on the machine skews every figure; the load average says how busy it was.
    const load = loadavg()[0]!.toFixed(2);
    process.stdout.write(`▶ ${name} (load average ${load}) … `);
    try {
      const { run } = (await import(join(SECTIONS_DIR, `${name}.ts`))) as SectionModule;
      const section = await run();
      const seconds = (performance.now() - started) / 1000;
      console.log(`${seconds.toFixed(1)} s\n${section.title}\n${textTable(section.rows)}`);
      for (const failure of section.failures) console.log(`  FAILED: ${failure}`);
      console.log('');
      failures.push(...section.failures.map((f) => `${name}: ${f}`));
      const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
      measured.push({
        name,
        markdown: section.markdown,
        footer: `_Measured ${date} UTC with \`${command}\` on ${machineLine(machine)}; 1-minute load average ${load} when the section started._`,
      });
    } catch (error) {
      console.log('error');
      console.error(error);
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      cleanUpEverything();
    }
  }

  if (measured.length > 0) updateBenchmarksDoc(DOC_FILE, measured);
  const total = ((performance.now() - benchStarted) / 1000).toFixed(0);
  console.log(
    `${measured.length} of ${names.length} sections measured in ${total} s; docs/benchmarks.md ${measured.length > 0 ? 'updated' : 'unchanged'}.`,
  );
  if (failures.length > 0) {
    console.log(`${failures.length} failure(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
