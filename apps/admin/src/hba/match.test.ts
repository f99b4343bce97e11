import { describe, expect, it } from 'vitest';
import { explainShadow, matchHba, matchWithout } from './match.js';
import { parseHba } from './parse.js';
import type { HbaRequest } from './types.js';

const FILE = '/etc/postgresql/18/main/pg_hba.conf';
const parse = (text: string) => parseHba(text, { file: FILE, serverMajor: 18 });
const app: HbaRequest = { type: 'local', database: 'kdt', user: 'kdt' };

describe('matchHba', () => {
  it('takes the first line that matches and says why earlier ones did not', () => {
    const hba = parse('host all all 127.0.0.1/32 md5\nlocal postgres all peer\nlocal kdt kdt scram-sha-256');
    const m = matchHba(hba, app);
    expect(m.rule?.line).toBe(3);
    expect(m.skipped.map((s) => [s.rule.line, s.reason])).toEqual([
      [1, 'type'],
      [2, 'database'],
    ]);
  });

  it('returns null when nothing matches (the server says no pg_hba.conf entry)', () => {
    expect(matchHba(parse('local postgres postgres peer'), app).rule).toBeNull();
  });

  it('matches addresses by family and range; IPv4 lines never match an IPv6 client', () => {
    const hba = parse('host all all 127.0.0.0/8 reject\nhost all all ::ffff:0:0/96 md5\nhost all all ::/0 trust');
    const at = (address: string) => matchHba(hba, { type: 'host', database: 'd', user: 'u', address }).rule?.line;
    expect([at('127.9.9.9'), at('::ffff:127.0.0.1'), at('::1')]).toEqual([1, 2, 3]);
  });

  it('handles sameuser, samerole, +role, replication and quoted keywords', () => {
    const hba = parse(
      'local replication all reject\nlocal "all" all reject\nlocal sameuser all md5\nlocal samerole all password\nlocal all +ops trust\nlocal all all peer',
    );
    const line = (r: Partial<HbaRequest>) => matchHba(hba, { ...app, ...r }).rule?.line;
    expect(line({ replication: true })).toBe(1);
    expect(line({ database: 'all', user: 'x' })).toBe(2);
    expect(line({})).toBe(3);
    expect(line({ database: 'ops', roles: ['ops'] })).toBe(4);
    expect(line({ database: 'other', roles: ['ops'] })).toBe(5);
    expect(line({ database: 'other', roles: ['ops'], userExists: false })).toBe(6);
  });

  it('checks host names both ways and gives up on later host-name lines once that fails', () => {
    const hba = parse('host all all db.example.com reject\nhost all all .example.com md5\nhost all all all trust');
    const req: HbaRequest = { type: 'host', database: 'd', user: 'u', address: '10.0.0.5', clientHostName: 'web.example.com', resolveHost: () => ['10.0.0.5'] };
    expect(matchHba(hba, req).rule?.line).toBe(2);
    expect(matchHba(hba, { ...req, resolveHost: () => ['10.9.9.9'] }).rule?.line).toBe(3);
  });

  it('uses samehost and samenet with the server interfaces', () => {
    const hba = parse('host all all samehost reject\nhost all all samenet md5');
    const localAddresses = [{ address: '192.0.2.2', netmask: '255.255.255.0' }];
    const at = (address: string) => matchHba(hba, { type: 'host', database: 'd', user: 'u', address, localAddresses }).rule?.line;
    expect([at('192.0.2.2'), at('192.0.2.77'), at('198.51.100.1')]).toEqual([1, 2, undefined]);
  });
});

describe('shadowing', () => {
  const hba = parse('local all all peer\nlocal kdt kdt scram-sha-256');

  it('tells which line would match without an earlier one', () => {
    expect(matchWithout(hba, app, { line: 1 }).rule?.line).toBe(2);
  });

  it('explains that an earlier line shadows the line meant for the app', () => {
    const report = explainShadow(hba, app, { line: 2 });
    expect(report).toMatchObject({ shadowed: true, targetMatches: true });
    expect(report.message).toBe('line 1 `local all all peer` shadows line 2 `local kdt kdt scram-sha-256`: move line 2 above line 1');
  });

  it('says when the line meant for the app does not match it at all', () => {
    const report = explainShadow(hba, { ...app, user: 'other' }, { line: 2 });
    expect(report).toMatchObject({ shadowed: false, targetMatches: false, targetMismatch: { reason: 'user' } });
  });
});
