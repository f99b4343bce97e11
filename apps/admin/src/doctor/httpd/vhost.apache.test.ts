// httpd.vhost against a real apache2: a private instance whose sites folder holds a
// 000-default-like host with no ServerName (it inherits the main server's, the name the public URL
// uses) that sorts before the site's. A request through it lands where the doctor says it does.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startApache } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCommands } from '../command-runner.js';
import type { DoctorContext } from '../context.js';
import { runChecks } from '../run-checks.js';
import { fixtureContext } from '../test-support/fixture-context.js';
import { httpdChecks } from './index.js';

const APACHE2 = '/usr/sbin/apache2';

let dir: string;
let backend: Server;
let backendPort: number;
beforeAll(async () => {
  if (!existsSync(APACHE2)) throw new Error(`${APACHE2} not found: apt-get install apache2 (./run.sh test installs it as root)`);
  dir = mkdtempSync(join(tmpdir(), 'kdt-vhost-'));
  mkdirSync(join(dir, 'sites'));
  // Stands in for the site: says it was reached.
  backend = createServer((req, res) => res.end(`site: ${req.url}`));
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendPort = (backend.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => backend?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const DEFAULT_SITE = `<VirtualHost *:\${KDT_HTTP_PORT}>
    DocumentRoot ${'${KDT_DOCS}'}
</VirtualHost>
`;
const siteFile = () => `<VirtualHost *:\${KDT_HTTP_PORT}>
    ServerName 127.0.0.1
    ProxyPreserveHost On
    ProxyPass /kit-db-test http://127.0.0.1:${backendPort}/kit-db-test retry=0
    ProxyPassReverse /kit-db-test http://127.0.0.1:${backendPort}/kit-db-test
</VirtualHost>
`;

function context(config: string, publicUrl: string): DoctorContext {
  return {
    ...fixtureContext({ root: dir, site: { basePath: '/kit-db-test', listen: { kind: 'tcp', host: '127.0.0.1', port: backendPort } }, options: { httpdConfig: config, publicUrl } }),
    commands: systemCommands,
  };
}

describe('httpd.vhost with a real apache2', () => {
  it('names the default host that takes the public URL, and why; once it has a name of its own, the site answers and the check passes', async () => {
    const docs = join(dir, 'docs');
    mkdirSync(join(docs, 'kit-db-test'), { recursive: true });
    writeFileSync(join(docs, 'kit-db-test', 'health'), 'the default site\n');
    writeFileSync(join(dir, 'sites', '000-default.conf'), DEFAULT_SITE);
    writeFileSync(join(dir, 'sites', 'kit-db-test.conf'), siteFile());
    const include = `Define KDT_DOCS ${docs}\nLoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\nIncludeOptional ${dir}/sites/*.conf\n`;
    const port = await freePort();
    await using apache = await startApache({ site: include, port, preamble: `Define KDT_HTTP_PORT ${port}` });
    const publicUrl = `http://127.0.0.1:${port}/kit-db-test/`;

    // What a browser gets: the default host's file, not the site.
    expect(await (await fetch(`${publicUrl}health`)).text()).toBe('the default site\n');
    let results = await runChecks(httpdChecks, context(apache.config, publicUrl));
    const vhost = results.find((r) => r.id === 'httpd.vhost')!;
    expect(vhost.status).toBe('fail');
    expect(vhost.summary).toBe(
      `http://127.0.0.1:${port} goes to <VirtualHost *:${port}> at ${dir}/sites/000-default.conf:1, not to the site's <VirtualHost> at ${dir}/sites/kit-db-test.conf:1: its ServerName 127.0.0.1 matches (it has no ServerName of its own: it takes the main server's, the machine's name 127.0.0.1), and it comes before the site's <VirtualHost> at ${dir}/sites/kit-db-test.conf:1 in httpd's order: the first match wins`,
    );
    expect(vhost.fix[0]).toBe(`give <VirtualHost> at ${dir}/sites/000-default.conf:1 a ServerName of its own`);
    // The configuration of the site's host is right: that check says it points at the site, no more.
    expect(results.find((r) => r.id === 'httpd.proxy')).toMatchObject({ status: 'pass', summary: expect.stringContaining('points at the site') });

    // The first fix, applied: the site answers, and the doctor agrees.
    writeFileSync(join(dir, 'sites', '000-default.conf'), DEFAULT_SITE.replace('DocumentRoot', 'ServerName default.invalid\n    DocumentRoot'));
    await apache.stop();
    await using fixed = await startApache({ site: include, port, preamble: `Define KDT_HTTP_PORT ${port}` });
    expect(await (await fetch(`${publicUrl}health`)).text()).toBe('site: /kit-db-test/health');
    results = await runChecks(httpdChecks, context(fixed.config, publicUrl));
    expect(results.find((r) => r.id === 'httpd.vhost')).toMatchObject({
      status: 'pass',
      summary: `http://127.0.0.1:${port} goes to <VirtualHost *:${port}> at ${dir}/sites/kit-db-test.conf:1 (its ServerName 127.0.0.1), the one that points at the site`,
    });
  });
});
