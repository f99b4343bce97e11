// The rendered pg_hba.conf lines and SQL as a real PostgreSQL server takes them: the lines load
// (pg_hba_file_rules has no error) and let the role in, and psql runs the script as an operator
// would, the password on standard input.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pgServers, query, startPostgres, SUPERUSER, type PgCluster } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresFacts } from './database-facts.js';
import { loadTemplates } from './load-templates.js';
import { renderFiles } from './render-files.js';
import { renderPlan } from './render-plan.js';
import { renderRequest } from './render-request.js';

const ROLE = 'kdt_ops';
const DATABASE = 'kdt_ops_db';
// A quote, a backslash and a space: psql's :'password' must pass it through as it is.
const PASSWORD = `it's a \\ pw-5e07`;
const facts: PostgresFacts = {
  driver: 'postgresql',
  role: ROLE,
  database: DATABASE,
  target: `postgresql://${ROLE}@/${DATABASE}?host=/var/run/postgresql`,
  socket: true,
  host: '/var/run/postgresql',
  port: 5432,
  local: true,
  hasPassword: false,
  profile: { kind: 'default' },
  databaseUrl: null,
};

const rendered = renderFiles(renderPlan(renderRequest({}, { checkoutRoot: '/srv/kit-db-test', buildBasePath: '', envBasePath: undefined }), facts, 'OUT'), loadTemplates());
const text = (outPath: string) => rendered.find((f) => f.outPath === outPath)!.text;
const HBA = text('postgres/pg_hba-kit-db-test.conf');
const SQL_FILE = 'postgres/create-role-and-database.sql';

describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('rendered PostgreSQL files on %s', (_name, server) => {
  let cluster: PgCluster;
  let sqlPath: string;
  // The superuser's own line, after the rendered ones, as on a server (Debian: local all postgres peer).
  beforeAll(async () => {
    cluster = await startPostgres({ server, hba: `${HBA}local all ${SUPERUSER} trust\n` });
    sqlPath = join(cluster.dir, 'create-role-and-database.sql');
    writeFileSync(sqlPath, text(SQL_FILE));
    // A server that would store md5: the script must store SCRAM anyway.
    await cluster.admin("ALTER SYSTEM SET password_encryption = 'md5'");
    await cluster.admin('SELECT pg_reload_conf()');
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  /** psql -f the script, as the superuser, with `stdin` on standard input: sudo -u postgres psql -f … < password-file */
  function psql(stdin: string, file = sqlPath) {
    const own = join(server.bin, 'psql');
    const run = spawnSync(existsSync(own) ? own : 'psql', ['-X', '-h', cluster.socketDir, '-p', String(cluster.port), '-U', SUPERUSER, '-d', 'postgres', '-f', file], {
      input: stdin,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
    });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  const login = (url: string) => query<{ who: string; db: string }>(url, 'select current_user as who, current_database() as db');

  it('loads every rendered pg_hba.conf line, each for the app only, with scram-sha-256', async () => {
    expect(await cluster.admin('SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL')).toEqual([]);
    const rules = await cluster.admin<{ type: string; database: string[]; user_name: string[]; address: string | null; auth_method: string }>(
      `SELECT type, database, user_name, address, auth_method FROM pg_hba_file_rules WHERE user_name = ARRAY['${ROLE}'] ORDER BY line_number`,
    );
    expect(rules).toEqual([
      { type: 'local', database: [DATABASE], user_name: [ROLE], address: null, auth_method: 'scram-sha-256' },
      { type: 'host', database: [DATABASE], user_name: [ROLE], address: '127.0.0.1', auth_method: 'scram-sha-256' },
      { type: 'host', database: [DATABASE], user_name: [ROLE], address: '::1', auth_method: 'scram-sha-256' },
    ]);
  });

  it('refuses to run without a password on standard input (nothing, or an empty line), and creates nothing', async () => {
    const none = psql('');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('\\prompt: could not read value for variable');
    const empty = psql('\n');
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain('no password on standard input: psql -f create-role-and-database.sql < /etc/kit-db-test/db-password');
    expect(await cluster.admin('SELECT 1 FROM pg_roles WHERE rolname = $1', [ROLE])).toEqual([]);
  });

  it('creates the role (login, SCRAM, no other rights) and its database owned by it; the role logs in', async () => {
    const run = psql(`${PASSWORD}\n`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`role ${ROLE} and database ${DATABASE} are ready`);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);

    expect(await cluster.admin('SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1', [ROLE])).toEqual([
      { rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false },
    ]);
    const [{ verifier }] = (await cluster.admin<{ verifier: string }>('SELECT rolpassword AS verifier FROM pg_authid WHERE rolname = $1', [ROLE])) as [{ verifier: string }];
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(await cluster.admin('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [DATABASE])).toEqual([{ owner: ROLE }]);

    // Through the rendered lines: the unix socket (local) and TCP from 127.0.0.1 (host).
    const as = { user: ROLE, password: PASSWORD, database: DATABASE };
    expect(await login(cluster.socketUrl(as))).toEqual([{ who: ROLE, db: DATABASE }]);
    expect(await login(cluster.tcpUrl(as))).toEqual([{ who: ROLE, db: DATABASE }]);
    await expect(login(cluster.tcpUrl({ ...as, password: 'wrong' }))).rejects.toThrow(/password authentication failed/);
  });

  it("a role name with a quote and a blank, a database name with a capital and a blank: psql runs the script as it reads", async () => {
    const odd = renderFiles(renderPlan(renderRequest({}, { checkoutRoot: '/srv/kit-db-test', buildBasePath: '', envBasePath: undefined }), { ...facts, role: "o'brien ops", database: 'Stuff DB' }, 'OUT'), loadTemplates());
    const file = join(cluster.dir, 'odd.sql');
    writeFileSync(file, odd.find((f) => f.outPath === SQL_FILE)!.text);
    const run = psql('odd-pw-31c9\n', file);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("role o'brien ops and database Stuff DB are ready");
    expect(await cluster.admin('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', ['Stuff DB'])).toEqual([{ owner: "o'brien ops" }]);
  });

  it('runs again: keeps the role and database, and sets the new password', async () => {
    const run = psql('second-pw-77a1\n');
    expect(run.code).toBe(0);
    const as = { user: ROLE, database: DATABASE };
    expect(await login(cluster.tcpUrl({ ...as, password: 'second-pw-77a1' }))).toEqual([{ who: ROLE, db: DATABASE }]);
    await expect(login(cluster.tcpUrl({ ...as, password: PASSWORD }))).rejects.toThrow(/password authentication failed/);
    expect(await cluster.admin('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [DATABASE])).toEqual([{ n: 1 }]);
  });
});
