import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTestMessage, parseEnvvars, parseLoadedModules, parseVersionInfo } from './program-output.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

describe('parseVersionInfo', () => {
  it("reads Debian's apache2 -V (recorded), which exits 1 without envvars yet prints the build", () => {
    expect(parseVersionInfo(fixture('commands/debian-apache2-V.stdout') + fixture('commands/debian-apache2-V.stderr'))).toEqual({
      version: 'Apache/2.4.71 (Debian)',
      httpdRoot: '/etc/apache2',
      serverConfigFile: 'apache2.conf',
      defaultErrorLog: 'logs/error_log',
      mpm: null,
    });
  });
  it("reads RHEL's httpd -V", () => {
    expect(parseVersionInfo(fixture('commands/rhel-httpd-V.stdout'))).toMatchObject({ httpdRoot: '/etc/httpd', serverConfigFile: 'conf/httpd.conf', mpm: 'event' });
  });
  it('returns null for anything else', () => {
    expect(parseVersionInfo('bash: httpd: command not found')).toBeNull();
  });
});

describe('parseLoadedModules', () => {
  it('reads " proxy_module (shared)" lines', () => {
    const modules = parseLoadedModules(fixture('commands/debian-apache2ctl-M.stdout'))!;
    expect(modules.has('proxy_module')).toBe(true);
    expect(modules.has('proxy_http_module')).toBe(true);
    expect(modules.has('core_module')).toBe(true);
    expect(parseLoadedModules(fixture('commands/debian-apache2ctl-M-no-proxy-http.stdout'))!.has('proxy_http_module')).toBe(false);
  });
  it('returns null when -M failed', () => {
    expect(parseLoadedModules(fixture('commands/debian-apache2ctl-t-invalid-command.stderr'))).toBeNull();
  });
});

describe('parseEnvvars', () => {
  it("resolves Debian's envvars for the default instance", () => {
    const vars = parseEnvvars(fixture('roots/debian-pass/etc/apache2/envvars'));
    expect(vars).toMatchObject({ APACHE_LOG_DIR: '/var/log/apache2', APACHE_RUN_DIR: '/var/run/apache2', APACHE_RUN_USER: 'www-data', APACHE_CONFDIR: '/etc/apache2' });
  });
});

describe('configTestMessage', () => {
  it('picks the syntax error line', () => {
    expect(configTestMessage(fixture('commands/debian-apache2ctl-t-invalid-command.stderr'))).toBe('AH00526: Syntax error on line 3 of /etc/apache2/sites-enabled/kit-db-test.conf:');
  });
});
