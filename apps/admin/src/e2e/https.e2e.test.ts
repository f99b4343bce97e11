import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgServers, query } from '@kit-db-test/testing';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor, type DoctorReport } from '../test-support/doctor-report.js';
import { BASE, startRenderedStack, type RenderedStack } from '../test-support/rendered-stack.js';
import { makeTestCa, type IssuedCertificate, type TestCa } from '../test-support/test-ca.js';

const server = pgServers()[0]!;

/**
 * HTTPS at httpd, end to end: `ops render --public-url https://… --tls-cert --tls-key` for a
 * certificate from a CA made here, a real apache2 with mod_ssl serving it (its port-80 host
 * redirecting), Chromium trusting that CA posting the form over https, and the doctor judging the
 * certificate and the redirect. Then one fault at a time: an expired certificate, one for another
 * name, a CA the client does not trust, no redirect, an http ORIGIN behind https.
 */
describe(`HTTPS: Chromium → apache2 (mod_ssl) → site → ${server.kind} PostgreSQL ${server.version}`, () => {
  let dir: string;
  let ca: TestCa;
  let good: IssuedCertificate;
  let stack: RenderedStack;
  const served = () => ({ certificate: join(dir, 'served.pem'), key: join(dir, 'served.key') });
  const serve = (pair: IssuedCertificate) => {
    copyFileSync(pair.certificate, served().certificate);
    copyFileSync(pair.key, served().key);
  };

  /** The doctor as an operator runs it, on a machine whose trust store holds the test CA (or not). */
  async function check(trustCa = true): Promise<DoctorReport> {
    const args = ['--env-file', stack.envFile, '--httpd-config', stack.apache.config, '--hba-file', stack.cluster.hbaFile, '--public-url', stack.publicUrl];
    return doctor(args, { env: { ...stack.adminEnv, ...(trustCa ? { NODE_EXTRA_CA_CERTS: ca.certificate } : {}) } });
  }
  const failures = (report: DoctorReport) => JSON.stringify(report.checks.filter((c) => c.status === 'fail'), null, 1);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kdt-tls-'));
    ca = makeTestCa(dir);
    good = ca.issue('site', 'IP:127.0.0.1');
    serve(good);
    stack = await startRenderedStack({ server, tls: served() });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders an https ORIGIN, and the TLS host with the certificate given', () => {
    expect(stack.siteEnv.ORIGIN).toBe(stack.publicOrigin);
    expect(stack.publicOrigin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.renderedSite).toContain(`SSLCertificateFile "${served().certificate}"`);
  });

  it('Chromium trusting the test CA: http:// sends it to https://, and the form posts over https (303, the row shown)', async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // Trust for the test CA's key only: a chain that it signs is accepted, nothing else is.
        `--ignore-certificate-errors-spki-list=${ca.spkiHash}`,
      ],
    });
    try {
      // Without JavaScript: the browser's own form post, so its answer is the 303 itself.
      const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
      const landed = await page.goto(`http://127.0.0.1:${stack.httpPort}${BASE}/`);
      expect(landed?.status()).toBe(200);
      expect(page.url()).toBe(stack.publicUrl);
      expect(await page.locator('.verdict[data-check="writes"]').textContent()).toMatch(/^Writes OK/);
      await page.fill('#stuff', 'over https');
      await page.fill('#things', 'through mod_ssl');
      const [post] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button:text("Save")')]);
      expect(post.status()).toBe(303);
      expect(post.url()).toBe(stack.publicUrl);
      await page.locator('.saved').waitFor();
      expect(await page.locator('tbody tr').first().locator('.stuff').textContent()).toBe('over https');
      expect(new URL(page.url()).protocol).toBe('https:');
      expect(await query(stack.appUrl, "select count(*)::int as n from stuff where stuff = 'over https'")).toEqual([{ n: 1 }]);
    } finally {
      await browser.close();
    }
  });

  it('the doctor passes: a trusted certificate for the host, the redirect, the virtual host, the origin', async () => {
    const report = await check();
    expect(report.with('fail'), failures(report)).toEqual([]);
    const tlsPort = new URL(stack.publicUrl).port;
    expect(report.check('https.certificate')).toMatchObject({ status: 'pass', summary: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${tlsPort}: TLSv1\\.3, a trusted certificate for 127\\.0\\.0\\.1, valid until \\d{4}-\\d\\d-\\d\\d \\(\\d+ days\\)$`)) });
    expect(report.check('https.certificate').evidence).toContainEqual(
      expect.stringMatching(new RegExp(`^served from ${stack.apache.dir}/site\\.conf:\\d+: SSLCertificateFile ${served().certificate}, SSLCertificateKeyFile ${served().key}$`)),
    );
    expect(report.check('https.redirect')).toMatchObject({ status: 'pass', summary: `http://127.0.0.1:${stack.httpPort}${BASE}/ redirects (301) to ${stack.publicUrl}` });
    for (const id of ['service.public', 'httpd.proxy', 'httpd.vhost', 'httpd.config_test']) expect(report.check(id).status, id).toBe('pass');
  });

  it('fault: an untrusted issuer — the doctor on a machine without the test CA says so and what to do', async () => {
    const report = await check(false);
    expect(report.check('https.certificate')).toMatchObject({
      status: 'fail',
      summary: 'the chain ends at CN=kit-db-test test CA, a CA this machine does not trust (SELF_SIGNED_CERT_IN_CHAIN)',
    });
    expect(report.check('https.certificate').evidence).toContain('chain sent: CN=site ← CN=kit-db-test test CA');
  });

  it('fault: an expired certificate — the date and how long ago; a current one fixes it', async () => {
    serve(ca.issue('expired', 'IP:127.0.0.1', { expired: true }));
    await stack.restartApache();
    const report = await check();
    expect(report.check('https.certificate')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/^the certificate expired on 2020-02-01 \(\d+ day\(s\) ago\): browsers refuse the site$/) });
    serve(good);
    await stack.restartApache();
    expect((await check()).check('https.certificate').status).toBe('pass');
  });

  it('fault: a certificate for another name', async () => {
    serve(ca.issue('wrong-name', 'DNS:wrong.example'));
    await stack.restartApache();
    const report = await check();
    expect(report.check('https.certificate')).toMatchObject({
      status: 'fail',
      summary: "the certificate is for DNS:wrong.example, not for 127.0.0.1: browsers refuse it",
    });
    serve(good);
    await stack.restartApache();
    expect((await check()).check('https.certificate').status).toBe('pass');
  });

  it('fault: no redirect on port 80 — http:// answers 404; the fix is the rendered Redirect', async () => {
    await stack.restartApache(stack.renderedSite.replace(/^\s*Redirect permanent .*$/m, ''));
    const report = await check();
    expect(report.check('https.redirect')).toMatchObject({
      status: 'fail',
      summary: `http://127.0.0.1:${stack.httpPort}${BASE}/ answers 404 instead of redirecting to ${stack.publicOrigin}: over plain http the site's https ORIGIN refuses every form post (403)`,
      fix: [`in the port-80 <VirtualHost> for 127.0.0.1: Redirect permanent "/" "${stack.publicOrigin}/" (pnpm admin ops render --public-url ${stack.publicUrl} renders it)`],
    });
    await stack.restartApache();
    expect((await check()).check('https.redirect').status).toBe('pass');
  });

  it('fault: an http:// ORIGIN behind https — every form post 403s, and the doctor says which scheme to set', async () => {
    const httpOrigin = stack.publicOrigin.replace('https:', 'http:');
    const rendered = readFileSync(stack.envFile, 'utf8');
    // As an operator would get it wrong: in the environment file, then a restart.
    writeFileSync(stack.envFile, rendered.replace(`ORIGIN=${stack.publicOrigin}`, `ORIGIN=${httpOrigin}`));
    await stack.restartSite({ ORIGIN: httpOrigin });
    const report = await check();
    expect(report.check('httpd.proxy')).toMatchObject({
      status: 'fail',
      summary: `the site's ORIGIN is ${httpOrigin} but browsers use ${stack.publicOrigin} (--public-url): the scheme differs (http:// behind https): every form post gets 403 "Cross-site POST form submissions are forbidden"`,
    });
    expect(report.check('service.public')).toMatchObject({ status: 'fail', summary: 'form posts through httpd are refused by the origin check (403)' });
    writeFileSync(stack.envFile, rendered);
    await stack.restartSite();
    expect((await check()).with('fail'), 'after the fix').toEqual([]);
  });
});
