import { describe, expect, it } from 'vitest';
import { parseHba } from './parse.js';
import { HbaReadBudgetError, READ_BUDGET } from './read-lines.js';
import type { ParseHbaOptions } from './types.js';

const DIR = '/etc/postgresql/18/main';
const FILE = `${DIR}/pg_hba.conf`;

function reader(files: Record<string, string>): Pick<ParseHbaOptions, 'readFile'> {
  return {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return text;
    },
  };
}

function budgetError(run: () => unknown): HbaReadBudgetError {
  try {
    run();
  } catch (error) {
    if (error instanceof HbaReadBudgetError) return error;
    throw error;
  }
  throw new Error('no budget error');
}

describe('reading pg_hba.conf within a budget', () => {
  it('a file that includes itself ten times: the line budget stops it with one line that names the file and the fix', () => {
    const self = `local all all peer\n${'include pg_hba.conf\n'.repeat(10)}`;
    const error = budgetError(() => parseHba(self, { file: FILE, serverMajor: 18, ...reader({ [FILE]: self }) }));
    expect(error.limit).toBe('lines');
    expect(error.message).toMatch(
      new RegExp(`^pg_hba\\.conf and the files it includes hold too much: more than ${READ_BUDGET.lines} lines read, stopped at "${FILE}" line \\d+; look for a file that includes itself \\(include, include_dir, @file\\) or a runaway generated list, and fix it$`),
    );
    expect(error.message).not.toContain('\n');
  });

  it('an @file read again and again: the byte budget counts every read', () => {
    const names = `${'kdt_app '.repeat(1000)}\n`;
    const text = Array.from({ length: 50 }, () => 'local all @names peer').join('\n');
    const error = budgetError(() => parseHba(text, { file: FILE, serverMajor: 18, readBudget: { lines: 1000, bytes: 100_000, ms: 60_000 }, ...reader({ [`${DIR}/names`]: names }) }));
    expect(error.limit).toBe('bytes');
    expect(error.message).toContain(`more than 98 KiB read, stopped at "${DIR}/names"`);
  });

  it('a reader slower than the time budget: stopped at the file it was reading', () => {
    const slow = (path: string) => {
      // Waits for the clock itself to move on, so that the budget of 0 ms is spent.
      const start = performance.now();
      while (performance.now() - start < 2);
      return path.endsWith('extra.conf') ? 'local all all peer\n' : '';
    };
    const error = budgetError(() => parseHba('include extra.conf\n', { file: FILE, serverMajor: 18, readBudget: { lines: 1000, bytes: 1000, ms: 0 }, readFile: slow }));
    expect(error.limit).toBe('ms');
    expect(error.message).toContain(`reading took more than 0 s, stopped at "${DIR}/extra.conf"`);
  });

  it('a huge include and a huge @file within the budget are read whole (no stack overflow)', { timeout: 120_000 }, () => {
    const lines = Array.from({ length: 150_000 }, (_, i) => `host all u${i} 127.0.0.1/32 scram-sha-256`).join('\n');
    const users = Array.from({ length: 200_000 }, (_, i) => `user${i}`).join(' ');
    const files = { [`${DIR}/generated.conf`]: `${lines}\n`, [`${DIR}/users`]: `${users}\n` };
    const hba = parseHba('local all @users peer\ninclude generated.conf\n', { file: FILE, serverMajor: 18, readBudget: { ...READ_BUDGET, ms: Infinity }, ...reader(files) });
    expect(hba.invalid).toEqual([]);
    expect(hba.rules).toHaveLength(150_001);
    expect(hba.rules[0]!.users).toHaveLength(200_000);
    expect(hba.rules.at(-1)).toMatchObject({ file: `${DIR}/generated.conf`, line: 150_000, users: [{ text: 'u149999' }] });
  });
});
