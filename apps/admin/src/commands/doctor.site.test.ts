import { startSite, tempProject, type Site, type TempProject } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../test-support/doctor-report.js';
import { runAdmin } from '../test-support/run-admin.js';

/** The built site, running: the doctor checks it answers, and that the public URL reaches the same process. */
describe('the doctor and a running site', () => {
  let project: TempProject;
  let site: Site;
  let proxied: Site;
  const port = (s: Site) => new URL(s.origin).port;

  beforeAll(async () => {
    project = tempProject();
    await runAdmin(['init-database'], { env: { KDT_ROOT: project.root } });
    site = await startSite({ KDT_ROOT: project.root });
    // A site that expects a proxy's X-Forwarded-Proto, reached without one: every form post fails.
    proxied = await startSite({ KDT_ROOT: project.root, PROTOCOL_HEADER: 'x-forwarded-proto' });
  });
  afterAll(async () => {
    await site?.stop();
    await proxied?.stop();
    project?.remove();
  });

  it('service.health reads /health on the configured address; service.public compares the public URL and posts through it', async () => {
    const report = await doctor(['--public-url', site.url], { env: { KDT_ROOT: project.root, PORT: port(site), HOST: '127.0.0.1' } });
    expect(report.check('service.health')).toMatchObject({ status: 'pass' });
    expect(report.check('service.health').summary).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port(site)}: sqlite .*kit-db-test\\.sqlite as \\S+, instance [0-9a-f]{12}$`));
    expect(report.check('service.public')).toMatchObject({ status: 'pass' });
    expect(report.check('service.public').summary).toMatch(/a form post passes the origin check$/);
  });

  it('a public URL that reaches another process than the configured address: fail', async () => {
    const report = await doctor(['--public-url', proxied.url], { env: { KDT_ROOT: project.root, PORT: port(site), HOST: '127.0.0.1' } });
    expect(report.check('service.public')).toMatchObject({ status: 'fail', summary: 'httpd reaches another site process than the one on the configured address' });
  });

  it('a site whose origin policy does not match how it is reached: posts refused (403), and the ORIGIN fix', async () => {
    const report = await doctor(['--public-url', proxied.url], {
      env: { KDT_ROOT: project.root, PORT: port(proxied), HOST: '127.0.0.1', PROTOCOL_HEADER: 'x-forwarded-proto' },
    });
    const pub = report.check('service.public');
    expect(pub).toMatchObject({ status: 'fail', summary: 'form posts through httpd are refused by the origin check (403)' });
    expect(pub.evidence[1]).toBe('the site derives its origin from x-forwarded-proto / Host');
    expect(pub.fix[0]).toBe(`set ORIGIN=${proxied.origin} in the site's environment file, then systemctl restart kit-db-test.service`);
  });

  it('a site that shows its database details to nobody (KDT_DETAILS=none): both checks still pass, and say the details are hidden', async () => {
    await using hidden = await startSite({ KDT_ROOT: project.root, KDT_DETAILS: 'none' });
    const report = await doctor(['--public-url', hidden.url], { env: { KDT_ROOT: project.root, PORT: port(hidden), HOST: '127.0.0.1' } });
    expect(report.check('service.health')).toMatchObject({ status: 'pass' });
    expect(report.check('service.health').summary).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port(hidden)}: database details not shown to this address \\(KDT_DETAILS\\), instance [0-9a-f]{12}$`));
    expect(report.check('service.public')).toMatchObject({ status: 'pass' });
  });
});
