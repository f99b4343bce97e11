import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../command-runner.js';
import { runChecks } from '../run-checks.js';
import { fixtureContext, type FixtureContextInput } from '../test-support/fixture-context.js';
import type { CheckResult } from '../types.js';
import { httpdChecks } from './index.js';

const root = (name: string) => fileURLToPath(new URL(`fixtures/roots/${name}`, import.meta.url));
const out = (name: string) => readFileSync(new URL(`fixtures/commands/${name}`, import.meta.url), 'utf8');

type Table = Record<string, Partial<CommandResult> | string>;

/** Debian's programs as recorded: apache2 -V exits 1 without envvars; apache2ctl -t/-M. */
const debian = (overrides: Table = {}): Table => ({
  'apache2 -V': { code: 1, stdout: out('debian-apache2-V.stdout'), stderr: out('debian-apache2-V.stderr') },
  'apache2ctl -t': { code: 0, stderr: out('debian-apache2ctl-t-ok.stderr') },
  'apache2ctl -M': { code: 0, stdout: out('debian-apache2ctl-M.stdout'), stderr: out('debian-apache2ctl-M.stderr') },
  'apache2ctl -S': { code: 0, stdout: out('debian-apache2ctl-S.stdout'), stderr: out('debian-apache2ctl-M.stderr') },
  ...overrides,
});
const rhel = (overrides: Table = {}): Table => ({
  'httpd -V': out('rhel-httpd-V.stdout'),
  'httpd -t': { code: 0, stderr: out('rhel-httpd-t-ok.stderr') },
  'httpd -M': out('rhel-httpd-M.stdout'),
  'httpd -S': out('rhel-httpd-S.stdout'),
  ...overrides,
});

async function doctor(name: string, commands: Table, extra: Omit<FixtureContextInput, 'root' | 'commands'> = {}) {
  const context = fixtureContext({ root: root(name), commands, ...extra });
  const results = await runChecks(httpdChecks, context);
  const by = (id: string) => results.find((r) => r.id === id)!;
  return { results, by, context };
}

const statuses = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));
// As ops render writes it: ORIGIN set (without it the site serves loopback names only).
const KDT = { site: { basePath: '/kit-db-test', origin: 'http://example.org' } };

