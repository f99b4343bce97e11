import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAdmin } from '../../test-support/run-admin.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdt-hba-check-'));
  chmodSync(dir, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(relative: string, lines: string[]): string {
  const file = join(dir, relative);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const VARIED = [
  '# TYPE  DATABASE  USER  ADDRESS  METHOD',
  'local   all       postgres          peer',
  'local   kdt       kdt               scram-sha-256 ',
  'host    kdt       kdt   127.0.0.1/32   md5',
  'host    all       all   10.0.0.0/8     trust',
  'host    kdt       "all" ::1/128        scram-sha-256',
  'host    kdt       kdt   192.168.1.0/24 md6',
  'local   all       all               peer map=omicron',
];

describe('pnpm admin hba check', () => {
  it('--json: every line as pg_hba_file_rules shows it, the invalid line with its error, the findings; exit 1', async () => {
    const file = write('pg_hba.conf', VARIED);
    const run = await runAdmin(['hba', 'check', file, '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ file, serverMajor: 16, loads: false });
    expect(json.rules).toHaveLength(7);
    expect(json.rules[0]).toEqual({
      line: 2,
      type: 'local',
      databases: ['all'],
      users: ['postgres'],
      address: null,
      netmask: null,
      method: 'peer',
      options: {},
      error: null,
      file,
      text: 'local all postgres peer',
    });
    expect(json.rules[2]).toMatchObject({ line: 4, type: 'host', address: '127.0.0.1', netmask: '255.255.255.255', method: 'md5' });
    expect(json.rules[4]).toMatchObject({ line: 6, users: ['all'], address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' });
    expect(json.rules[5]).toEqual({
      line: 7,
      type: null,
      databases: null,
      users: null,
      address: null,
      netmask: null,
      method: null,
      options: null,
      error: 'invalid authentication method "md6"',
      file,
      text: 'host kdt kdt 192.168.1.0/24 md6',
    });
    expect(json.rules[6]).toMatchObject({ line: 8, method: 'peer', options: { map: 'omicron' } });
    const codes = json.findings.map((f: { line: number; code: string }) => `${f.line} ${f.code}`);
    expect(codes).toEqual(expect.arrayContaining(['7 invalid-line', '4 md5-deprecated', '5 trust-over-network', '6 quoted-keyword']));
    expect(json.findings[0]).toEqual(expect.objectContaining({ line: expect.any(Number), severity: expect.stringMatching(/^(warn|info)$/), code: expect.any(String), message: expect.any(String) }));
  });

  it('text: a table with one row per line, the error on its line, the findings, the closing line', async () => {
    const file = write('pg_hba.conf', VARIED);
    const run = await runAdmin(['hba', 'check', file]);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines).toContain('LINE  TYPE   DATABASE  USER      ADDRESS       METHOD         OPTIONS');
    expect(lines).toContain('2     local  all       postgres                peer');
    expect(lines).toContain('4     host   kdt       kdt       127.0.0.1/32  md5');
    expect(lines).toContain('6     host   kdt       "all"     ::1/128       scram-sha-256');
    expect(lines).toContain('7     ✗ invalid authentication method "md6"  (host kdt kdt 192.168.1.0/24 md6)');
    expect(lines).toContain('8     local  all       all                     peer           map=omicron');
    expect(run.stdout).toContain('  ! line 5: trust lets anyone reaching 10.0.0.0/8 in as any listed user without a password; use scram-sha-256');
    expect(run.stdout).toContain('  i line 4: md5 is deprecated');
    expect(run.stdout).toContain('  ! line 6: "all" in quotes is a user named all, not the keyword; remove the quotes');
    expect(run.stdout).toContain('✗ the server would not load this file: 1 invalid line');
    expect(lines.at(-2)).toBe('6 rules, 1 invalid line, 4 findings');
  });

  it('a clean file exits 0; findings alone are warnings and exit 0 too', async () => {
    const clean = write('clean/pg_hba.conf', ['local all all peer', 'host all all 127.0.0.1/32 scram-sha-256']);
    const ok = await runAdmin(['hba', 'check', clean]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n').at(-1)).toBe('2 rules, 0 invalid lines, 0 findings');

    const warned = write('warned/pg_hba.conf', ['local all all peer', 'host all all 0.0.0.0/0 md5']);
    const run = await runAdmin(['hba', 'check', warned, '--json', '--server-major', '18']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ serverMajor: 18, loads: true, loadError: null });
    expect(json.findings).toEqual([expect.objectContaining({ line: 2, severity: 'warn', code: 'md5-deprecated' })]);
  });

  it('never prints an LDAP bind password or RADIUS secret', async () => {
    const file = write('pg_hba.conf', [
      'host all all 10.0.0.0/8 ldap ldapserver=ldap.example.org ldapbasedn="dc=example" ldapbinddn=cn=pg ldapbindpasswd=Secret-Pw-1 ldapsearchattribute=uid',
      'host all all 10.1.0.0/16 radius radiusservers=r.example.org radiussecrets=Radius-S3cret',
      'host all all 10.2.0.0/16 md7 ldapbindpasswd=Secret-Pw-2',
    ]);
    const json = await runAdmin(['hba', 'check', file, '--json']);
    const text = await runAdmin(['hba', 'check', file]);
    const explain = await runAdmin(['hba', 'explain', file, '--type', 'host', '--address', '10.0.0.1', '--database', 'kdt', '--user', 'kdt']);
    for (const run of [json, text, explain]) {
      expect(run.all).not.toMatch(/Secret-Pw|Radius-S3cret/);
    }
    expect(JSON.parse(json.stdout).rules[0].options.ldapbindpasswd).toBe('********');
    expect(explain.stdout).toContain('ldapbindpasswd=********');
  });

  it('discovery under --root: /etc/postgresql/15/main/pg_hba.conf read as PostgreSQL 15, its @file under --root too', async () => {
    write('etc/postgresql/15/main/pg_hba.conf', ['local all postgres peer', 'local kdt @app_users scram-sha-256']);
    write('etc/postgresql/15/main/app_users', ['kdt kdt_admin']);
    const run = await runAdmin(['hba', 'check', '--root', dir, '--json']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ file: '/etc/postgresql/15/main/pg_hba.conf', serverMajor: 15, loads: true });
    expect(json.rules[1]).toMatchObject({ line: 2, databases: ['kdt'], users: ['kdt', 'kdt_admin'], method: 'scram-sha-256' });

    const text = await runAdmin(['hba', 'check', '--root', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(`pg_hba.conf /etc/postgresql/15/main/pg_hba.conf (the usual place under ${dir}; read as PostgreSQL 15, from the path)`);
  });

  it('include_dir on PostgreSQL 16 reads the included folder under --root, and names its lines by file', async () => {
    write('etc/postgresql/16/main/pg_hba.conf', ['local all postgres peer', 'include_dir conf.d']);
    write('etc/postgresql/16/main/conf.d/10-app.conf', ['local kdt kdt scram-sha-256']);
    const run = await runAdmin(['hba', 'check', '--root', dir, '--json']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.serverMajor).toBe(16);
    expect(json.rules[1]).toMatchObject({ line: 1, file: '/etc/postgresql/16/main/conf.d/10-app.conf', databases: ['kdt'] });
    const text = await runAdmin(['hba', 'check', '--root', dir]);
    expect(text.stdout).toMatch(/^10-app\.conf:1 +local +kdt +kdt +scram-sha-256$/m);
  });

  it('nothing to find under --root: one line with the fix, exit 1', async () => {
    const run = await runAdmin(['hba', 'check', '--root', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`✗ pg_hba.conf not found in /etc/postgresql/*/main or /var/lib/pgsql/*/data under ${dir}; give its path: pnpm admin hba check FILE`);
  });

  it('a FILE that is a folder, or missing: one line, exit 1', async () => {
    const folder = await runAdmin(['hba', 'check', dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr.trim()).toBe(`✗ ${dir} is a folder: give the pg_hba.conf file in it (e.g. ${dir}/pg_hba.conf)`);
    const missing = await runAdmin(['hba', 'check', join(dir, 'pg_hba.conf')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${join(dir, 'pg_hba.conf')}: no such file`);
  });

  it.runIf(process.getuid?.() === 0)('a FILE the user may not read: one line naming it and the fix, exit 1', async () => {
    const file = write('pg_hba.conf', ['local all all peer']);
    chmodSync(file, 0o600);
    const run = await runAdmin(['hba', 'check', file], { as: { uid: 65534, gid: 65534 } });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`✗ ${file} is not readable (permission denied): run as root or postgres (sudo -u postgres pnpm admin hba ...)`);
  });
});

describe('pnpm admin hba: usage', () => {
  it('lists its verbs with --help; each verb describes its options', async () => {
    const group = await runAdmin(['hba', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/check \[options\] \[file\]/);
    expect(group.stdout).toMatch(/explain \[options\] \[file\]/);
    const explain = await runAdmin(['hba', 'explain', '--help']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('--address <ip>');
    expect(explain.stdout).toContain('(default: 127.0.0.1)');
  });

  it.each([
    [['hba'], 'Usage: pnpm admin hba'],
    [['hba', 'lint'], "error: unknown command 'lint'"],
    [['hba', 'check', '--jsn'], "error: unknown option '--jsn'"],
    [['hba', 'check', 'a.conf', 'b.conf'], 'error: too many arguments'],
    [['hba', 'check', '--server-major', '9'], '--server-major: expected a PostgreSQL major version such as 15 or 16 (10 or later), got 9'],
    [['hba', 'explain', '--root'], "error: option '--root <dir>' argument missing"],
  ])('%j exits 2 with a clear error', async (args, message) => {
    const run = await runAdmin(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('an unknown option of a verb points to that verb\'s help', async () => {
    const run = await runAdmin(['hba', 'explain', '--tpye', 'local']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('(run "pnpm admin hba explain --help" for usage)');
  });
});
