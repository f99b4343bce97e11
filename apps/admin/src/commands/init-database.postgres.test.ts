import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

  const OLD_TABLE = 'create table stuff (id serial primary key, stuff varchar(255) not null, things text not null, created_at timestamptz null default current_timestamp)';
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
    expect(run.stdout).toContain('alter table "stuff" add "created_at" timestamptz null default current_timestamp, add "submission_key" varchar(64) null;');
    expect(run.stdout).toContain('alter table "stuff" add constraint "stuff_submission_key_unique" unique ("submission_key");');
    expect(await appQuery('select stuff from stuff')).toEqual([{ stuff: '2015' }]);
  });

  it('adds the things limit to a table from before it, keeping rows that fit; the column then refuses a longer value', async () => {
    await appQuery(`${OLD_TABLE}; insert into stuff (stuff, things) values ('fits', repeat('€', 4000))`);
    const run = await init();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('alter table "stuff" add constraint "stuff_things_check" check (length(things) <= 4000);');
    expect(await appQuery('select length(things)::int as n from stuff')).toEqual([{ n: 4000 }]);
    expect((await init()).stdout).toContain('up to date');
    await expect(appQuery("insert into stuff (stuff, things) values ('x', repeat('x', 4001))")).rejects.toMatchObject({ code: '23514' });
  });

  it('a row already longer than the limit: exit 1, nothing changed, and the printed psql commands save and shorten it', async () => {
    await appQuery(`${OLD_TABLE}; insert into stuff (stuff, things) values ('fits', 'short'), ('long', repeat('ü', 4500))`);
    const run = await init();
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      '✗ 1 row(s) of table stuff have things longer than 4000 characters, which the new limit refuses: nothing changed. Next: save and shorten them with the commands above, then run pnpm admin init-database again',
    );
    expect(run.stdout).toContain('1 row(s) have things longer than 4000 characters, the limit the SQL above adds: #2 (4500).');
    expect(await appQuery('select length(things)::int as n from stuff order by id')).toEqual([{ n: 5 }, { n: 4500 }]);
    expect(await appQuery("select count(*)::int as n from pg_constraint where conname = 'stuff_things_check'")).toEqual([{ n: 0 }]);

    const url = `postgresql://kdt_app@/kdt_app?host=${cluster.socketDir}&port=${cluster.port}`;
    const steps = run.stdout.split('\n').filter((l) => /^ {2}[12]\. /.test(l)).map((l) => l.replace(/^ {2}\d\. [^:]*: /, ''));
    expect(steps).toEqual([
      `psql '${url}' -c '\\copy (select id, things from stuff where length(things) > 4000 order by id) to '\\''stuff-long-things.csv'\\'' csv header'`,
      `psql '${url}' -c 'update stuff set things = substr(things, 1, 4000) where length(things) > 4000'`,
    ]);
    // As pasted by the operator, who types the password when psql asks for it.
    const dir = project.root;
    for (const step of steps) {
      const shell = spawnSync('sh', ['-c', step], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, PGPASSWORD: cluster.app.password } });
      expect(shell.status, shell.stderr).toBe(0);
    }
    expect(readFileSync(join(dir, 'stuff-long-things.csv'), 'utf8')).toBe(`id,things\n2,${'ü'.repeat(4500)}\n`);
    expect((await init()).code).toBe(0);
    expect(await appQuery('select length(things)::int as n from stuff order by id')).toEqual([{ n: 5 }, { n: 4000 }]);
  });

  it('--dry-run prints the SQL and changes nothing', async () => {
    const run = await init(['--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('create table "stuff"');
    // The table, its things limit as a constraint of its own, and the submission key's unique constraint.
    expect(run.stdout).toContain('dry run: 3 statement(s) above not run; nothing changed');
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

  // Two operators (or a deployment script on two hosts) at once used to fail now and then with
  // 'relation "stuff" already exists': every run planned before any had created the table.
  it('many runs at once, on a fresh database and on an old table with rows: every one exits 0, exactly one changes the schema, the others find it up to date', async () => {
    for (let round = 1; round <= 3; round++) {
      if (round > 1) {
        await cluster.admin('DROP DATABASE IF EXISTS kdt_app WITH (FORCE)');
        await cluster.admin('CREATE DATABASE kdt_app OWNER kdt_app');
      }
      const old = round === 3;
      if (old) await appQuery("create table stuff (id serial primary key, stuff varchar(255) not null, things text not null); insert into stuff (stuff, things) values ('2015', 'old')");
      const runs = await Promise.all(Array.from({ length: 8 }, () => init()));
      const failed = runs.filter((r) => r.code !== 0).map((r) => r.stderr.trim());
      expect(failed, `round ${round}`).toEqual([]);
      expect(runs.filter((r) => r.stdout.includes('✓ done: ran ')), `round ${round}`).toHaveLength(1);
      expect(runs.filter((r) => r.stdout.includes('✓ up to date')), `round ${round}`).toHaveLength(7);
      expect(await appQuery('select stuff from stuff')).toEqual(old ? [{ stuff: '2015' }] : []);
    }
  }, 180_000);

});
