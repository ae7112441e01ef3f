// What every benchmark section returns. A section measures, judges its figures against its
// targets, and renders itself; run.ts only prints, writes docs/benchmarks.md and sets the exit
// code. A new benchmark is a new file in bench/sections/ exporting `run()`.

/**
 * 'ok' / 'missed' compare a figure with its target; 'failed' marks a wrong result (also listed
 * in `failures`); 'info' rows have no target.
 */
export type Verdict = 'ok' | 'missed' | 'failed' | 'info';

export interface BenchRow {
  metric: string;
  value: string;
  target?: string;
  verdict: Verdict;
}

export interface BenchSection {
  title: string;
  rows: BenchRow[];
  /**
   * Wrong results, as opposed to slow ones (an acknowledged event missing from the database,
   * errors under load). Any failure makes the bench exit 1; a missed target does not.
   */
  failures: string[];
  /** The section as markdown, from its `## ` heading down, for docs/benchmarks.md. */
  markdown: string;
}

export function judged(
  metric: string,
  value: number,
  format: (v: number) => string,
  target: { max?: number; min?: number },
): BenchRow {
  const ok = (target.max === undefined || value <= target.max) && (target.min === undefined || value >= target.min);
  const text = target.max !== undefined ? `≤ ${format(target.max)}` : `≥ ${format(target.min ?? 0)}`;
  return { metric, value: format(value), target: text, verdict: ok ? 'ok' : 'missed' };
}

export function info(metric: string, value: string): BenchRow {
  return { metric, value, verdict: 'info' };
}

export const fmt = {
  ms: (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`,
  /** autocannon records latencies in whole milliseconds. */
  latency: (v: number) => (v < 1 ? '< 1 ms' : `${Math.round(v)} ms`),
  rps: (v: number) => `${Math.round(v).toLocaleString('en-US')} req/s`,
  ratio: (v: number) => `${v.toFixed(2)}×`,
  mb: (kb: number) => `${(kb / 1024).toFixed(1)} MB`,
  count: (v: number) => v.toLocaleString('en-US'),
};

const VERDICT_TEXT: Record<Verdict, string> = { ok: 'ok', missed: 'MISSED', failed: 'FAILED', info: '' };

/** The rows as a markdown table. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = ['| Metric | Value | Target | |', '|---|--:|--:|---|'];
  for (const row of rows)
    lines.push(`| ${row.metric} | ${row.value} | ${row.target ?? ''} | ${VERDICT_TEXT[row.verdict]} |`);
  return lines.join('\n');
}

/** The rows as an aligned plain-text table for the terminal. */
export function textTable(rows: readonly BenchRow[]): string {
  const cells = [
    ['metric', 'value', 'target', ''],
    ...rows.map((r) => [r.metric, r.value, r.target ?? '', VERDICT_TEXT[r.verdict]]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells
    .map((c) =>
      `  ${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padStart(widths[1]!)}  ${c[2]!.padStart(widths[2]!)}  ${c[3]}`.trimEnd(),
    )
    .join('\n');
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
