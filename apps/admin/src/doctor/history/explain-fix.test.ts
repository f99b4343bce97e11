import { describe, expect, it } from 'vitest';
import { explainFix } from './explain-fix.js';
import { explanationLines } from './explain-text.js';
import { buildRunbook, runbookMarkdown } from './runbook.js';
import type { Facts, RunRecord, VerdictRecord } from './run-record.js';

const verdict = (id: string, status: VerdictRecord['status'], summary = `${id} ${status}`, fix: string[] = []): VerdictRecord => ({ id, title: id, status, summary, fix });
const run = (at: string, checks: VerdictRecord[], facts: Facts): RunRecord => ({ version: 1, id: `run-${at}`, at, host: 'db1', profile: 'live', ok: !checks.some((c) => c.status === 'fail'), checks, facts });

describe('explainFix', () => {
  const before = run('2026-12-01T10:00:00.000Z', [verdict('pg.auth', 'fail', 'no pg_hba.conf line allows this connection', ['in /etc/pg_hba.conf, add above line 1: local kdt kdt scram-sha-256', 'reload']), verdict('pg.database', 'skip'), verdict('selinux.status', 'pass')], {
    'pg.login': 'refused (SQLSTATE 28000)',
    'pg.hba.rules': [{ line: 1, text: 'host all all 127.0.0.1/32 scram-sha-256' }],
    'pg.hba.decides': 'no line',
    'pg.setting.ssl': null,
    'selinux.mode': 'enforcing',
    'site.env.PORT': '3000',
  });
  const after = run('2026-12-01T10:05:00.000Z', [verdict('pg.auth', 'pass', 'logged in'), verdict('pg.database', 'pass'), verdict('selinux.status', 'pass')], {
    'pg.login': 'accepted',
    'pg.hba.rules': [{ line: 1, text: 'local kdt kdt scram-sha-256' }, { line: 2, text: 'host all all 127.0.0.1/32 scram-sha-256' }, { line: 3, text: 'host all all 10.0.0.0/8 reject' }],
    'pg.hba.decides': 'local kdt kdt scram-sha-256',
    'pg.setting.ssl': 'on',
    'selinux.mode': 'permissive',
    'site.env.PORT': '3000',
  });

  it('the added line that takes the connection explains the login; the other line and SELinux did not matter; a fact unknown before is no change', () => {
    const explanation = explainFix(before, after);
    expect(explanation.fixed.map((f) => [f.id, f.changes.map((c) => c.text)])).toEqual([['pg.auth', ['pg_hba.conf: the line `local kdt kdt scram-sha-256` added at line 1, above `host all all 127.0.0.1/32 scram-sha-256`']]]);
    expect(explanation.fixed[0]!.observed.map((o) => o.text)).toEqual(['PostgreSQL login: refused (SQLSTATE 28000) → accepted', "pg_hba.conf, the line that takes the app's connection: no line → local kdt kdt scram-sha-256"]);
    expect(explanation.other.map((c) => c.text)).toEqual(['pg_hba.conf: the line `host all all 10.0.0.0/8 reject` added at line 3', 'SELinux mode: enforcing → permissive']);
    expect(explanationLines(explanation)).toEqual([
      'What changed since the last failing run (2026-12-01 10:00:00 UTC):',
      '  pg.auth (pg.auth) passes now; it failed with: no pg_hba.conf line allows this connection',
      '    pg_hba.conf: the line `local kdt kdt scram-sha-256` added at line 1, above `host all all 127.0.0.1/32 scram-sha-256`',
      '  Changed, and turned no check: pg_hba.conf: the line `host all all 10.0.0.0/8 reject` added at line 3; SELinux mode: enforcing → permissive',
    ]);
  });

  it('the runbook: the fix the failing run printed, what changed, what shows it worked, and what was not needed', () => {
    const book = buildRunbook(explainFix(before, after), 'db1');
    expect(book.steps).toEqual([
      {
        checks: [{ id: 'pg.auth', title: 'pg.auth', was: 'no pg_hba.conf line allows this connection', now: 'logged in' }],
        do: ['in /etc/pg_hba.conf, add above line 1: local kdt kdt scram-sha-256', 'reload'],
        changes: ['pg_hba.conf: the line `local kdt kdt scram-sha-256` added at line 1, above `host all all 127.0.0.1/32 scram-sha-256`'],
        shows: ['PostgreSQL login: refused (SQLSTATE 28000) → accepted', "pg_hba.conf, the line that takes the app's connection: no line → local kdt kdt scram-sha-256"],
      },
    ]);
    const markdown = runbookMarkdown(book);
    expect(markdown).toContain('## 1. pg.auth: no pg_hba.conf line allows this connection\n\nDo:\n\n```sh\nin /etc/pg_hba.conf, add above line 1: local kdt kdt scram-sha-256\nreload\n```');
    expect(markdown).toContain('## Not needed\n\nChanged too, and fixed nothing:\n\n- pg_hba.conf: the line `host all all 10.0.0.0/8 reject` added at line 3\n- SELinux mode: enforcing → permissive');
  });

  it('a check that broke is named, and nothing is said to be fixed', () => {
    const explanation = explainFix(after, before);
    expect(explanation.fixed).toEqual([]);
    expect(explanation.broken).toEqual([{ id: 'pg.auth', title: 'pg.auth', now: 'no pg_hba.conf line allows this connection' }]);
  });
});
