// Sums the Vitest JSON reports of every workspace package that has a `test` script and prints the
// closing line CI reads: "N passed, N failed" (", N skipped" when any were skipped).
// A package whose report is missing counted as a failure: its run crashed before reporting.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
let passed = 0;
let failed = 0;
let skipped = 0;

for (const group of ['apps', 'packages']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    if (!JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
    const report = join(dir, '.test-results', 'vitest.json');
    if (!existsSync(report)) {
      console.error(`${group}/${name}: no test report (${report}); its test run did not finish`);
      failed += 1;
      continue;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    // A suite that failed to load has no failed test, but it did fail.
    const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0);
    for (const f of brokenFiles) console.error(`${f.name}: ${f.message || 'failed to run'}`);
    failed += brokenFiles.length;
  }
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
