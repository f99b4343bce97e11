import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAdmin } from '../../test-support/run-admin.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdt-hba-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const LONG_USER = `${'a'.repeat(60)}!`;

describe('pnpm admin hba on hostile input', () => {
  it('explain: a nested quantifier and a long user name answer at once, as the server does', async () => {
    const file = write('pg_hba.conf', 'local all /^(a+)+$ reject\nlocal all all peer\n');
    const run = await runAdmin(['hba', 'explain', file, '--json', '--type', 'local', '--database', 'kdt', '--user', LONG_USER]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ match: { line: 2, method: 'peer' }, verdict: 'line 2 (local all all peer) decides: peer authentication' });
    const matching = await runAdmin(['hba', 'explain', file, '--json', '--type', 'local', '--database', 'kdt', '--user', 'a'.repeat(60)]);
    expect(matching.code).toBe(1);
    expect(JSON.parse(matching.stdout).match).toMatchObject({ line: 1, method: 'reject' });
  });

  it('explain: a back-reference that backtracks without end is stopped, and the answer says it is not certain', async () => {
    const file = write('pg_hba.conf', 'local all /^(a+)+\\1$ reject\nlocal all all peer\n');
    const run = await runAdmin(['hba', 'explain', file, '--type', 'local', '--database', 'kdt', '--user', LONG_USER]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '! line 2 (local all all peer) decides: peer authentication; not certain: line 1 above it was not evaluated: regex too costly, and decides instead if it matches',
    );
    expect(run.stdout).toContain(`line 1 (local all /^(a+)+\\1$ reject): user "${LONG_USER}" not evaluated: regex too costly (/^(a+)+\\1$ backtracks: stopped after its time limit`);
  });

  it('check: a file that includes itself ends with one line naming the limit and the fix, no stack trace, exit 1', async () => {
    const file = write('pg_hba.conf', `local all all peer\n${'include pg_hba.conf\n'.repeat(10)}`);
    const run = await runAdmin(['hba', 'check', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toMatch(/^✗ pg_hba\.conf and the files it includes hold too much: more than 200000 lines read, stopped at ".*pg_hba\.conf" line \d+; look for a file that includes itself \(include, include_dir, @file\) or a runaway generated list, and fix it$/);
  });

  it('check: a huge @file list is read whole, not a stack overflow', async () => {
    write('users', `${Array.from({ length: 150_000 }, (_, i) => `user${i}`).join('\n')}\n`);
    const file = write('pg_hba.conf', 'local all @users scram-sha-256\n');
    const run = await runAdmin(['hba', 'check', file, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.rules[0].users).toHaveLength(150_000);
  });

  it('check: a 20 000-line file is checked, with the lines it hides', { timeout: 120_000 }, async () => {
    const lines = ['host all all 192.168.0.0/16 scram-sha-256'];
    for (let i = 1; i < 20_000; i++) lines.push(`host db${i} u${i} ${i === 19_999 ? '192.168.1.1' : `10.${i >> 8}.${i & 255}.1`}/32 scram-sha-256`);
    const file = write('pg_hba.conf', `${lines.join('\n')}\n`);
    const run = await runAdmin(['hba', 'check', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  ! line 20000 `host db19999 u19999 192.168.1.1/32 scram-sha-256` can never match: line 1 `host all all 192.168.0.0/16 scram-sha-256` takes every connection it would');
    expect(run.stdout.trim().split('\n').at(-1)).toBe('20000 rules, 0 invalid lines, 1 finding');
  });
});
