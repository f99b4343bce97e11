import { describe, expect, it } from 'vitest';
import pc from 'picocolors';
import { closingLine, formatResult } from './report.js';
import { runChecks } from './run-checks.js';
import { fail, pass, warn, type Check } from './types.js';

const check = (id: string, outcome: () => ReturnType<Check<object>['run']>, needs?: string[]): Check<object> => ({
  id,
  title: `Check ${id}`,
  ...(needs ? { needs } : {}),
  run: outcome,
});

describe('runChecks', () => {
  it('skips a check whose need failed or was skipped, naming the reason, and runs the rest', async () => {
    const results = await runChecks(
      [
        check('a', async () => pass('fine')),
        check('b', async () => fail('broken', ['evidence'], ['do this']), ['a']),
        check('c', async () => pass('never runs'), ['b']),
        check('d', async () => pass('never runs either'), ['c']),
        check('e', async () => warn('a warning'), ['a']),
        check('f', async () => pass('runs after a warning'), ['e']),
      ],
      {},
    );
    expect(results.map((r) => [r.id, r.status, r.summary])).toEqual([
      ['a', 'pass', 'fine'],
      ['b', 'fail', 'broken'],
      ['c', 'skip', 'skipped: Check b failed'],
      ['d', 'skip', 'skipped: Check b failed'],
      ['e', 'warn', 'a warning'],
      ['f', 'pass', 'runs after a warning'],
    ]);
  });

  it('a check that skips itself (does not apply here) passes its reason to the checks that need it', async () => {
    const results = await runChecks([check('a', async () => ({ status: 'skip', summary: 'SELinux not present' })), check('b', async () => pass('no'), ['a'])], {});
    expect(results.map((r) => [r.status, r.summary])).toEqual([
      ['skip', 'SELinux not present'],
      ['skip', 'skipped: SELinux not present'],
    ]);
  });

  it('a check that throws keeps its stack, shown under --verbose only', async () => {
    const [result] = await runChecks([check('a', async () => Promise.reject(new TypeError('x is undefined')))], {});
    expect(result!.stack).toMatch(/^TypeError: x is undefined\n\s+at /);
    const plain = pc.createColors(false);
    expect(formatResult(result!, plain).join('\n')).not.toMatch(/\bat /);
    expect(formatResult(result!, plain, true).join('\n')).toMatch(/\n {6}TypeError: x is undefined\n {6}at .*run-checks\.test\.ts/);
  });

  it('a check that throws fails with its message instead of stopping the others', async () => {
    const results = await runChecks([check('a', async () => Promise.reject(new Error('boom'))), check('b', async () => pass('still runs'))], {});
    expect(results.map((r) => [r.status, r.summary])).toEqual([
      ['fail', 'the check itself failed: boom'],
      ['pass', 'still runs'],
    ]);
  });
});

describe('the report', () => {
  const colors = pc.createColors(false);

  it('prints why and fix under a failure, and only the line for a pass', () => {
    const failed = { id: 'x', title: 'Thing', status: 'fail' as const, summary: 'broken', evidence: ['the log says so'], fix: ['restart it'] };
    expect(formatResult(failed, colors)).toEqual(['[✗] Thing: broken', '      why: the log says so', '      fix: restart it']);
    expect(formatResult({ ...failed, status: 'pass', summary: 'fine' }, colors)).toEqual(['[✓] Thing: fine']);
  });

  it('closes with a count of each status', () => {
    const r = (status: 'pass' | 'warn' | 'fail' | 'skip') => ({ id: status, title: status, status, summary: '', evidence: [], fix: [] });
    expect(closingLine([r('pass'), r('pass'), r('warn'), r('fail'), r('skip')], colors)).toBe(
      'Doctor found problems: 2 passed, 1 warning, 1 failed, 1 skipped.',
    );
    expect(closingLine([r('pass')], colors)).toBe('No issues found: 1 passed, 0 warnings, 0 failed, 0 skipped.');
  });
});
