import { pgServers, query, startPostgres, tempProject, type PgCluster, type TempProject } from '@kit-db-test/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAdmin, type AdminRun } from '../test-support/run-admin.js';

describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('init-database on %s', (_name, server) => {
  let cluster: PgCluster;
  let project: TempProject;
  let passwordFile: string;
  // Everything the CLI printed in this suite: the password must appear in none of it.
  const outputs: string[] = [];

  beforeAll(async () => {
    cluster = await startPostgres({ server });
    project = tempProject();
    passwordFile = project.writeFile('db-password', `${cluster.app.password}\n`);
    // Like the shipped example: a socket URL without password, the password in a file.
    project.writeProfile('postgres', { url: cluster.socketUrl({ password: undefined }) });
  });
  afterAll(async () => {
    await cluster?.destroy();
    project?.remove();
  });
  beforeEach(async () => {
    await cluster.admin('DROP DATABASE IF EXISTS kdt_app WITH (FORCE)');
    await cluster.admin('CREATE DATABASE kdt_app OWNER kdt_app');
  });
  // Every run a test made, checked once it is done (each test on its own): none printed the password.
  afterEach(() => {
    for (const text of outputs.splice(0)) expect(text).not.toContain(cluster.app.password);
  });

  async function init(args: string[] = [], env: Record<string, string> = {}): Promise<AdminRun> {
    const run = await runAdmin(['init-database', '--profile', 'postgres', ...args], {
      env: { KDT_ROOT: project.root, DATABASE_PASSWORD_FILE: passwordFile, ...env },
    });
    outputs.push(run.all);
    return run;
  }

  const appQuery = <R extends object>(sql: string) => query<R>(cluster.tcpUrl(), sql);
  const tableExists = async () =>
    (await appQuery<{ t: string | null }>("select to_regclass('public.stuff')::text as t"))[0]!.t === 'stuff';

  it('creates the table, printing profile, driver, masked target and the SQL', async () => {
    const run = await init();
    expect(run.code).toBe(0);
    expect(await tableExists()).toBe(true);
    expect(run.stdout).toContain('profile  postgres (config/postgres.json, chosen by flag --profile)');
    expect(run.stdout).toContain('driver   postgresql');
    expect(run.stdout).toContain(`target   postgresql://kdt_app:********@/kdt_app?host=${cluster.socketDir}&port=${cluster.port}`);
    expect(run.stdout).toContain('create table "stuff" ("id" serial primary key, "stuff" varchar(255) not null');
  });

  it('is idempotent: a second run says so, changes nothing and keeps the rows', async () => {
    await init();
    await appQuery("insert into stuff (stuff, things) values ('one', '1'), ('two', '2')");
    const run = await init();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✓ up to date: table stuff matches the entity (2 row(s)); nothing to do');
    expect(await appQuery('select stuff from stuff order by id')).toEqual([{ stuff: 'one' }, { stuff: 'two' }]);
  });

  it('adds created_at to a table from the old tool, keeping its rows', async () => {
    await appQuery("create table stuff (id serial primary key, stuff varchar(255) not null, things text not null); insert into stuff (stuff, things) values ('2015', 'old')");
    const run = await init();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('alter table "stuff" add "created_at" timestamptz null default current_timestamp;');
    expect(await appQuery('select stuff from stuff')).toEqual([{ stuff: '2015' }]);
  });

  it('--dry-run prints the SQL and changes nothing', async () => {
    const run = await init(['--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('create table "stuff"');
    expect(run.stdout).toContain('dry run: 1 statement(s) above not run; nothing changed');
    expect(await tableExists()).toBe(false);
  });

  it('--reset refuses without --yes on a non-terminal, and with --yes empties the table', async () => {
    await init();
    await appQuery("insert into stuff (stuff, things) values ('keep', 'me')");
    const refused = await init(['--reset']);
    expect(refused.code).toBe(2);
    expect(await appQuery('select count(*)::int as n from stuff')).toEqual([{ n: 1 }]);
    const reset = await init(['--reset', '--yes']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('drop table "stuff";');
    expect(await appQuery('select count(*)::int as n from stuff')).toEqual([{ n: 0 }]);
  });

  it('a wrong password: one line, the SQLSTATE, a pointer to the doctor, exit 1', async () => {
    const wrong = project.writeFile('wrong-password', 'not-the-password');
    const run = await init([], { DATABASE_PASSWORD_FILE: wrong });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      '✗ PostgreSQL refused the login of "kdt_app" to "kdt_app": password authentication failed for user "kdt_app" [28P01]. Next: pnpm admin doctor (it reads pg_hba.conf and says which line decided, and the fix)',
    );
  });

  it('a missing database: the SQL that creates it, exit 1', async () => {
    const run = await init([], { DATABASE_URL: cluster.socketUrl({ password: undefined, database: 'kdt_missing' }) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `✗ the database "kdt_missing" does not exist: database "kdt_missing" does not exist [3D000]. Next: create it as the postgres superuser: sudo -u postgres psql -c 'CREATE DATABASE "kdt_missing" OWNER "kdt_app"'`,
    );
  });

  it('no CREATE privilege on schema public (PostgreSQL 15+): says why and the GRANT, exit 1, nothing created', async () => {
    await cluster.admin('DROP DATABASE IF EXISTS kdt_app WITH (FORCE)');
    await cluster.admin('CREATE DATABASE kdt_app'); // owned by postgres: since 15, others cannot create in public
    await cluster.admin('GRANT CONNECT ON DATABASE kdt_app TO kdt_app');
    const run = await init();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('lacks a privilege in "kdt_app": permission denied for schema public [42501]');
    expect(run.stderr).toContain(`GRANT CREATE ON SCHEMA public TO "kdt_app"`);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a stopped server: cannot reach it, names the socket, exit 1', async () => {
    const stopped = await startPostgres({ server });
    await stopped.stop();
    try {
      const run = await init([], { DATABASE_URL: stopped.socketUrl({ password: undefined }) });
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toMatch(
        new RegExp(`^✗ cannot reach PostgreSQL: no server answers on the socket ${stopped.socketDir}/\\.s\\.PGSQL\\.${stopped.port}: connect ENOENT .* \\[ENOENT\\]\\. Next: check that the server runs`),
      );
    } finally {
      await stopped.destroy();
    }
  });

});
