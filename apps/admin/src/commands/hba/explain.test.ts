import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAdmin } from '../../test-support/run-admin.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdt-hba-explain-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function hbaFile(lines: string[]): string {
  const file = join(dir, 'pg_hba.conf');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function explain(file: string, ...args: string[]) {
  const run = await runAdmin(['hba', 'explain', file, '--json', ...args]);
  return { ...run, json: run.stdout ? JSON.parse(run.stdout) : undefined };
}

describe('pnpm admin hba explain', () => {
  it('the classic shadowing: local all all peer above the line written for kdt decides, and hides it', async () => {
    const file = hbaFile(['local   all   all   peer', 'local   kdt   kdt   scram-sha-256']);
    const run = await explain(file, '--type', 'local', '--database', 'kdt', '--user', 'kdt');
    expect(run.code).toBe(0);
    expect(run.json).toEqual({
      match: { line: 1, type: 'local', method: 'peer', text: 'local all all peer' },
      verdict: 'line 1 (local all all peer) decides: peer authentication',
      shadowed: [{ line: 2, text: 'local kdt kdt scram-sha-256', method: 'scram-sha-256' }],
      file,
    });

    const text = await runAdmin(['hba', 'explain', file, '--type', 'local', '--database', 'kdt', '--user', 'kdt']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('✓ line 1 (local all all peer) decides: peer authentication');
    expect(text.stdout).toContain('line 2 (local kdt kdt scram-sha-256) would match too, but line 1 comes first');
    expect(text.stdout).toContain('fix: move line 2 above line 1, then reload');
  });

  it('a later catch-all line is not reported as hidden; a line for another database is not either', async () => {
    const file = hbaFile(['local kdt kdt peer', 'local other kdt md5', 'local all all scram-sha-256']);
    const run = await explain(file, '--type', 'local', '--database', 'kdt', '--user', 'kdt');
    expect(run.code).toBe(0);
    expect(run.json.match.line).toBe(1);
    expect(run.json.shadowed).toEqual([]);
  });

  it('no line matches: match null, the server\'s own words, exit 1', async () => {
    const file = hbaFile(['local kdt kdt peer', 'host kdt kdt 10.0.0.0/8 scram-sha-256']);
    const run = await explain(file, '--type', 'local', '--database', 'other', '--user', 'someone');
    expect(run.code).toBe(1);
    expect(run.json).toEqual({
      match: null,
      verdict: 'no pg_hba.conf entry: the server refuses with "no pg_hba.conf entry for host "[local]", user "someone", database "other", no encryption"',
      shadowed: [],
      file,
    });
    expect(run.stderr).toBe('');

    const text = await runAdmin(['hba', 'explain', file, '--type', 'host', '--database', 'kdt', '--user', 'kdt', '--address', '192.168.1.5']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('✗ no pg_hba.conf entry: the server refuses with "no pg_hba.conf entry for host "192.168.1.5", user "kdt", database "kdt", no encryption"');
    // why each line was skipped
    expect(text.stdout).toContain('line 1 (local kdt kdt peer): a local line does not match a TCP/IP connection');
    expect(text.stdout).toContain('line 2 (host kdt kdt 10.0.0.0/8 scram-sha-256): 192.168.1.5 is not in 10.0.0.0/255.0.0.0');
    expect(text.stdout).toContain('fix: add a line for it, e.g. `host kdt kdt 192.168.1.5/32 scram-sha-256`');
  });

  it('a reject line decides: exit 1, and the lines written for the connection below it are hidden', async () => {
    const file = hbaFile(['local all all reject', 'local kdt kdt scram-sha-256']);
    const run = await explain(file, '--type', 'local', '--database', 'kdt', '--user', 'kdt');
    expect(run.code).toBe(1);
    expect(run.json.match).toEqual({ line: 1, type: 'local', method: 'reject', text: 'local all all reject' });
    expect(run.json.verdict).toBe(
      'line 1 (local all all reject) decides: reject, the server refuses with "pg_hba.conf rejects connection for host "[local]", user "kdt", database "kdt", no encryption"',
    );
    expect(run.json.shadowed).toEqual([{ line: 2, text: 'local kdt kdt scram-sha-256', method: 'scram-sha-256' }]);
  });

  it('a TCP connection from 127.0.0.1 and from ::1 (and 127.0.0.1 when --address is left out)', async () => {
    const file = hbaFile(['host all all 127.0.0.1/32 scram-sha-256', 'host all all ::1/128 md5']);
    const v4 = await explain(file, '--type', 'host', '--database', 'kdt', '--user', 'kdt', '--address', '127.0.0.1');
    expect(v4.code).toBe(0);
    expect(v4.json.match).toEqual({ line: 1, type: 'host', method: 'scram-sha-256', text: 'host all all 127.0.0.1/32 scram-sha-256' });
    expect(v4.json.verdict).toBe('line 1 (host all all 127.0.0.1/32 scram-sha-256) decides: scram-sha-256 authentication');

    const v6 = await explain(file, '--type', 'host', '--database', 'kdt', '--user', 'kdt', '--address', '::1');
    expect(v6.code).toBe(0);
    expect(v6.json.match).toEqual({ line: 2, type: 'host', method: 'md5', text: 'host all all ::1/128 md5' });

    const byDefault = await explain(file, '--type', 'host', '--database', 'kdt', '--user', 'kdt');
    expect(byDefault.json.match.line).toBe(1);

    const text = await runAdmin(['hba', 'explain', file, '--type', 'host', '--database', 'kdt', '--user', 'kdt', '--address', '::1']);
    expect(text.stdout).toContain('connection  TCP from ::1 to database "kdt" as user "kdt" without SSL');
    expect(text.stdout).toContain('line 1 (host all all 127.0.0.1/32 scram-sha-256): ::1 is not in 127.0.0.1/255.255.255.255');
  });

  it('--ssl against hostnossl and hostssl lines; --type hostssl implies SSL, hostnossl implies none', async () => {
    const file = hbaFile(['hostnossl all all 0.0.0.0/0 reject', 'hostssl all all 0.0.0.0/0 scram-sha-256']);
    const args = ['--database', 'kdt', '--user', 'kdt', '--address', '127.0.0.1'];

    const plain = await explain(file, '--type', 'host', ...args);
    expect(plain.code).toBe(1);
    expect(plain.json.match.line).toBe(1);
    expect(plain.json.verdict).toContain('no encryption"');

    const ssl = await explain(file, '--type', 'host', '--ssl', ...args);
    expect(ssl.code).toBe(0);
    expect(ssl.json.match).toEqual({ line: 2, type: 'hostssl', method: 'scram-sha-256', text: 'hostssl all all 0.0.0.0/0 scram-sha-256' });

    const hostssl = await explain(file, '--type', 'hostssl', ...args);
    expect(hostssl.code).toBe(0);
    expect(hostssl.json.match.line).toBe(2);

    const hostnossl = await explain(file, '--type', 'hostnossl', ...args);
    expect(hostnossl.code).toBe(1);
    expect(hostnossl.json.match.line).toBe(1);

    const text = await runAdmin(['hba', 'explain', file, '--type', 'host', '--ssl', ...args]);
    expect(text.stdout).toContain('line 1 (hostnossl all all 0.0.0.0/0 reject): hostnossl does not match an SSL connection');
  });

  it('finds pg_hba.conf as the doctor does under --root, and reads the version from its path', async () => {
    const etc = join(dir, 'etc/postgresql/15/main');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'pg_hba.conf'), 'local all postgres peer\nlocal kdt kdt scram-sha-256\n');
    const run = await runAdmin(['hba', 'explain', '--root', dir, '--type', 'local', '--database', 'kdt', '--user', 'kdt', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ file: '/etc/postgresql/15/main/pg_hba.conf', match: { line: 2, method: 'scram-sha-256' } });

    const text = await runAdmin(['hba', 'explain', '--root', dir, '--type', 'local', '--database', 'kdt', '--user', 'kdt']);
    expect(text.stdout).toContain(`pg_hba.conf /etc/postgresql/15/main/pg_hba.conf (the usual place under ${dir}; read as PostgreSQL 15, from the path)`);
  });

  it('warns on stderr when the server would not load the file, and still simulates it', async () => {
    const file = hbaFile(['local all all peer', 'local kdt kdt md6']);
    const run = await explain(file, '--type', 'local', '--database', 'kdt', '--user', 'kdt');
    expect(run.code).toBe(0);
    expect(run.json.match.line).toBe(1);
    expect(run.stderr).toContain('! the server would not load this file: 1 invalid line');
  });

  describe('bad input', () => {
    const request = ['--database', 'kdt', '--user', 'kdt'];
    it.each([
      [['--type', 'sockets', ...request], '--type sockets: unknown connection type; give one of local, host, hostssl, hostnossl, hostgssenc, hostnogssenc'],
      [request, '--type is missing: give one of local, host'],
      [['--type', 'local', '--user', 'kdt'], '--database is missing: give the database the client asks for, e.g. --database kdt'],
      [['--type', 'local', '--database', 'kdt'], '--user is missing: give the role the client logs in as, e.g. --user kdt'],
      [['--type', 'local', '--ssl', ...request], '--ssl: a local (unix-socket) connection never uses SSL'],
      [['--type', 'local', '--address', '::1', ...request], '--address: a local (unix-socket) connection has no address'],
      [['--type', 'hostnossl', '--ssl', ...request], '--ssl contradicts --type hostnossl'],
      [['--type', 'host', '--address', 'db.example.org', ...request], '--address db.example.org: not an IP address; give the client\'s address as the server sees it, e.g. 127.0.0.1 or ::1'],
      [['--type', 'local', '--server-major', 'sixteen', ...request], '--server-major: expected a PostgreSQL major version such as 15 or 16, got "sixteen"'],
      [['--type', 'local', '--dtabase', 'kdt', '--user', 'kdt'], "error: unknown option '--dtabase'"],
    ])('%j: one line naming the problem, exit 2', async (args, message) => {
      const file = hbaFile(['local all all peer']);
      const run = await runAdmin(['hba', 'explain', file, ...args]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(message);
    });

    it('a FILE that does not exist: one line naming it and the fix, exit 1', async () => {
      const missing = join(dir, 'nope.conf');
      const run = await runAdmin(['hba', 'explain', missing, '--type', 'local', ...request]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(`✗ ${missing}: no such file; give the path of pg_hba.conf (the server's: psql -c 'SHOW hba_file')`);
    });
  });
});
