import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pgServers, query } from '@kit-db-test/testing';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { doctor, type DoctorReport } from '../test-support/doctor-report.js';
import { BASE, startRenderedStack, type RenderedStack } from '../test-support/rendered-stack.js';
import { runAdmin } from '../test-support/run-admin.js';

const server = pgServers()[0]!;

/**
 * The whole stack as the guides deploy it, from the files `pnpm admin ops render --layout debian`
 * writes: a real PostgreSQL whose pg_hba lines and role come from the rendered files, the built
 * site under its base path, a real apache2 running the rendered site, Chromium through it, and the
 * doctor on top (given the rendered environment file and the private instance's httpd.conf).
 * Then one fault at a time: the doctor names it, and after the fix passes again.
 */
describe(`the rendered stack: apache2 → site → ${server.kind} PostgreSQL ${server.version}`, () => {
  let stack: RenderedStack;
  const outputs: string[] = [];

  const hbaWith = (order: 'app-first' | 'catch-all-first') => {
    const catchAll = 'local   all   all   peer\nhost    all   all   127.0.0.1/32   scram-sha-256';
    const app = stack.hbaLines;
    return ['local   all   postgres   trust', ...(order === 'app-first' ? [app, catchAll] : [catchAll, app])].join('\n');
  };

  async function check(): Promise<DoctorReport> {
    const { cluster } = stack;
    const args = ['--env-file', stack.envFile, '--httpd-config', stack.apache.config, '--hba-file', cluster.hbaFile, '--server-log', join(cluster.dir, 'server.log'), '--public-url', stack.publicUrl];
    const report = await doctor(args, { env: stack.adminEnv });
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
    stack = await startRenderedStack({ server });
    // The distribution's catch-all lines below the app's, as the rendered steps install them.
    await stack.cluster.setHba(hbaWith('app-first'));
  });
  afterAll(() => stack?.stop());

  it('apache2 -t accepts the rendered configuration', () => {
    const test = spawnSync('/usr/sbin/apache2', ['-t', '-f', stack.apache.config], { encoding: 'utf8' });
    expect(test.stderr.trim().split('\n').at(-1)).toBe('Syntax OK');
    expect(test.status).toBe(0);
  });

  it("Chromium, through httpd: submits the form, sees the row and the status panel naming PostgreSQL and the app's role", async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      expect((await page.goto(stack.publicUrl))?.status()).toBe(200);
      expect(await page.locator('.verdict[data-check="writes"]').textContent()).toMatch(/^Writes OK/);
      expect(await page.locator('dl.identity').textContent()).toMatch(/driverpostgresql.*databasekdt.*userkdt/s);
      await page.fill('#stuff', 'through httpd');
      await page.fill('#things', 'rendered stack');
      await page.click('button:text("Save")');
      await page.locator('.saved').waitFor();
      expect(await page.locator('tbody tr').first().locator('.stuff').textContent()).toBe('through httpd');
      expect(new URL(page.url()).pathname).toBe(`${BASE}/`);
      expect(await query(stack.appUrl, "select count(*)::int as n from stuff where stuff = 'through httpd'")).toEqual([{ n: 1 }]);
    } finally {
      await browser.close();
    }
  });

  it('the doctor passes every check that applies here', async () => {
    expectPasses(await check());
  });

  it('fault: the site stopped — httpd answers 503, the doctor says nothing answers; started again, it passes', async () => {
    await stack.site.stop();
    expect((await fetch(stack.publicUrl)).status).toBe(503);
    const report = await check();
    expect(report.check('service.health')).toMatchObject({ status: 'fail', summary: `nothing answers at http://127.0.0.1:${stack.sitePort}` });
    await stack.restartSite();
    expectPasses(await check());
  });

  it('fault: ProxyPass to a wrong port — the public URL does not reach the site, httpd.proxy names the port; the right port fixes it', async () => {
    await stack.restartApache(stack.renderedSite.replaceAll(`127.0.0.1:${stack.sitePort}`, `127.0.0.1:${stack.sitePort + 1}`));
    const report = await check();
    expect(report.check('service.public')).toMatchObject({ status: 'fail' });
    expect(report.check('service.public').summary).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/kit-db-test\/health is not the site's \(HTTP 503\)$/);
    expect(report.check('httpd.proxy').status).toBe('fail');
    expect(JSON.stringify(report.check('httpd.proxy'))).toContain(String(stack.sitePort + 1));
    await stack.restartApache();
    expectPasses(await check());
  });

  it("fault: the app's pg_hba lines below `local all all peer` — the doctor names the shadowing line; moving them back fixes it", async () => {
    await stack.cluster.setHba(hbaWith('catch-all-first'));
    const report = await check();
    expect(report.check('pg.auth').status).toBe('fail');
    expect(report.check('pg.hba').summary).toMatch(/^line 2 shadows line \d+, the one meant for the app$/);
    await stack.cluster.setHba(hbaWith('app-first'));
    expectPasses(await check());
  });

  it('fault: a wrong password in the password file — the site answers 503, the doctor says wrong password; the right one fixes it', async () => {
    writeFileSync(stack.passwordFile, 'not-the-password\n');
    await stack.restartSite();
    expect((await fetch(`${stack.publicUrl}health`)).status).toBe(503);
    const report = await check();
    expect(report.check('pg.auth')).toMatchObject({ status: 'fail', summary: 'wrong password for "kdt"' });
    writeFileSync(stack.passwordFile, `${stack.password}\n`);
    await stack.restartSite();
    expectPasses(await check());
  });

  it('fault: the table dropped — the doctor says init-database; running it fixes it', async () => {
    await query(stack.appUrl, 'drop table stuff');
    const report = await check();
    expect(report.check('pg.schema')).toMatchObject({ status: 'fail', summary: 'table stuff does not exist', fix: ['pnpm admin init-database'] });
    const init = await runAdmin(['init-database'], { env: stack.adminEnv });
    expect(init.code).toBe(0);
    expectPasses(await check());
  });

  // Every doctor run a test made, checked once it is done (each test on its own).
  afterEach(() => {
    for (const text of outputs.splice(0)) expect(text).not.toContain(stack.password);
  });

  it('never showed the password: setting up, and the site behind httpd (its whole output, once closed)', async () => {
    const served = stack.site;
    await stack.restartSite();
    expect(served.output()).toContain('listening on');
    for (const text of [...stack.outputs, served.output()]) expect(text).not.toContain(stack.password);
  });
});
