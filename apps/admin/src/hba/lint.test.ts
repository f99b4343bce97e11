import { describe, expect, it } from 'vitest';
import { lintHba } from './lint.js';
import { parseHba } from './parse.js';

const lint = (text: string, serverMajor = 18) =>
  lintHba(parseHba(text, { file: '/pg/pg_hba.conf', serverMajor, ssl: 'on' })).map((f) => [f.line, f.severity, f.code]);

describe('lintHba', () => {
  it('finds lines an earlier line makes unreachable, and names the fix', () => {
    const findings = lintHba(parseHba('local all all peer\nlocal kdt kdt scram-sha-256', { file: '/pg/pg_hba.conf', serverMajor: 18 }));
    expect(findings).toEqual([
      {
        file: '/pg/pg_hba.conf',
        line: 2,
        severity: 'warn',
        code: 'unreachable-line',
        message: 'line 2 `local kdt kdt scram-sha-256` can never match: line 1 `local all all peer` takes every connection it would; move line 2 above line 1',
      },
    ]);
  });

  it('compares ranges, connection types and lists when looking for shadows', () => {
    expect(lint('host all all 10.0.0.0/8 scram-sha-256\nhostssl kdt a,b 10.1.0.0/16 scram-sha-256\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all 11.0.0.0/8 scram-sha-256')).toEqual([
      [2, 'warn', 'unreachable-line'],
      [4, 'warn', 'unreachable-line'],
    ]);
    expect(lint('hostssl all all all scram-sha-256\nhost all all all scram-sha-256\nlocal all kdt scram-sha-256\nlocal all all scram-sha-256')).toEqual([]);
  });

  it('warns about trust over the network, clear-text passwords, md5 and ident over TCP', () => {
    expect(lint('local all all trust\nhost all all 10.0.0.0/8 trust\nhost all all 172.16.0.0/12 password\nhost all a 0.0.0.0/0 md5\nhost all all ::1/128 ident')).toEqual([
      [2, 'warn', 'trust-over-network'],
      [3, 'warn', 'cleartext-password'],
      [4, 'warn', 'md5-deprecated'],
      [5, 'warn', 'ident-over-network'],
    ]);
    expect(lint('host all all 0.0.0.0/0 md5', 15)).toEqual([[1, 'info', 'md5-deprecated']]);
  });

  it('warns about keywords quoted by mistake', () => {
    expect(lint('local "all" "+ops" scram-sha-256\nhost all all "samenet" scram-sha-256')).toEqual([
      [1, 'warn', 'quoted-keyword'],
      [1, 'warn', 'quoted-keyword'],
      [2, 'warn', 'quoted-keyword'],
    ]);
  });

  it('reports invalid lines and files without rules', () => {
    expect(lint('local all all nosuch')).toEqual([[1, 'warn', 'invalid-line']]);
    expect(lint('# empty')).toEqual([[1, 'warn', 'no-entries']]);
  });
});