describe('httpd checks on fixtures', () => {
  it('exports the checks in dependency order with stable ids', () => {
    expect(httpdChecks.map((c) => [c.id, c.needs ?? []])).toEqual([
      ['httpd.installed', []],
      ['httpd.config_test', ['httpd.installed']],
      ['httpd.modules', ['httpd.installed']],
      ['httpd.proxy', ['httpd.installed']],
      ['httpd.vhost', ['httpd.installed', 'httpd.config_test']],
      ['httpd.error_log', ['httpd.installed']],
    ]);
  });

  it('no httpd at all: every check is skipped, none fails', async () => {
    const { results } = await doctor('no-httpd', {});
    expect(results.map((r) => [r.status, r.summary])).toEqual([
      ['skip', 'httpd not installed (no httpd or apache2 program, no /etc/httpd/conf/httpd.conf or /etc/apache2/apache2.conf)'],
      ...Array(5).fill(['skip', 'skipped: httpd not installed (no httpd or apache2 program, no /etc/httpd/conf/httpd.conf or /etc/apache2/apache2.conf)']),
    ]);
  });

  it('Debian, correct proxy: everything passes; the error log is read only since the last restart', async () => {
    const { results, by, context } = await doctor('debian-pass', debian(), KDT);
    expect(statuses(results)).toEqual({ 'httpd.installed': 'pass', 'httpd.config_test': 'pass', 'httpd.modules': 'pass', 'httpd.proxy': 'pass', 'httpd.vhost': 'pass', 'httpd.error_log': 'pass' });
    expect(by('httpd.installed').summary).toBe('Apache/2.4.71 (Debian) (Debian layout): /etc/apache2/apache2.conf');
    expect(by('httpd.config_test').summary).toBe('apache2ctl -t: Syntax OK');
    expect(by('httpd.modules').summary).toBe('mod_proxy, mod_proxy_http loaded');
    expect(by('httpd.proxy').summary).toBe('ProxyPass /kit-db-test → http://127.0.0.1:3000/kit-db-test (/etc/apache2/sites-enabled/kit-db-test.conf:8) points at the site; the origin agrees');
    expect(by('httpd.error_log').summary).toBe('no proxy errors in the last 2 line(s) of /var/log/apache2/error.log since httpd last started');
    expect(by('httpd.vhost').summary).toBe(
      'Host example.org on port 80 goes to <VirtualHost *:80> at /etc/apache2/sites-enabled/kit-db-test.conf:2 (its ServerName example.org), the one that points at the site',
    );
    expect(context.commands.calls).toEqual(['httpd -V', 'apache2 -V', 'apache2ctl -t', 'apache2ctl -M', 'apache2ctl -S', 'getent ahosts example.org']);
  });

  it("Debian, 000-default takes the machine's name, which the public URL uses: it wins by order, and the fix is a2dissite", async () => {
    const { by } = await doctor('debian-pass', debian({ 'apache2ctl -S': out('debian-apache2ctl-S-named-like-the-machine.stdout') }), {
      ...KDT,
      options: { publicUrl: 'http://example.org/kit-db-test/' },
    });
    const vhost = by('httpd.vhost');
    expect(vhost.status).toBe('fail');
    expect(vhost.summary).toBe(
      "http://example.org goes to <VirtualHost *:80> at /etc/apache2/sites-enabled/000-default.conf:1, not to the site's <VirtualHost> at /etc/apache2/sites-enabled/kit-db-test.conf:2: its ServerName example.org matches (it has no ServerName of its own: it takes the main server's, the machine's name example.org), and it comes before the site's <VirtualHost> at /etc/apache2/sites-enabled/kit-db-test.conf:2 in httpd's order: the first match wins",
    );
    expect(vhost.fix).toEqual([
      'a2dissite 000-default',
      'give <VirtualHost> at /etc/apache2/sites-enabled/000-default.conf:1 a ServerName of its own',
      "or make the site's <VirtualHost> at /etc/apache2/sites-enabled/kit-db-test.conf:2 the default server of *:80: httpd must read it first (its file sorts first)",
      'apache2ctl -t && systemctl reload apache2',
    ]);
    // The configuration alone still points at the site: that check says so, and no more.
    expect(by('httpd.proxy').status).toBe('pass');
  });

  it('Debian, a public name no virtual host carries: the default server takes it; the fix is a ServerAlias on the site', async () => {
    const { by } = await doctor('debian-pass', debian(), { ...KDT, options: { publicUrl: 'http://www.example.org/kit-db-test/' } });
    expect(by('httpd.vhost')).toMatchObject({
      status: 'fail',
      summary:
        "http://www.example.org goes to <VirtualHost *:80> at /etc/apache2/sites-enabled/000-default.conf:1, not to the site's <VirtualHost> at /etc/apache2/sites-enabled/kit-db-test.conf:2: no virtual host on *:80 is named www.example.org (ServerName or ServerAlias), so httpd gives the request to the address's default server, the first one it read",
      fix: ['a2dissite 000-default', "add to the site's <VirtualHost> at /etc/apache2/sites-enabled/kit-db-test.conf:2: ServerAlias www.example.org", 'apache2ctl -t && systemctl reload apache2'],
    });
  });

  it('Debian, the program not on PATH: the configuration is still read, the LoadModule lines stand in for -M', async () => {
    const { results, by } = await doctor('debian-pass', {}, KDT);
    expect(statuses(results)).toEqual({ 'httpd.installed': 'warn', 'httpd.config_test': 'warn', 'httpd.modules': 'pass', 'httpd.proxy': 'pass', 'httpd.vhost': 'skip', 'httpd.error_log': 'pass' });
    expect(by('httpd.modules').evidence[0]).toContain('loaded modules from the LoadModule lines of /etc/apache2/apache2.conf');
  });

  it('Debian, a configuration that does not load: the error and the module to enable', async () => {
    const { by } = await doctor(
      'debian-pass',
      debian({ 'apache2ctl -t': { code: 1, stdout: out('debian-apache2ctl-t-invalid-command.stdout'), stderr: out('debian-apache2ctl-t-invalid-command.stderr') } }),
      KDT,
    );
    const test = by('httpd.config_test');
    expect(test.status).toBe('fail');
    expect(test.summary).toBe("apache2ctl -t fails: AH00526: Syntax error on line 3 of /etc/apache2/sites-enabled/kit-db-test.conf: Invalid command 'ProxyPreserveHost'");
    expect(test.fix).toEqual([
      'ProxyPreserveHost needs mod_proxy: a2enmod proxy',
      'edit line 3 of /etc/apache2/sites-enabled/kit-db-test.conf',
      'apache2ctl -t until it says Syntax OK, then systemctl reload apache2',
    ]);
  });

  it('Debian without mod_proxy_http: modules fail with a2enmod, the error log explains AH01144', async () => {
    const { by } = await doctor('debian-no-proxy-http', debian({ 'apache2ctl -M': out('debian-apache2ctl-M-no-proxy-http.stdout') }), KDT);
    expect(by('httpd.modules')).toMatchObject({ status: 'fail', summary: 'not loaded: mod_proxy_http', fix: ['a2enmod proxy_http', 'systemctl restart apache2'] });
    const log = by('httpd.error_log');
    expect(log.status).toBe('fail');
    expect(log.summary).toBe('mod_proxy_http is not loaded: no handler for http:// backends: AH01144 ×2, last at Wed Nov 25 11:01:13.002761 2026');
    expect(log.evidence.join('\n')).toContain('mod_proxy_http is not loaded');
  });

  it('Debian, ProxyPass to the wrong port: "the site listens on 3000, httpd proxies to 3001", and the log\'s 60 s', async () => {
    const { by } = await doctor('debian-wrong-port', debian(), KDT);
    const proxy = by('httpd.proxy');
    expect(proxy.status).toBe('fail');
    expect(proxy.summary).toBe('the site listens on 3000, httpd proxies to 3001 (http://127.0.0.1:3001/kit-db-test)');
    expect(proxy.evidence).toContain('/etc/apache2/sites-enabled/kit-db-test.conf:8: ProxyPass /kit-db-test http://127.0.0.1:3001/kit-db-test (in <VirtualHost *:80>)');
    expect(proxy.fix).toContain('/etc/apache2/sites-enabled/kit-db-test.conf:8: ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test retry=0');
    expect(proxy.evidence.join('\n')).toContain('ProxyPass without retry=0');
    expect(proxy.fix).toEqual([
      '/etc/apache2/sites-enabled/kit-db-test.conf:8: ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test retry=0',
      '/etc/apache2/sites-enabled/kit-db-test.conf:9: ProxyPassReverse /kit-db-test http://127.0.0.1:3000/kit-db-test',
      'apache2ctl -t && systemctl reload apache2',
    ]);
    const log = by('httpd.error_log');
    expect(log.status).toBe('fail');
    expect(log.summary).toBe('httpd connects to 127.0.0.1:3001, the site listens on 127.0.0.1:3000: AH00957, last at Wed Nov 25 11:31:05.730121 2026');
    const evidence = log.evidence.join('\n');
    expect(evidence).toContain('/var/log/apache2/error.log:3: [Wed Nov 25 11:31:05.730121 2026] [proxy:error]');
    expect(evidence).toContain('httpd connects to 127.0.0.1:3001, but the site listens on 127.0.0.1:3000');
    expect(evidence).toContain('stops trying it for 60 seconds');
    expect(log.fix).toContain('add retry=0 to the ProxyPass line (httpd then retries the backend on the next request), and reload httpd');
  });

  it('Debian, base path mismatch: every asset 404s', async () => {
    const { by } = await doctor('debian-base-mismatch', debian(), KDT);
    const proxy = by('httpd.proxy');
    expect(proxy.status).toBe('fail');
    expect(proxy.summary).toBe(
      'httpd serves the site at /app, but the site was built with base path /kit-db-test: its pages link to /kit-db-test/_app/… and /kit-db-test, which httpd does not proxy, so every asset 404s',
    );
    expect(by('httpd.error_log')).toMatchObject({ status: 'skip', summary: 'no error log at /var/log/apache2/error.log yet' });
  });

  it('Debian, the site reads X-Forwarded-Proto which httpd never sets (from its unit and environment file): 403', async () => {
    const { by, context } = await doctor('debian-header-mismatch', debian());
    expect(context.site).toMatchObject({ basePath: '/kit-db-test', protocolHeader: 'x-forwarded-proto', hostHeader: 'x-forwarded-host' });
    const proxy = by('httpd.proxy');
    expect(proxy.status).toBe('fail');
    expect(proxy.summary).toContain('every form post gets 403 "Cross-site POST form submissions are forbidden"');
    expect(proxy.fix[0]).toBe('add in <VirtualHost *:80> (/etc/apache2/sites-enabled/kit-db-test.conf:2): RequestHeader set X-Forwarded-Proto "http"');
  });

  it('ORIGIN different from the public URL: 403', async () => {
    const { by } = await doctor('debian-pass', debian(), { site: { basePath: '/kit-db-test', origin: 'https://example.org' }, options: { publicUrl: 'http://example.org/kit-db-test/' } });
    expect(by('httpd.proxy')).toMatchObject({
      status: 'fail',
      summary: 'the site\'s ORIGIN is https://example.org but browsers use http://example.org (--public-url): the scheme differs (https:// behind http): every form post gets 403 "Cross-site POST form submissions are forbidden"',
      fix: ["set ORIGIN=http://example.org in the site's environment file, then systemctl restart kit-db-test.service", 'apache2ctl -t && systemctl reload apache2'],
    });
  });

  it('RHEL, https with <Location> ProxyPass and X-Forwarded-Proto: everything passes', async () => {
    const { results, by, context } = await doctor('rhel-pass', rhel());
    expect(statuses(results)).toEqual({ 'httpd.installed': 'pass', 'httpd.config_test': 'pass', 'httpd.modules': 'pass', 'httpd.proxy': 'pass', 'httpd.vhost': 'pass', 'httpd.error_log': 'pass' });
    expect(by('httpd.installed').summary).toBe('Apache/2.4.62 (Red Hat Enterprise Linux) (RHEL layout): /etc/httpd/conf/httpd.conf');
    expect(by('httpd.modules').summary).toBe('mod_proxy, mod_proxy_http, mod_headers loaded');
    expect(by('httpd.proxy').summary).toBe('<Location /kit-db-test> ProxyPass /kit-db-test → http://127.0.0.1:3000/kit-db-test (/etc/httpd/conf.d/kit-db-test.conf:12) points at the site; the origin agrees');
    expect(by('httpd.error_log').summary).toBe('no proxy errors in the last 2 line(s) of /var/log/httpd/error_log since httpd last started');
    expect(by('httpd.vhost').summary).toBe(
      'Host example.org on port 443 goes to <VirtualHost *:443> at /etc/httpd/conf.d/kit-db-test.conf:2 (the only virtual host on *:443), the one that points at the site',
    );
    expect(context.commands.calls).toEqual(['httpd -V', 'httpd -t', 'httpd -M', 'httpd -S', 'getent ahosts example.org']);
  });

  it('RHEL, (13)Permission denied: AH00957 is SELinux', async () => {
    const { by } = await doctor('rhel-selinux', rhel());
    const log = by('httpd.error_log');
    expect(log.status).toBe('fail');
    expect(log.summary).toBe("SELinux denied httpd's connection to 127.0.0.1:3000: AH00957 ×2, last at Wed Nov 25 09:04:18.870030 2026");
    expect(log.fix).toEqual(['setsebool -P httpd_can_network_connect 1', 'see the selinux.* checks; ausearch -m avc -c httpd shows the denial']);
  });

  it('RHEL without mod_proxy_http: the commented-out LoadModule line to restore (from -M, and from the files alone)', async () => {
    const fix = ['uncomment line 7 of /etc/httpd/conf.modules.d/00-proxy.conf: LoadModule proxy_http_module modules/mod_proxy_http.so', 'systemctl restart httpd'];
    const recorded = await doctor('rhel-no-proxy-http', rhel({ 'httpd -M': out('rhel-httpd-M-no-proxy-http.stdout') }));
    expect(recorded.by('httpd.modules')).toMatchObject({ status: 'fail', summary: 'not loaded: mod_proxy_http', fix });
    const filesOnly = await doctor('rhel-no-proxy-http', {});
    expect(filesOnly.by('httpd.modules')).toMatchObject({ status: 'fail', summary: 'not loaded: mod_proxy_http', fix });
  });
});
