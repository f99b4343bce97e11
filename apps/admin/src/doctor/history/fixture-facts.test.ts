import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../command-runner.js';
import { httpdChecks } from '../httpd/index.js';
import { runChecks } from '../run-checks.js';
import { selinuxChecks } from '../selinux/index.js';
import { fixtureContext } from '../test-support/fixture-context.js';
import type { DoctorContext } from '../context.js';
import type { Check } from '../types.js';
import { explainFix } from './explain-fix.js';
import { httpdFacts } from './httpd-facts.js';
import type { Facts, RunRecord } from './run-record.js';
import { selinuxFacts } from './selinux-facts.js';

type Table = Record<string, Partial<CommandResult> | string>;
const httpdRoot = (name: string) => fileURLToPath(new URL(`../httpd/fixtures/roots/${name}`, import.meta.url));
const selinuxRoot = (name: string) => fileURLToPath(new URL(`../selinux/fixtures/${name}`, import.meta.url));
const httpdOut = (name: string) => readFileSync(new URL(`../httpd/fixtures/commands/${name}`, import.meta.url), 'utf8');
const SEMANAGE_PORT_L = readFileSync(new URL('../selinux/fixtures/commands/semanage-port-l.txt', import.meta.url), 'utf8');

const DEBIAN: Table = {
  'apache2 -V': { code: 1, stdout: httpdOut('debian-apache2-V.stdout'), stderr: httpdOut('debian-apache2-V.stderr') },
  'apache2ctl -t': { code: 0, stderr: httpdOut('debian-apache2ctl-t-ok.stderr') },
  'apache2ctl -M': { code: 0, stdout: httpdOut('debian-apache2ctl-M.stdout'), stderr: httpdOut('debian-apache2ctl-M.stderr') },
};
const RHEL: Table = { 'semanage port -l': SEMANAGE_PORT_L, 'semanage port -l -C': '', 'systemctl show --property MainPID --value kit-db-test.service': '1250\n' };
const tcp3000 = { listen: { kind: 'tcp' as const, host: '127.0.0.1', port: 3000 } };

/** Runs the checks on a fixture and keeps the run as the doctor would. */
async function snapshot(at: string, context: DoctorContext, checks: Check<DoctorContext>[], read: (c: DoctorContext) => Promise<Facts>): Promise<RunRecord> {
  const results = await runChecks(checks, context);
  return { version: 1, id: at, at, host: 'web1', profile: 'live', ok: true, checks: results.map((r) => ({ id: r.id, title: r.title, status: r.status, summary: r.summary, fix: r.fix })), facts: await read(context) };
}

describe('what fixed it, on recorded httpd and SELinux machines', () => {
  it('httpd: the ProxyPass pointed at the site\'s port is the change that fixed httpd.proxy', async () => {
    const site = { basePath: '/kit-db-test', origin: 'http://example.org' };
    const before = await snapshot('2026-12-01T09:00:00.000Z', fixtureContext({ root: httpdRoot('debian-wrong-port'), commands: DEBIAN, site }), httpdChecks, httpdFacts);
    const after = await snapshot('2026-12-01T09:10:00.000Z', fixtureContext({ root: httpdRoot('debian-pass'), commands: DEBIAN, site }), httpdChecks, httpdFacts);
    expect(before.checks.find((c) => c.id === 'httpd.proxy')!.status).toBe('fail');
    const explanation = explainFix(before, after);
    const proxy = explanation.fixed.find((f) => f.id === 'httpd.proxy')!;
    const conf = '/etc/apache2/sites-enabled/kit-db-test.conf';
    expect(proxy.changes.map((c) => c.text)).toEqual([
      `httpd proxy: ProxyPass /kit-db-test http://127.0.0.1:3001/kit-db-test (<VirtualHost *:80> in ${conf}) no longer there`,
      `httpd proxy: ProxyPassReverse /kit-db-test http://127.0.0.1:3001/kit-db-test (<VirtualHost *:80> in ${conf}) no longer there`,
      `httpd proxy: ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test retry=0 (<VirtualHost *:80> in ${conf}) added`,
      `httpd proxy: ProxyPassReverse /kit-db-test http://127.0.0.1:3000/kit-db-test (<VirtualHost *:80> in ${conf}) added`,
    ]);
    expect(after.facts['httpd.vhosts']).toEqual(expect.arrayContaining([expect.stringMatching(/^<VirtualHost \*:80> in .*kit-db-test\.conf/)]));
  });

  it('SELinux: port 3000 labelled http_port_t and httpd_graceful_shutdown on fixed httpd_connect; the database boolean turned on at the same time did not matter', async () => {
    const labelled = SEMANAGE_PORT_L.replace(/^http_port_t\s+tcp\s+/m, (m) => `${m}3000, `);
    expect(labelled).not.toBe(SEMANAGE_PORT_L);
    const before = await snapshot('2026-12-01T09:00:00.000Z', fixtureContext({ root: selinuxRoot('enforcing-denied'), commands: RHEL, site: tcp3000 }), selinuxChecks, selinuxFacts);
    const afterContext = fixtureContext({ root: selinuxRoot('enforcing-denied'), commands: { ...RHEL, 'semanage port -l': labelled, 'semanage port -l -C': 'http_port_t                    tcp      3000\n' }, site: tcp3000 });
    // The fix the doctor printed, and httpd_can_network_connect_db on too: no part of httpd reaching the site.
    const files = Object.create(afterContext.files) as typeof afterContext.files;
    const on = ['httpd_graceful_shutdown', 'httpd_can_network_connect_db'];
    files.read = (path) => (on.some((b) => path.endsWith(`/booleans/${b}`)) ? { text: '1 1' } : afterContext.files.read(path));
    const after = await snapshot('2026-12-01T09:10:00.000Z', { ...afterContext, files }, selinuxChecks, selinuxFacts);
    expect(before.checks.find((c) => c.id === 'selinux.httpd_connect')).toMatchObject({ status: 'fail', fix: ['semanage port -a -t http_port_t -p tcp 3000 && setsebool -P httpd_graceful_shutdown 1'] });
    const explanation = explainFix(before, after);
    const connect = explanation.fixed.find((f) => f.id === 'selinux.httpd_connect');
    expect(connect, JSON.stringify(after.checks)).toBeDefined();
    expect(connect!.changes.map((c) => c.text)).toEqual(['SELinux boolean httpd_graceful_shutdown: off → on', 'SELinux: port 3000: ntop_port_t → http_port_t (a local customization)']);
    expect(explanation.other.map((c) => c.text)).toEqual(['SELinux boolean httpd_can_network_connect_db: off → on']);
  });
});
