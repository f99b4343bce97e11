import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSite,
  freePort,
  pgServers,
  query,
  startApache,
  startPostgres,
  startSite,
  tempProject,
  type Apache,
  type PgCluster,
  type Site,
  type TempProject,
} from '@kit-db-test/testing';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvironmentFile } from '../doctor/site/environment-file.js';
import { doctor, type DoctorReport } from '../test-support/doctor-report.js';
import { runAdmin } from '../test-support/run-admin.js';

const BASE = '/kit-db-test';
const server = pgServers()[0]!;

/**
 * The whole stack as the guides deploy it, from the files `pnpm admin ops render --layout debian`
 * writes: a real PostgreSQL whose pg_hba lines and role come from the rendered files, the built
 * site under its base path, a real apache2 running the rendered site, Chromium through it, and the
 * doctor on top (given the rendered environment file and the private instance's httpd.conf). Then one fault at a time: the doctor names it, and after the fix passes again.
 */
describe(`the rendered stack: apache2 → site → ${server.kind} PostgreSQL ${server.version}`, () => {
  let project: TempProject;
  let out: string;
  let cluster: PgCluster;
  let site: Site;
  let apache: Apache;
  let siteEnv: Record<string, string>;
  let hbaLines: string;
  let passwordFile: string;
  let databaseUrl: string;
  let apachePort: number;
  let sitePort: number;
  let buildDir: string;
  let envFile: string;
  let publicUrl: string;
  const password = `e2e-${Math.random().toString(36).slice(2)}-pw`;
  const outputs: string[] = [];

  const hbaWith = (app: string, order: 'app-first' | 'catch-all-first') => {
    const catchAll = 'local   all   all   peer\nhost    all   all   127.0.0.1/32   scram-sha-256';
    return ['local   all   postgres   trust', ...(order === 'app-first' ? [app, catchAll] : [catchAll, app])].join('\n');
  };
  const adminEnv = () => ({ KDT_ROOT: project.root, DATABASE_URL: databaseUrl, DATABASE_PASSWORD_FILE: passwordFile });
  const startTheSite = () => startSite({ ...siteEnv, ...adminEnv() }, { buildDir, basePath: BASE, port: sitePort });
  const startTheApache = (site: string) => startApache({ site, port: apachePort, preamble: `Define KDT_HTTP_PORT ${apachePort}` });
  const renderedSite = () => readFileSync(join(out, 'etc/apache2/sites-available/kit-db-test.conf'), 'utf8');

  async function check(): Promise<DoctorReport> {
    const report = await doctor(['--env-file', envFile, '--httpd-config', apache.config, '--hba-file', cluster.hbaFile, '--server-log', join(cluster.dir, 'server.log'), '--public-url', publicUrl], { env: adminEnv() });
    outputs.push(report.run.all);
    return report;
  }
  function expectPasses(report: DoctorReport): void {
    expect(report.with('fail'), JSON.stringify(report.checks.filter((c) => c.status === 'fail'), null, 1)).toEqual([]);
    for (const id of ['pg.auth', 'pg.schema', 'pg.roundtrip', 'pg.hba', 'service.health', 'service.public', 'httpd.config_test', 'httpd.modules', 'httpd.proxy']) {
      expect(report.check(id).status).toBe('pass');
    }
  }

  beforeAll(async () => {
    project = tempProject();
    out = join(project.root, 'rendered');
    passwordFile = project.writeFile('db-password', `${password}\n`);
    [apachePort, sitePort] = [await freePort(), await freePort()];
    publicUrl = `http://127.0.0.1:${apachePort}${BASE}/`;
    cluster = await startPostgres({ server, hba: 'local all postgres trust' });
    databaseUrl = `postgresql://kdt@/kdt?host=${cluster.socketDir}&port=${cluster.port}`;

    const render = await runAdmin(
      ['ops', 'render', '--layout', 'debian', '--out', out, '--public-url', `http://127.0.0.1:${apachePort}${BASE}`, '--port', String(sitePort), '--base-path', BASE],
      { env: adminEnv() },
    );
    outputs.push(render.all);
    if (render.code !== 0) throw new Error(`ops render failed:\n${render.all}`);
    buildDir = buildSite(BASE);
    // The site's environment file, as the operator installs it; this stack serves the test's sub-path build.
    envFile = join(out, 'etc/kit-db-test/kit-db-test.env');
    appendFileSync(envFile, `KDT_BUILD_DIR=${buildDir}\n`);
    siteEnv = parseEnvironmentFile(readFileSync(envFile, 'utf8'));

    // The role and database from the rendered SQL, the password on standard input, as the guide says.
    const psql = spawnSync('psql', ['-X', '-h', cluster.socketDir, '-p', String(cluster.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-f', join(out, 'postgres/create-role-and-database.sql')], {
      input: `${password}\n`,
      encoding: 'utf8',
    });
    if (psql.status !== 0) throw new Error(`the rendered SQL failed:\n${psql.stdout}\n${psql.stderr}`);
    hbaLines = readFileSync(join(out, 'postgres/pg_hba-kit-db-test.conf'), 'utf8');
    await cluster.setHba(hbaWith(hbaLines, 'app-first'));

    const init = await runAdmin(['init-database'], { env: adminEnv() });
    outputs.push(init.all);
    if (init.code !== 0) throw new Error(`init-database failed:\n${init.all}`);
    site = await startTheSite();
    apache = await startTheApache(renderedSite());
  });
  afterAll(async () => {
    await apache?.stop();
    await site?.stop();
    await cluster?.destroy();
    project?.remove();
  });

  it('apache2 -t accepts the rendered configuration', () => {
    const test = spawnSync('/usr/sbin/apache2', ['-t', '-f', apache.config], { encoding: 'utf8' });
    expect(test.stderr.trim().split('\n').at(-1)).toBe('Syntax OK');
    expect(test.status).toBe(0);
  });

  it('Chromium, through httpd: submits the form, sees the row and the status panel naming PostgreSQL and the app\'s role', async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      expect((await page.goto(publicUrl))?.status()).toBe(200);
      expect(await page.locator('.verdict[data-check="writes"]').textContent()).toMatch(/^Writes OK/);
      expect(await page.locator('dl.identity').textContent()).toMatch(/driverpostgresql.*databasekdt.*userkdt/s);
      await page.fill('#stuff', 'through httpd');
      await page.fill('#things', 'rendered stack');
      await page.click('button:text("Save")');
      await page.locator('.saved').waitFor();
      expect(await page.locator('tbody tr').first().locator('.stuff').textContent()).toBe('through httpd');
      expect(new URL(page.url()).pathname).toBe(`${BASE}/`);
      expect(await query(`postgresql://kdt:${password}@/kdt?host=${encodeURIComponent(cluster.socketDir)}&port=${cluster.port}`, "select count(*)::int as n from stuff where stuff = 'through httpd'")).toEqual([{ n: 1 }]);
    } finally {
      await browser.close();
    }
  });

  it('the doctor passes every check that applies here', async () => {
    expectPasses(await check());
  });

  it('fault: the site stopped — httpd answers 503, the doctor says nothing answers; started again, it passes', async () => {
    await site.stop();
    expect((await fetch(publicUrl)).status).toBe(503);
    const report = await check();
    expect(report.check('service.health')).toMatchObject({ status: 'fail', summary: `nothing answers at http://127.0.0.1:${sitePort}` });
    site = await startTheSite();
    expectPasses(await check());
  });

  it('fault: ProxyPass to a wrong port — the public URL does not reach the site; the right port fixes it', async () => {
    await apache.stop();
    apache = await startTheApache(renderedSite().replaceAll(`127.0.0.1:${sitePort}`, `127.0.0.1:${sitePort + 1}`));
    const report = await check();
    expect(report.check('service.public')).toMatchObject({ status: 'fail' });
    expect(report.check('service.public').summary).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/kit-db-test\/health is not the site's \(HTTP 503\)$/);
    expect(report.check('httpd.proxy').status).toBe('fail');
    expect(JSON.stringify(report.check('httpd.proxy'))).toContain(String(sitePort + 1));
    await apache.stop();
    apache = await startTheApache(renderedSite());
    expectPasses(await check());
  });

  it('fault: the app\'s pg_hba lines below `local all all peer` — the doctor names the shadowing line; moving them back fixes it', async () => {
    await cluster.setHba(hbaWith(hbaLines, 'catch-all-first'));
    const report = await check();
    expect(report.check('pg.auth').status).toBe('fail');
    expect(report.check('pg.hba').summary).toMatch(/^line 2 shadows line \d+, the one meant for the app$/);
    await cluster.setHba(hbaWith(hbaLines, 'app-first'));
    expectPasses(await check());
  });

  it('fault: a wrong password in the password file — the site answers 503, the doctor says wrong password; the right one fixes it', async () => {
    writeFileSync(passwordFile, 'not-the-password\n');
    await site.stop();
    site = await startTheSite();
    expect((await fetch(`${publicUrl}health`)).status).toBe(503);
    const report = await check();
    expect(report.check('pg.auth')).toMatchObject({ status: 'fail', summary: 'wrong password for "kdt"' });
    writeFileSync(passwordFile, `${password}\n`);
    await site.stop();
    site = await startTheSite();
    expectPasses(await check());
  });

  it('fault: the table dropped — the doctor says init-database; running it fixes it', async () => {
    await query(`postgresql://kdt:${password}@/kdt?host=${encodeURIComponent(cluster.socketDir)}&port=${cluster.port}`, 'drop table stuff');
    const report = await check();
    expect(report.check('pg.schema')).toMatchObject({ status: 'fail', summary: 'table stuff does not exist', fix: ['pnpm admin init-database'] });
    const init = await runAdmin(['init-database'], { env: adminEnv() });
    expect(init.code).toBe(0);
    expectPasses(await check());
  });

  it('never showed the password', () => {
    for (const text of [...outputs, site.output()]) expect(text).not.toContain(password);
  });
});
