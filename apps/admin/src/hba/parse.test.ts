import { describe, expect, it } from 'vitest';
import { parseHba } from './parse.js';
import type { HbaRule } from './types.js';
import { fileRulesView } from './view.js';

const FILE = '/etc/postgresql/18/main/pg_hba.conf';
const files: Record<string, string> = {
  '/etc/postgresql/18/main/users.txt': 'kdt_app, kdt_ops\n',
  '/etc/postgresql/18/main/extra.conf': 'host all all 10.0.0.0/8 scram-sha-256\n',
};
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  return text;
};

function parse(text: string, serverMajor = 18) {
  return parseHba(text, { file: FILE, serverMajor, ssl: 'on', readFile });
}

describe('parseHba', () => {
  it('reads a rule with its fields', () => {
    const [rule] = parse('host kdt_app,"all" +grp 192.168.1.7/24 scram-sha-256').rules;
    expect(rule).toMatchObject({
      type: 'host',
      line: 1,
      ruleNumber: 1,
      databases: [{ text: 'kdt_app', quoted: false }, { text: 'all', quoted: true }],
      users: [{ text: '+grp', quoted: false }],
      address: { kind: 'ip', family: 4, address: '192.168.1.7', netmask: '255.255.255.0' },
      method: 'scram-sha-256',
    });
  });

  it('reports invalid lines without giving up on the file, and says the file will not load', () => {
    const hba = parse('local all all trust\nhost all all 10.0.0.0 md5\nlocal all all peer');
    expect(hba.rules.map((r) => r.line)).toEqual([1, 3]);
    expect(hba.invalid).toMatchObject([{ line: 2, message: 'invalid IP mask "md5": Name or service not known' }]);
    expect(hba.loads).toBe(false);
  });

  it('reads ident on a local line as peer', () => {
    expect(parse('local all all ident map=m').rules[0]!.method).toBe('peer');
  });

  it('expands @files relative to the file and includes files on PostgreSQL 16+', () => {
    const hba = parse('local all @users.txt peer\ninclude extra.conf');
    expect(hba.rules[0]!.users.map((t) => t.text)).toEqual(['kdt_app', 'kdt_ops']);
    expect(hba.rules[1]).toMatchObject({ file: '/etc/postgresql/18/main/extra.conf', line: 1, ruleNumber: 2 });
  });

  it('refuses include and reads /regex as a name on PostgreSQL 15', () => {
    const hba = parse('include extra.conf\nlocal /^kdt all trust', 15);
    expect(hba.invalid[0]!.message).toBe('invalid connection type "include"');
    expect((hba.rules[0] as HbaRule).databases[0]!.regex).toBeUndefined();
    expect(fileRulesView(hba)[0]).not.toHaveProperty('rule_number');
  });

  it('compiles /regex names on PostgreSQL 16+, and reports a bad one in the server words', () => {
    const hba = parse('local /^kdt_(app|ops)$ all trust\nlocal /( all trust');
    expect(hba.rules[0]!.databases[0]!.regex!.test('kdt_ops')).toBe(true);
    expect(hba.invalid[0]!.message).toBe('invalid regular expression "(": parentheses () not balanced');
  });

  it('loads a hostssl line when SSL is off but flags it, as pg_hba_file_rules does', () => {
    const hba = parseHba('hostssl all all all scram-sha-256\nlocal all all peer', { file: FILE, serverMajor: 18, ssl: 'off' });
    expect(hba.loads).toBe(true);
    expect(fileRulesView(hba).map((r) => [r.rule_number, r.error])).toEqual([
      [null, 'hostssl record cannot match because SSL is disabled'],
      [1, null],
    ]);
  });

  it('knows methods missing from a build', () => {
    const hba = parseHba('host all all all ldap ldapserver=x ldapbasedn=y', { file: FILE, serverMajor: 18, build: { ldap: false } });
    expect(hba.invalid[0]!.message).toBe('invalid authentication method "ldap": not supported by this build');
  });

  it('says an empty file does not load', () => {
    expect(parse('# nothing\n')).toMatchObject({ loads: false, loadError: `configuration file "${FILE}" contains no entries` });
  });
});
