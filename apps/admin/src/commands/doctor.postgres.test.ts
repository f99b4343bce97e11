import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { pgServers, query, startPostgres, tempProject, withMargin, type PgCluster, type TempProject } from '@kit-db-test/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { doctor, type DoctorReport } from '../test-support/doctor-report.js';
import { runAdmin } from '../test-support/run-admin.js';
import { NETWORK_TIMEOUT_MS } from './doctor.js';

const HEADER = '# TYPE  DATABASE  USER     ADDRESS        METHOD';
const HOST_LINE = 'host    all       all      127.0.0.1/32   scram-sha-256';
const GOOD_HBA = [HEADER, 'local   all       all                     scram-sha-256', HOST_LINE].join('\n');
const CLASSIC_HBA = [HEADER, 'local   all       all                     peer', 'local   kdt_app   kdt_app                 scram-sha-256', HOST_LINE].join('\n');

/** Applies "move line X above line Y" the way an operator would edit the file. */
function moveLine(text: string, from: number, above: number): string {
  const lines = text.split('\n');
  const [moved] = lines.splice(from - 1, 1);
  lines.splice(above - 1, 0, moved!);
  return lines.join('\n');
}

/** The SQL inside a fix of the form sudo -u postgres psql -c '…'. */
function sqlOf(fix: string): string {
  const m = /psql(?: -d \S+)? -c '(.*)'/.exec(fix);
  if (!m) throw new Error(`no SQL in fix: ${fix}`);
  return m[1]!;
}

describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('pnpm admin doctor on %s', (_name, server) => {
  let cluster: PgCluster;
  let project: TempProject;
  let passwordFile: string;
  const outputs: string[] = [];

  beforeAll(async () => {
    cluster = await startPostgres({ server, hba: GOOD_HBA });
    project = tempProject();
    passwordFile = project.writeFile('db-password', `${cluster.app.password}\n`);
  });
  afterAll(async () => {
    await cluster?.destroy();
    project?.remove();
  });
  beforeEach(async () => {
    await cluster.setHba(GOOD_HBA);
    await cluster.start();
    await cluster.admin(`ALTER ROLE kdt_app LOGIN PASSWORD '${cluster.app.password}'`);
    project.writeFile('db-password', `${cluster.app.password}\n`);
    await init();
  });
  // Every run a test made, checked once it is done (each test on its own): none printed the password.
  afterEach(() => {
    for (const text of outputs.splice(0)) expect(text).not.toContain(cluster.app.password);
  });

  const env = (url = cluster.socketUrl({ password: undefined })) => ({ KDT_ROOT: project.root, DATABASE_URL: url, DATABASE_PASSWORD_FILE: passwordFile });
  const files = () => ['--hba-file', cluster.hbaFile, '--server-log', join(cluster.dir, 'server.log')];

  async function run(extra: { url?: string; args?: string[] } = {}): Promise<DoctorReport> {
    const report = await doctor([...files(), ...(extra.args ?? [])], { env: env(extra.url) });
    outputs.push(report.run.all);
    return report;
  }
  async function init(url?: string): Promise<void> {
    const result = await runAdmin(['init-database'], { env: env(url) });
    outputs.push(result.all);
    if (result.code !== 0) throw new Error(`init-database failed: ${result.all}`);
  }
  function expectHealthy(report: DoctorReport): void {
    expect(report.with('fail'), JSON.stringify(report.checks, null, 1)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.run.code).toBe(0);
  }

  it('passes every check on a healthy database, in dependency order, exit 0', async () => {
    const report = await run();
    expectHealthy(report);
    expect(report.checks.slice(0, 9).map((c) => [c.id, c.status])).toEqual(
      ['config.valid', 'pg.reachable', 'pg.server', 'pg.auth', 'pg.database', 'pg.privileges', 'pg.schema', 'pg.roundtrip', 'pg.hba'].map((id) => [id, 'pass']),
    );
    expect(report.check('fs.secrets').status).toBe('pass');
    // This machine runs no systemd, no site and no SELinux: those checks do not apply, they do not fail.
    expect(report.with('skip')).toEqual(expect.arrayContaining(['service.unit', 'service.health', 'service.public', 'selinux.status']));
    expect(report.check('pg.hba').summary).toMatch(/^line 2 \(local +all +all +scram-sha-256\) takes the app's local \(unix socket\) connection/);
    expect(report.check('pg.roundtrip').summary).toMatch(/^wrote and read back a row in [\d.]+ ms \(rolled back\)$/);
    expect(await query(cluster.tcpUrl(), 'select count(*)::int as n from stuff')).toEqual([{ n: 0 }]);
  });

  it('the classic: the app\'s line below `local all all peer` — names the shadowing line and the move, first screen; the move fixes it', async () => {
    await cluster.setHba(CLASSIC_HBA);
    const text = await runAdmin(['doctor', ...files()], { env: env() });
    outputs.push(text.all);
    expect(text.code).toBe(1);
    const firstScreen = text.stdout.split('\n').slice(0, 24).join('\n');
    expect(firstScreen).toContain('[✗] Authentication: peer authentication: the OS user running the client is not the database user "kdt_app"');
    expect(firstScreen).toContain(`fix: in ${cluster.hbaFile}, move line 3 (local   kdt_app   kdt_app                 scram-sha-256) above line 2 (local   all       all                     peer)`);
    expect(text.stdout).toMatch(/Doctor found problems: \d+ passed, \d+ warnings?, 2 failed, \d+ skipped\./);

    const report = await run();
    expect(report.check('pg.auth').evidence).toContain(`pg_hba.conf: the local (unix socket) connection to database "kdt_app" as "kdt_app" matches ${cluster.hbaFile} line 2: local   all       all                     peer`);
    expect(report.check('pg.hba')).toMatchObject({ status: 'fail', summary: 'line 2 shadows line 3, the one meant for the app' });
    expect(report.check('pg.database')).toMatchObject({ status: 'skip', summary: 'skipped: Authentication failed' });

    await cluster.setHba(moveLine(CLASSIC_HBA, 3, 2));
    expectHealthy(await run());
  });

  it('no pg_hba.conf line matches: says so and which line to add; adding it fixes it', async () => {
    await cluster.setHba([HEADER, HOST_LINE].join('\n'));
    const report = await run();
    const auth = report.check('pg.auth');
    expect(auth).toMatchObject({ status: 'fail', summary: 'no pg_hba.conf line allows this connection' });
    expect(auth.evidence[0]).toMatch(/^server: no pg_hba\.conf entry for host "\[local\]", user "kdt_app", database "kdt_app"/);
    expect(auth.fix[0]).toBe(`in ${cluster.hbaFile}, add above line 2: local   kdt_app   kdt_app   scram-sha-256`);
    await cluster.setHba([HEADER, 'local   kdt_app   kdt_app   scram-sha-256', HOST_LINE].join('\n'));
    expectHealthy(await run());
  });

  it('a reject line: names it; the app\'s line above it fixes it', async () => {
    await cluster.setHba([HEADER, 'local   all   all   reject', HOST_LINE].join('\n'));
    const report = await run();
    expect(report.check('pg.auth')).toMatchObject({ status: 'fail', summary: 'a reject line in pg_hba.conf refuses this connection' });
    expect(report.check('pg.hba').summary).toMatch(/^line 2 rejects the app's local/);
    await cluster.setHba([HEADER, 'local   kdt_app   kdt_app   scram-sha-256', 'local   all   all   reject', HOST_LINE].join('\n'));
    expectHealthy(await run());
  });

  it('a wrong password: the server log tells it apart from the other refusals; the right one fixes it', async () => {
    project.writeFile('db-password', 'not-the-password');
    const report = await run();
    const auth = report.check('pg.auth');
    expect(auth).toMatchObject({ status: 'fail', summary: 'wrong password for "kdt_app"' });
    expect(auth.evidence).toContain('server: password authentication failed for user "kdt_app" (SQLSTATE 28P01)');
    // SCRAM logs no reason for a wrong password; the log's refusal without "role does not exist" or
    // "no valid SCRAM secret" is what rules the other causes out.
    expect(auth.evidence.some((e) => /^server log .*password authentication failed for user "kdt_app"$/.test(e))).toBe(true);
    project.writeFile('db-password', cluster.app.password);
    expectHealthy(await run());
  });

  it('a password stored as md5 under a scram-sha-256 line: says so; storing it as SCRAM fixes it', async () => {
    await cluster.admin("SET password_encryption = 'md5'");
    await cluster.admin(`ALTER ROLE kdt_app PASSWORD '${cluster.app.password}'`);
    await cluster.admin("SET password_encryption = 'scram-sha-256'");
    const report = await run();
    expect(report.check('pg.auth')).toMatchObject({
      status: 'fail',
      summary: 'the password of "kdt_app" is stored as md5, but the pg_hba.conf line asks scram-sha-256',
    });
    expect(report.check('pg.auth').fix[0]).toContain("SET password_encryption = 'scram-sha-256'");
    await cluster.admin(`ALTER ROLE kdt_app PASSWORD '${cluster.app.password}'`);
    expectHealthy(await run());
  });

  it('a role without LOGIN, and a role that does not exist', async () => {
    await cluster.admin('ALTER ROLE kdt_app NOLOGIN');
    const nologin = await run();
    expect(nologin.check('pg.auth')).toMatchObject({ status: 'fail', summary: 'role "kdt_app" exists but may not log in (NOLOGIN)' });
    await cluster.admin(sqlOf(nologin.check('pg.auth').fix[0]!));
    expectHealthy(await run());

    const ghost = await run({ url: cluster.socketUrl({ user: 'ghost', password: undefined }) });
    expect(ghost.check('pg.auth')).toMatchObject({ status: 'fail', summary: 'role "ghost" does not exist' });
    expect(ghost.check('pg.auth').fix[0]).toContain(`CREATE ROLE "ghost" LOGIN PASSWORD`);
  });

  it('a missing database: the SQL that creates it, owned by the app role; running it (then init-database) fixes it', async () => {
    await cluster.admin('DROP DATABASE IF EXISTS kdt_missing');
    const url = cluster.socketUrl({ password: undefined, database: 'kdt_missing' });
    const report = await run({ url });
    expect(report.check('pg.auth').status).toBe('pass');
    const database = report.check('pg.database');
    expect(database).toMatchObject({ status: 'fail', summary: 'database "kdt_missing" does not exist' });
    expect(database.fix).toEqual([`sudo -u postgres psql -c 'CREATE DATABASE "kdt_missing" OWNER "kdt_app"'`]);
    await cluster.admin(sqlOf(database.fix[0]!));
    await init(url);
    expectHealthy(await run({ url }));
  });

  it('no CREATE on schema public (PostgreSQL 15+): says why; making the role the owner fixes it', async () => {
    await cluster.admin('DROP DATABASE IF EXISTS kdt_public');
    await cluster.admin('CREATE DATABASE kdt_public');
    await cluster.admin('GRANT CONNECT ON DATABASE kdt_public TO kdt_app');
    const url = cluster.socketUrl({ password: undefined, database: 'kdt_public' });
    const report = await run({ url });
    const privileges = report.check('pg.privileges');
    expect(privileges).toMatchObject({ status: 'fail', summary: '"kdt_app" may not create table stuff in schema public' });
    expect(privileges.evidence[1]).toMatch(/^since PostgreSQL 15, schema public no longer lets every role create in it/);
    expect(report.check('pg.schema')).toMatchObject({ status: 'fail', summary: 'table stuff does not exist', fix: ['pnpm admin init-database'] });
    await cluster.admin(sqlOf(privileges.fix[0]!));
    // Owning the database is not owning its schema public; PostgreSQL 15 grants CREATE to the database owner's role via pg_database_owner.
    await init(url);
    expectHealthy(await run({ url }));
  });

  it('a missing table: pnpm admin init-database, which fixes it', async () => {
    await query(cluster.tcpUrl(), 'drop table stuff');
    const report = await run();
    expect(report.check('pg.schema')).toMatchObject({ status: 'fail', summary: 'table stuff does not exist', fix: ['pnpm admin init-database'] });
    expect(report.check('pg.roundtrip').status).toBe('skip');
    await init();
    expectHealthy(await run());
  });

  it('a stopped server: no socket; starting it fixes it', async () => {
    await cluster.stop();
    const report = await run();
    expect(report.check('pg.reachable')).toMatchObject({ status: 'fail', summary: `no PostgreSQL socket at ${cluster.socketDir}/.s.PGSQL.${cluster.port}` });
    expect(report.check('pg.server')).toMatchObject({ status: 'skip', summary: 'skipped: Server reachable failed' });
    expect(report.check('pg.hba').status).not.toBe('skip');
    await cluster.start();
    expectHealthy(await run());
  });

  it('a socket directory that does not exist: says so; the right directory fixes it', async () => {
    const wrong = join(project.root, 'no-such-dir');
    const report = await run({ url: `postgresql://kdt_app@/kdt_app?host=${wrong}&port=${cluster.port}` });
    expect(report.check('pg.reachable').evidence[0]).toBe(`the socket directory ${wrong} does not exist`);
    expectHealthy(await run({ url: `postgresql://kdt_app@/kdt_app?host=${cluster.socketDir}&port=${cluster.port}` }));
  });

  it('a server listening only on 127.0.0.1, reached as ::1: nothing listens there, and listen_addresses is named', async () => {
    const report = await run({ url: `postgresql://kdt_app@[::1]:${cluster.port}/kdt_app` });
    const reachable = report.check('pg.reachable');
    expect(reachable).toMatchObject({ status: 'fail', summary: `nothing listens on [::1]:${cluster.port}: refused at once` });
    expect(reachable.fix[0]).toContain('listen_addresses');
  });

  it('finds pg_hba.conf and the server log in their Debian places under --root', async () => {
    const root = join(project.root, 'server-root');
    const major = server.version.split('.')[0]!;
    mkdirSync(join(root, 'etc/postgresql', major, 'main'), { recursive: true });
    mkdirSync(join(root, 'var/log/postgresql'), { recursive: true });
    symlinkSync(cluster.hbaFile, join(root, 'etc/postgresql', major, 'main/pg_hba.conf'));
    symlinkSync(join(cluster.dir, 'server.log'), join(root, 'var/log/postgresql', `postgresql-${major}-main.log`));
    await cluster.setHba(CLASSIC_HBA);
    const report = await doctor(['--root', root], { env: env() });
    outputs.push(report.run.all);
    expect(report.check('pg.hba').summary).toBe('line 2 shadows line 3, the one meant for the app');
    expect(report.check('pg.hba').evidence[0]).toContain(`/etc/postgresql/${major}/main/pg_hba.conf line 2`);
    expect(report.check('pg.auth').evidence.some((e) => e.startsWith('server log '))).toBe(true);
  });

  it('warns when pg_hba.conf changed after the server last loaded it: a reload is needed', async () => {
    const { utimesSync, appendFileSync } = await import('node:fs');
    appendFileSync(cluster.hbaFile, '# edited, not reloaded\n');
    const later = new Date(Date.now() + 60_000);
    utimesSync(cluster.hbaFile, later, later);
    const report = await run();
    const hba = report.check('pg.hba');
    expect(hba.status).toBe('warn');
    expect(hba.evidence[0]).toMatch(/changed at .*, after the server last loaded its configuration .*: the server still uses the old rules$/);
    expect(hba.fix[0]).toMatch(/^systemctl reload postgresql/);
    expect(report.run.code).toBe(0);
  });

  it('pg_hba.conf fixed on disk and not reloaded: the login still fails, and the doctor says the server uses its old rules; reloading fixes it', async () => {
    await cluster.setHba(CLASSIC_HBA);
    // The server's own refusal shows it has loaded these rules: an edit written from now on waits for a reload.
    await expect(query(cluster.socketUrl(), 'select 1')).rejects.toThrow(/Peer authentication failed/);
    // The operator's edit, without the reload.
    writeFileSync(cluster.hbaFile, `${moveLine(CLASSIC_HBA, 3, 2)}\n`);
    // …a minute after the server last read its files (the doctor allows a second of clock skew).
    const later = new Date(Date.now() + 60_000);
    utimesSync(cluster.hbaFile, later, later);
    const report = await run();
    const auth = report.check('pg.auth');
    expect(auth).toMatchObject({ status: 'fail', summary: 'pg_hba.conf was changed and not reloaded: the server still refuses by its old rules' });
    expect(auth.evidence).toContain('the server decided by line 2 as it loaded it: local   all       all                     peer');
    expect(auth.evidence).toContain(`the file now gives the connection to ${cluster.hbaFile} line 2: local   kdt_app   kdt_app                 scram-sha-256`);
    expect(auth.fix[0]).toMatch(/^systemctl reload postgresql/);
    // Without a session the server's reload time comes from its log.
    expect(report.check('pg.hba').status).toBe('warn');
    expect(report.check('pg.hba').evidence[0]).toMatch(/changed at .*, after the server last loaded its configuration \(.*server\.log\): the server still uses the old rules$/);
    await cluster.setHba(moveLine(CLASSIC_HBA, 3, 2)); // writes the same file and reloads
    expectHealthy(await run());
  });

  it('names that pg_hba.conf reads as keywords, groups or lists are quoted in the line it suggests; the server takes that line', async () => {
    const role = '+Kdt App, 2';
    const database = 'sameuser';
    const password = 'other-secret-pw';
    await cluster.admin(`DROP DATABASE IF EXISTS "${database}"`);
    await cluster.admin(`DROP ROLE IF EXISTS "${role}"`);
    await cluster.admin(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
    await cluster.admin(`CREATE DATABASE "${database}" OWNER "${role}"`);
    const file = project.writeFile('other-password', `${password}\n`);
    const url = cluster.socketUrl({ user: role, password: undefined, database });
    const other = (args: string[] = files()) => doctor(args, { env: { KDT_ROOT: project.root, DATABASE_URL: url, DATABASE_PASSWORD_FILE: file } });
    await cluster.setHba([HEADER, HOST_LINE].join('\n'));
    const report = await other();
    outputs.push(report.run.all);
    const fix = report.check('pg.auth').fix[0]!;
    expect(fix).toBe(`in ${cluster.hbaFile}, add above line 2: local   "sameuser"   "+Kdt App, 2"   scram-sha-256`);
    await cluster.setHba([HEADER, fix.replace(/^.*: /, ''), HOST_LINE].join('\n'));
    const init = await runAdmin(['init-database'], { env: { KDT_ROOT: project.root, DATABASE_URL: url, DATABASE_PASSWORD_FILE: file } });
    expect(init.code, init.all).toBe(0);
    const after = await other();
    expect(after.with('fail').filter((id) => id.startsWith('pg.')), JSON.stringify(after.checks.slice(1, 9), null, 1)).toEqual([]);
    expect(after.check('pg.auth').summary).toMatch(/^logged in as "\+Kdt App, 2" via .* line 2 \(scram-sha-256\)$/);
  });

});

describe('a server that accepts the connection and never answers', () => {
  it('fails "Server answers" within a few seconds instead of hanging', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    using project = tempProject();
    try {
      const report = await doctor(['--hba-file', '/nonexistent', '--verbose'], { env: { KDT_ROOT: project.root, DATABASE_URL: `postgresql://kdt@127.0.0.1:${port}/kdt` } });
      // (--verbose: each check's time.) The check gives up at its network bound, and no other check waits on the silent server
      // (the time it takes Node to start the CLI on a busy machine is no part of that promise; a
      // doctor that hung would be stopped by runAdmin, without an exit code).
      const waited = report.checks.reduce((sum, c) => sum + (c.ms ?? 0), 0);
      expect(report.check('pg.server').ms).toBeGreaterThanOrEqual(NETWORK_TIMEOUT_MS);
      expect(waited).toBeLessThan(withMargin(NETWORK_TIMEOUT_MS));
      expect(report.check('pg.reachable').status).toBe('pass');
      expect(report.check('pg.server')).toMatchObject({ status: 'fail', summary: `no answer within ${NETWORK_TIMEOUT_MS} ms` });
      expect(report.run.code).toBe(1);

      // On a terminal, a progress line shows while the slow check runs (script(1) gives the doctor a pty).
      const bin = new URL('../../dist/bin.js', import.meta.url).pathname;
      const onTerminal = spawnSync('script', ['-qec', `${process.execPath} ${bin} doctor --hba-file /nonexistent`, '/dev/null'], {
        env: { PATH: process.env.PATH, TERM: 'xterm', KDT_ROOT: project.root, DATABASE_URL: `postgresql://kdt@127.0.0.1:${port}/kdt` },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(onTerminal.stdout).toContain('Server answers…');
      // …which a pipe never sees (checked above: the JSON parsed, and the text output test finds no escape codes).
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
