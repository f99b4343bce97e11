// The checks against the real program: Debian's apache2 (package apache2), when installed.
// No server is started: only apache2 -V, -t and -M run, against a configuration generated here.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemCommands, type CommandRunner } from '../command-runner.js';
import type { DoctorContext } from '../context.js';
import { runChecks } from '../run-checks.js';
import { fixtureContext } from '../test-support/fixture-context.js';
import { configTestCheck, httpdChecks, modulesCheck, proxyCheck } from './index.js';
import { parseLoadedModules, parseVersionInfo } from './program-output.js';

const APACHE2 = '/usr/sbin/apache2';
const installed = existsSync(APACHE2);
const MODULES = '/usr/lib/apache2/modules';

if (!installed && process.env.CI === 'true') {
  // Under CI the program must be there (run.sh installs the apache2 package): test it, never less.
  it('apache2 is installed (CI)', () => {
    expect.fail(`${APACHE2} is missing: apt-get install apache2`);
  });
}

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A root holding etc/apache2/apache2.conf generated from `modules` and `site`, with no ${VARS}. */
function generatedRoot(modules: string[], site: string): string {
  const root = mkdtempSync(join(tmpdir(), 'kdt-httpd-'));
  roots.push(root);
  const conf = join(root, 'etc/apache2');
  mkdirSync(join(root, 'run'), { recursive: true });
  mkdirSync(conf, { recursive: true });
  writeFileSync(
    join(conf, 'apache2.conf'),
    [
      `DefaultRuntimeDir ${root}/run`,
      `PidFile ${root}/run/apache2.pid`,
      `ErrorLog ${root}/error.log`,
      'ServerName localhost',
      'Listen 127.0.0.1:18080',
      ...['mpm_event', 'authz_core', ...modules].map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
      site,
      '',
    ].join('\n'),
  );
  return root;
}

/**
 * The real programs, with apache2ctl's work done by apache2 itself on the generated file (apache2ctl
 * would test the machine's own /etc/apache2).
 */
function realCommands(root: string): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run(binary, args, timeoutMs) {
      calls.push([binary, ...args].join(' '));
      if (binary === 'apache2ctl') return systemCommands.run(APACHE2, [...args, '-f', join(root, 'etc/apache2/apache2.conf')], timeoutMs);
      return systemCommands.run(binary, args, timeoutMs);
    },
  };
}

function context(root: string): DoctorContext {
  return { ...fixtureContext({ root, site: { basePath: '/kit-db-test', origin: 'http://example.org' } }), commands: realCommands(root) };
}

const SITE = `<VirtualHost 127.0.0.1:18080>
  ServerName example.org
  ProxyPreserveHost On
  ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test retry=0
  ProxyPassReverse /kit-db-test http://127.0.0.1:3000/kit-db-test
</VirtualHost>`;

describe.skipIf(!installed)('with the real apache2', () => {
  it('-V and -M print what the parsers read', async () => {
    const v = await systemCommands.run(APACHE2, ['-V']);
    expect(parseVersionInfo(v.stdout + v.stderr)).toMatchObject({ httpdRoot: '/etc/apache2', serverConfigFile: 'apache2.conf' });
    const root = generatedRoot(['proxy', 'proxy_http', 'headers'], SITE);
    const m = await systemCommands.run(APACHE2, ['-M', '-f', join(root, 'etc/apache2/apache2.conf')]);
    const modules = parseLoadedModules(m.stdout);
    expect(modules && [...modules].filter((x) => x.startsWith('proxy') || x === 'headers_module').sort()).toEqual(['headers_module', 'proxy_http_module', 'proxy_module']);
  });

  it('a good configuration: Syntax OK, the modules loaded, the ProxyPass right', async () => {
    const ctx = context(generatedRoot(['proxy', 'proxy_http', 'headers'], SITE));
    expect(await configTestCheck.run(ctx)).toMatchObject({ status: 'pass', summary: 'apache2ctl -t: Syntax OK' });
    expect(await modulesCheck.run(ctx)).toMatchObject({ status: 'pass', evidence: [expect.stringContaining('loaded modules from apache2ctl -M')] });
    expect(await proxyCheck.run(ctx)).toMatchObject({ status: 'pass' });
  });

  it('ProxyPass without mod_proxy: the configuration test fails with apache2\'s own words, and the module is named', async () => {
    const ctx = context(generatedRoot(['headers'], SITE));
    const test = await configTestCheck.run(ctx);
    expect(test.status).toBe('fail');
    expect(test.summary).toMatch(/^apache2ctl -t fails: AH00526: Syntax error on line \d+ of .*apache2\.conf: Invalid command 'Proxy\w+'$/);
    expect(test.fix?.[0]).toMatch(/^Proxy\w+ needs mod_proxy: a2enmod proxy$/);
    // -M fails too: the LoadModule lines say what is missing.
    expect(await modulesCheck.run(ctx)).toMatchObject({ status: 'fail', summary: 'not loaded: mod_proxy, mod_proxy_http', fix: ['a2enmod proxy proxy_http', 'systemctl restart apache2'] });
  });

  it('without mod_proxy_http the configuration loads, and -M shows it missing', async () => {
    const ctx = context(generatedRoot(['proxy', 'headers'], SITE));
    expect(await configTestCheck.run(ctx)).toMatchObject({ status: 'pass' });
    expect(await modulesCheck.run(ctx)).toMatchObject({ status: 'fail', summary: 'not loaded: mod_proxy_http', evidence: expect.arrayContaining([expect.stringContaining('from apache2ctl -M')]) });
  });
});

describe('on this machine, as it is', () => {
  it('no site configured in httpd (or no httpd): nothing fails', async () => {
    const ctx: DoctorContext = { ...fixtureContext({ root: '/' }), commands: systemCommands };
    const results = await runChecks(httpdChecks, ctx);
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    if (!installed) expect(results.every((r) => r.status === 'skip')).toBe(true);
    else expect(results.find((r) => r.id === 'httpd.proxy')!.status).toBe('skip');
  });
});
