import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const SCENARIOS = ['apps/admin/src/commands/doctor.postgres.test.ts', 'apps/admin/src/commands/doctor.postgres-session.test.ts'];

// `${…}` in a test and `<…>` in the README both stand for what the doctor fills in.
const shape = (summary: string) => summary.replace(/\$\{[^}]*\}/g, '<>').replace(/<[^>]*>/g, '<>');

/** The summaries the scenario tests assert for a failing check. */
function testedSummaries(): Set<string> {
  const found = new Set<string>();
  for (const file of SCENARIOS) {
    for (const m of read(file).matchAll(/status: 'fail',\s*summary: (?:'((?:[^'\\]|\\.)*)'|`([^`]*)`)/g)) found.add(shape((m[1] ?? m[2])!.replace(/\\'/g, "'")));
  }
  return found;
}

/** The third column of the README's table of diagnosed conditions. */
function documentedSummaries(): Set<string> {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('### What the doctor diagnoses (PostgreSQL)'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| condition |')));
  const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| condition') && !l.startsWith('| ---'));
  return new Set(rows.map((row) => shape(/`([^`]*)` \|$/.exec(row)![1]!)));
}

describe('the README\'s table of conditions the doctor diagnoses', () => {
  it('lists exactly the failures the PostgreSQL scenarios assert', () => {
    const tested = testedSummaries();
    const documented = documentedSummaries();
    expect(tested.size).toBeGreaterThan(20);
    expect([...tested].filter((s) => !documented.has(s)), 'tested, not in the README').toEqual([]);
    expect([...documented].filter((s) => !tested.has(s)), 'in the README, not tested').toEqual([]);
  });
});
