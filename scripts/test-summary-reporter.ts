// A node:test reporter that writes only the totals as JSON, for scripts/run-tests.ts to add up
// (the spec reporter prints the details).
import type { TestEvent } from 'node:test/reporters';

export default async function* summaryReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Count tests, not the files or suites that hold them.
    const details = event.data.details as { type?: string };
    if (details.type === 'suite' || (event.data.nesting === 0 && event.data.name.endsWith('.test.ts'))) continue;
    if (event.type === 'test:fail') failed += 1;
    else if (event.data.skip !== undefined || event.data.todo !== undefined) skipped += 1;
    else passed += 1;
  }
  yield `${JSON.stringify({ passed, failed, skipped })}\n`;
}
