import { join } from 'node:path';
import { pgServers, query, startPostgres, tempProject, type PgCluster, type TempProject } from '@kit-db-test/testing';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { doctor, type DoctorReport } from '../test-support/doctor-report.js';
import { runAdmin } from '../test-support/run-admin.js';

const HBA = ['# TYPE  DATABASE  USER     ADDRESS        METHOD', 'local   all       all                     scram-sha-256', 'host    all       all      127.0.0.1/32   scram-sha-256'].join('\n');

/** The SQL a fix runs: the shell-quoted argument of `psql … -c '…'`, unquoted as sh does. */
function sqlOf(fix: string): string {
  const m = /psql(?: -d \S+)? -c ('(?:[^']|'\\'')*')/.exec(fix);
  if (!m) throw new Error(`no SQL in fix: ${fix}`);
  return m[1]!.slice(1, -1).replace(/'\\''/g, "'");
}

// Scenarios past the password: the server opens the session, then the site's first statements run.
// Each breaks one thing the way an operator does, asserts the check, its evidence and its fix,
// applies the fix as printed, and asserts the doctor passes.
describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('pnpm admin doctor, session and statements, on %s', (_name, server) => {
  let cluster: PgCluster;
  let project: TempProject;
  let passwordFile: string;
  const outputs: string[] = [];

  beforeAll(async () => {
    cluster = await startPostgres({ server, hba: HBA });
    project = tempProject();
    passwordFile = project.writeFile('db-password', `${cluster.app.password}\n`);
  });
  afterAll(async () => {
    await cluster?.destroy();
    project?.remove();
  });
  beforeEach(async () => {
    // Undo whatever the previous scenario broke, then make the table.
    await cluster.admin(`ALTER ROLE kdt_app LOGIN PASSWORD '${cluster.app.password}' VALID UNTIL 'infinity' CONNECTION LIMIT -1`);
    await cluster.admin('ALTER ROLE kdt_app RESET ALL');
    await cluster.admin('ALTER ROLE kdt_app IN DATABASE kdt_app RESET ALL');
    await cluster.admin('ALTER DATABASE kdt_app RESET ALL');
    await cluster.admin('ALTER DATABASE kdt_app ALLOW_CONNECTIONS true CONNECTION LIMIT -1');
    await cluster.admin('GRANT CONNECT ON DATABASE kdt_app TO PUBLIC');
    await query(cluster.tcpUrl(), 'drop schema if exists app cascade');
    await init();
  });

  const env = (extra: Record<string, string> = { DATABASE_PASSWORD_FILE: passwordFile }) => ({
    KDT_ROOT: project.root,
    DATABASE_URL: cluster.socketUrl({ password: undefined }),
    ...extra,
  });
  const files = ['--hba-file', () => cluster.hbaFile, '--server-log', () => join(cluster.dir, 'server.log')] as const;
  const args = () => files.map((f) => (typeof f === 'function' ? f() : f));

  async function run(options: { env?: Record<string, string>; args?: string[] } = {}): Promise<DoctorReport> {
    const report = await doctor([...args(), ...(options.args ?? [])], { env: env(options.env) });
    outputs.push(report.run.all);
    return report;
  }
  async function init(): Promise<void> {
    const result = await runAdmin(['init-database'], { env: env() });
    outputs.push(result.all);
    if (result.code !== 0) throw new Error(`init-database failed: ${result.all}`);
  }
  // The database's checks: the site's service on this machine (another program may hold its port) is not the scenario.
  function expectHealthy(report: DoctorReport): void {
    const database = report.checks.filter((c) => c.id.startsWith('pg.') || c.id.startsWith('config.'));
    // pg.tls skips itself on a unix socket (TLS does not apply there): not a failure.
    expect(database.filter((c) => c.status === 'fail' || (c.status === 'skip' && c.id !== 'pg.tls')).map((c) => c.id), JSON.stringify(database, null, 1)).toEqual([]);
  }

  it('an expired password (VALID UNTIL): the server log\'s DETAIL names it; VALID UNTIL \'infinity\' fixes it', async () => {
    await cluster.admin("ALTER ROLE kdt_app VALID UNTIL '2001-01-01'");
    const report = await run();
    const auth = report.check('pg.auth');
    expect(auth).toMatchObject({ status: 'fail', summary: 'the password of "kdt_app" has expired (VALID UNTIL)' });
    expect(auth.evidence.some((e) => /^server log .* \[\d+\]: password authentication failed for user "kdt_app" DETAIL: User "kdt_app" has an expired password\.$/.test(e))).toBe(true);
    await cluster.admin(sqlOf(auth.fix[0]!));
    expectHealthy(await run());
  });

  it('a server log the doctor cannot read: names the file and why, and the commands that show the line', async () => {
    await cluster.admin("ALTER ROLE kdt_app VALID UNTIL '2001-01-01'");
    const missing = join(project.root, 'no-such.log');
    const report = await doctor(['--hba-file', cluster.hbaFile, '--server-log', missing], { env: env() });
    outputs.push(report.run.all);
    const auth = report.check('pg.auth');
    expect(auth.status).toBe('fail');
    expect(auth.summary).toMatch(/^the password was refused for "kdt_app": a wrong password, a missing role, an expired password/);
    expect(auth.evidence).toContain(`${missing} is not readable (not found)`);
    expect(auth.fix[0]).toBe(`see the server's line: sudo tail -n 50 ${missing}`);
    expect(auth.fix.some((f) => /journalctl -u postgresql/.test(f))).toBe(true);
  });

  it('no password configured where the server asks for one: a configuration mistake, not "something else listens there"', async () => {
    const report = await run({ env: {} });
    expect(report.check('pg.server').status).toBe('pass');
    const auth = report.check('pg.auth');
    expect(auth).toMatchObject({ status: 'fail', summary: 'the server asks for a password (scram-sha-256) and the configuration has none' });
    expect(auth.fix[0]).toMatch(/set DATABASE_PASSWORD_FILE/);
    expectHealthy(await run());
  });

  it('a database that does not accept connections (ALLOW_CONNECTIONS false): the login passes, the database check names it; the fix works', async () => {
    await cluster.admin('ALTER DATABASE kdt_app ALLOW_CONNECTIONS false');
    const report = await run();
    expect(report.check('pg.auth').status).toBe('pass');
    const database = report.check('pg.database');
    expect(database).toMatchObject({ status: 'fail', summary: 'database "kdt_app" does not accept connections (ALLOW_CONNECTIONS false)' });
    expect(database.evidence[0]).toBe('server: database "kdt_app" is not currently accepting connections (SQLSTATE 55000)');
    await cluster.admin(sqlOf(database.fix[0]!));
    expectHealthy(await run());
  });

  it('CONNECT revoked (REVOKE CONNECT … FROM PUBLIC): names the privilege; the GRANT fixes it', async () => {
    await cluster.admin('REVOKE CONNECT ON DATABASE kdt_app FROM PUBLIC, kdt_app');
    const report = await run();
    const database = report.check('pg.database');
    expect(database).toMatchObject({ status: 'fail', summary: '"kdt_app" lacks the CONNECT privilege on database "kdt_app"' });
    expect(database.evidence).toContain('server: DETAIL: User does not have CONNECT privilege.');
    expect(database.fix).toEqual([`sudo -u postgres psql -c 'GRANT CONNECT ON DATABASE "kdt_app" TO "kdt_app"'`]);
    await cluster.admin(sqlOf(database.fix[0]!));
    expectHealthy(await run());
  });

  it('a CONNECTION LIMIT reached, on the database and on the role (53300): names which; the fix works', async () => {
    await cluster.admin('ALTER DATABASE kdt_app CONNECTION LIMIT 0');
    const db = await run();
    expect(db.check('pg.database')).toMatchObject({ status: 'fail', summary: 'database "kdt_app" has reached its CONNECTION LIMIT' });
    await cluster.admin(sqlOf(db.check('pg.database').fix[0]!));
    expectHealthy(await run());

    await cluster.admin('ALTER ROLE kdt_app CONNECTION LIMIT 0');
    const role = await run();
    expect(role.check('pg.database')).toMatchObject({ status: 'fail', summary: 'role "kdt_app" has reached its CONNECTION LIMIT' });
    expect(role.check('pg.database').evidence[0]).toBe('server: too many connections for role "kdt_app" (SQLSTATE 53300)');
    await cluster.admin(sqlOf(role.check('pg.database').fix[0]!));
    expectHealthy(await run());
  });

  it('a read-only database (default_transaction_read_only), set for the database or the role: names where; the fix works', async () => {
    await cluster.admin('ALTER DATABASE kdt_app SET default_transaction_read_only = on');
    const report = await run();
    const roundTrip = report.check('pg.roundtrip');
    expect(roundTrip).toMatchObject({ status: 'fail', summary: 'database "kdt_app" is read-only for "kdt_app": default_transaction_read_only is on' });
    expect(roundTrip.evidence).toEqual([
      'server: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)',
      'default_transaction_read_only = on, set for database "kdt_app" (ALTER DATABASE … SET)',
    ]);
    await cluster.admin(sqlOf(roundTrip.fix[0]!));
    expectHealthy(await run());

    await cluster.admin('ALTER ROLE kdt_app SET default_transaction_read_only = on');
    const role = await run();
    expect(role.check('pg.roundtrip').evidence[1]).toBe('default_transaction_read_only = on, set for role "kdt_app" (ALTER ROLE … SET)');
    await cluster.admin(sqlOf(role.check('pg.roundtrip').fix[0]!));
    expectHealthy(await run());
  });

  it('a lock another session holds on the table: the doctor stops at its own timeouts, names the holder; ending it fixes it', async () => {
    // No limit of the role's own: only the doctor's bounds stop the wait.
    await cluster.admin('ALTER ROLE kdt_app SET statement_timeout = 0');
    await cluster.admin('ALTER ROLE kdt_app SET lock_timeout = 0');
    for (const [mode, check, summary, held] of [
      ['share', 'pg.roundtrip', "the site's INSERT into table stuff", 'ShareLock'],
      ['access exclusive', 'pg.schema', 'reading the definition of table stuff', 'AccessExclusiveLock'],
    ] as const) {
      const holder = new pg.Client({ connectionString: cluster.tcpUrl(), application_name: 'nightly export' });
      // The fix ends this session: the server's "terminating connection" is expected, not a crash.
      holder.on('error', () => undefined);
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query(`lock table stuff in ${mode} mode`);
        const { pid } = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!;
        const report = await run();
        const failed = report.check(check);
        expect(failed, JSON.stringify(report.checks.slice(1, 9), null, 1)).toMatchObject({ status: 'fail', summary: `${summary} waits on a lock held by process ${pid}` });
        expect(failed.evidence[0]).toMatch(/^server: canceling statement due to (lock|statement) timeout \(SQLSTATE (55P03|57014)\)$/);
        expect(failed.evidence.some((e) => e.startsWith(`process ${pid} (role kdt_app, application 'nightly export', idle in transaction`) && e.includes(`holds ${held} on table stuff`))).toBe(true);
        await cluster.admin(sqlOf(failed.fix[0]!));
        expectHealthy(await run());
      } finally {
        await holder.end().catch(() => undefined);
      }
    }
  });

  it('a search_path without the table\'s schema: named with the path, never "create the table"; setting the path fixes it', async () => {
    await cluster.admin('ALTER ROLE kdt_app SET search_path = nowhere');
    const report = await run();
    const privileges = report.check('pg.privileges');
    expect(privileges).toMatchObject({ status: 'fail', summary: 'table stuff is in schema "public", which the search_path of "kdt_app" does not contain' });
    expect(privileges.evidence[0]).toBe('search_path = nowhere (set by: user)');
    expect(report.check('pg.schema')).toMatchObject({ status: 'fail', summary: privileges.summary });
    expect(report.check('pg.schema').fix).not.toContain('pnpm admin init-database');
    await cluster.admin(sqlOf(privileges.fix[0]!));
    expectHealthy(await run());
  });

  it('the table in another schema than the search_path names: says where it is; pointing the path there fixes it, with no second table', async () => {
    await query(cluster.tcpUrl(), 'create schema app');
    await query(cluster.tcpUrl(), "insert into stuff (stuff, things) values ('kept', 'row')");
    await query(cluster.tcpUrl(), 'alter table stuff set schema app');
    const report = await run();
    const privileges = report.check('pg.privileges');
    expect(privileges).toMatchObject({ status: 'fail', summary: 'table stuff is in schema "app", which the search_path of "kdt_app" does not contain' });
    expect(privileges.evidence).toContain('tables named stuff: "app"."stuff"');
    expect(privileges.fix[0]).toMatch(/^sudo -u postgres psql -c 'ALTER ROLE "kdt_app" IN DATABASE "kdt_app" SET search_path = "app"'/);
    await cluster.admin(sqlOf(privileges.fix[0]!));
    expectHealthy(await run());
    expect(await query(cluster.tcpUrl(), "select n.nspname as schema from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname = 'stuff' and c.relkind = 'r'")).toEqual([{ schema: 'app' }]);
  });

  it('never printed the password', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const text of outputs) expect(text).not.toContain(cluster.app.password);
  });
});
