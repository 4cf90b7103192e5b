// Node test-runner reporter that prints the slowest test files (to keep the suite's time in view), then the closing
// line "N passed, N failed, N skipped" (tests, not suites).
import { relative } from 'node:path';

export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const fileMs = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.nesting === 0 && event.data.file) {
      fileMs.set(event.data.file, (fileMs.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip || event.data.todo) skipped++;
    else if (event.type === 'test:pass') passed++;
    else failed++;
  }
  const slowest = [...fileMs].sort((a, b) => b[1] - a[1]).slice(0, 12);
  if (slowest.length > 0) {
    const total = [...fileMs.values()].reduce((a, b) => a + b, 0);
    yield `\nslowest test files (of ${Math.round(total / 1000)} s in tests):\n`;
    for (const [file, ms] of slowest) yield `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${relative(process.cwd(), file)}\n`;
  }
  yield `\n${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
