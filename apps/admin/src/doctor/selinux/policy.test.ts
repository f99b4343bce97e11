// The policy table against what RHEL 9's targeted policy answers (sesearch, seinfo, semanage and
// matchpathcon on selinux-policy 38.1.46 with RHEL 9's defaults): each row is one such answer.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labelFolderCommand, runSpellingFromRelease, runSpellingFromSubs } from './fcontext-rule.js';
import { evaluateTcpConnect, labelPortCommand } from './needs.js';
import { parseSemanagePorts, portLabel } from './parse-semanage-ports.js';
import type { BooleanValue } from './parse-status.js';
import { BOOLEAN_DEFAULTS, HTTPD_BIND_TYPES, HTTPD_BOOLEANS, HTTPD_READABLE_TYPES, POLICY_TCP_PORTS, SERVICE_ENTRY, connectRulesFor, isUnconfined, policyPortRecords } from './policy.js';

const ports = parseSemanagePorts(readFileSync(new URL('fixtures/commands/semanage-port-l.txt', import.meta.url), 'utf8'));
const only = (...on: string[]) => new Map<string, BooleanValue>(HTTPD_BOOLEANS.map((b) => [b, { current: on.includes(b), pending: on.includes(b) }]));
const openers = (type: string) => connectRulesFor(type, policyPortRecords()).map((r) => r.boolean);

describe('httpd_t name_connect: port + booleans → allowed', () => {
  it.each([
    // port, booleans on, allowed
    [3000, [], false],
    [3000, ['nis_enabled'], false], // ntop_port_t is not in nis_enabled's set (no port below 1024)
    [3000, ['httpd_graceful_shutdown'], false],
    [3000, ['httpd_can_network_relay'], false],
    [3000, ['httpd_can_network_connect'], true],
    [80, [], false],
    [80, ['httpd_graceful_shutdown'], true],
    [80, ['httpd_can_network_relay'], true],
    [80, ['nis_enabled'], true], // http_port_t is a reserved_port_type (80 < 1024)
    [8080, ['httpd_can_network_relay'], true],
    [8080, ['httpd_graceful_shutdown'], false],
    [8080, ['nis_enabled'], false],
    [5432, ['httpd_can_network_connect_db'], true],
    [5432, ['nis_enabled'], false],
    [5432, ['httpd_can_network_relay'], false],
    [40000, ['httpd_can_network_relay'], true], // ephemeral_port_t
    [40000, ['nis_enabled'], true],
    [40000, ['httpd_can_connect_ftp'], true],
    [40000, ['httpd_use_openstack'], true],
    [4000, ['nis_enabled'], true], // unreserved_port_t
    [4000, ['httpd_graceful_shutdown'], false],
    [100, ['nis_enabled'], true], // reserved_port_t
  ] as const)('port %i with %j on: %s', (port, on, allowed) => {
    expect(evaluateTcpConnect(port, ports, [], only(...on)).allowed).toBe(allowed);
  });

  it.each([
    ['redis_port_t', ['httpd_can_network_connect']], // there is no httpd_can_network_redis
    ['ntop_port_t', ['httpd_can_network_connect']],
    ['postgresql_port_t', ['httpd_can_network_connect', 'httpd_can_network_connect_db']],
    ['gds_db_port_t', ['httpd_can_network_connect', 'httpd_can_network_connect_db']],
    ['smtp_port_t', ['httpd_can_network_connect', 'httpd_can_sendmail']],
    ['pop_port_t', ['httpd_can_network_connect', 'httpd_can_sendmail']],
    ['http_port_t', ['httpd_graceful_shutdown', 'httpd_can_network_relay', 'httpd_can_network_connect', 'nis_enabled']],
    ['hplip_port_t', ['httpd_can_network_relay', 'httpd_can_network_connect', 'httpd_use_openstack']], // ephemeral_port_type
    ['kerberos_port_t', ['httpd_can_network_connect', 'kerberos_enabled']],
    ['dns_port_t', ['httpd_can_network_connect', null]], // unconditional
  ])('%s is opened by %j', (type, expected) => {
    expect(openers(type)).toEqual(expected);
  });

  it('dns ports are always open to httpd_t (nsswitch_domain)', () => {
    expect(evaluateTcpConnect(53, [{ type: 'dns_port_t', proto: 'tcp', low: 53, high: 53 }], [], only())).toMatchObject({ allowed: true, summary: 'httpd may connect to port 53 (dns_port_t, always)' });
  });

  it('every boolean the doctor reads has its RHEL 9 default: all off but kerberos_enabled', () => {
    expect(HTTPD_BOOLEANS.map((b) => [b, BOOLEAN_DEFAULTS[b]])).toEqual(HTTPD_BOOLEANS.map((b) => [b, b === 'kerberos_enabled']));
  });
});

describe('semanage port: -a or -m', () => {
  // semanage: `-a` fails with "already defined" only for a record of exactly that port, `-m` with "is not defined" otherwise.
  it.each([
    [3000, 'semanage port -a -t http_port_t -p tcp 3000'],
    [3001, 'semanage port -a -t http_port_t -p tcp 3001'],
    [4000, 'semanage port -a -t http_port_t -p tcp 4000'],
    [10005, 'semanage port -a -t http_port_t -p tcp 10005'],
    [8080, 'semanage port -m -t http_port_t -p tcp 8080'],
    [9898, 'semanage port -m -t http_port_t -p tcp 9898'],
    [5432, 'semanage port -m -t http_port_t -p tcp 5432'],
  ])('port %i: %s', (port, command) => {
    expect(labelPortCommand(portLabel(ports, [], 'tcp', port), port)).toBe(command);
    expect(labelPortCommand(portLabel(policyPortRecords(), [], 'tcp', port), port)).toBe(command);
  });

  it('the built-in port records are the policy\'s, as semanage port -l lists them', () => {
    const fromFixture = ports.filter((r) => r.proto === 'tcp' && POLICY_TCP_PORTS.some((p) => p.type === r.type));
    const key = (r: { type: string; low: number }) => `${r.type} ${r.low}`;
    expect(policyPortRecords().sort((a, b) => key(a).localeCompare(key(b)))).toEqual(fromFixture.sort((a, b) => key(a).localeCompare(key(b))));
  });

  it('httpd_t binds http_port_t, http_cache_port_t and ntop_port_t ports without a label (8080, 3000)', () => {
    for (const port of [80, 443, 3000, 8080, 8443]) expect(HTTPD_BIND_TYPES).toContain(portLabel(policyPortRecords(), [], 'tcp', port).type);
    expect(HTTPD_BIND_TYPES).not.toContain(portLabel(policyPortRecords(), [], 'tcp', 8081).type);
  });
});

describe('semanage fcontext for a folder under /run, by release', () => {
  it.each([
    ['/run /var/run', '/var/run'], // RHEL 8 and 9, Fedora up to 39
    ['/var/run /run', '/run'], // Fedora 40, RHEL 10
    ['/run/lock /var/lock\n/run /var/run', '/var/run'],
    ['', null],
  ])('file_contexts.subs_dist %j → rules spelt %s', (subs, spelling) => {
    expect(runSpellingFromSubs(subs)).toBe(spelling);
  });

  it.each([
    ['rhel', '9.4', '/var/run'],
    ['rocky', '8.10', '/var/run'],
    ['rhel', '10.0', '/run'],
    ['centos', '10', '/run'],
    ['fedora', '39', '/var/run'],
    ['fedora', '40', '/run'],
    ['debian', '12', null],
  ])('os-release %s %s → %s', (id, version, spelling) => {
    expect(runSpellingFromRelease(id, version)).toBe(spelling);
  });

  it('writes the rule in the release\'s spelling and restores the real path; other folders as they are, dots escaped', () => {
    expect(labelFolderCommand('/run/kit-db-test', 'httpd_var_run_t', '/var/run')).toBe("semanage fcontext -a -t httpd_var_run_t '/var/run/kit-db-test(/.*)?' && restorecon -Rv /run/kit-db-test");
    expect(labelFolderCommand('/var/run/kit-db-test', 'httpd_var_run_t', '/run')).toBe("semanage fcontext -a -t httpd_var_run_t '/run/kit-db-test(/.*)?' && restorecon -Rv /run/kit-db-test");
    expect(labelFolderCommand('/srv/kdt.data', 'httpd_sys_rw_content_t', '/var/run')).toBe("semanage fcontext -a -t httpd_sys_rw_content_t '/srv/kdt\\.data(/.*)?' && restorecon -Rv /srv/kdt.data");
  });
});

describe('programs systemd starts, and files httpd reads', () => {
  it.each([
    ['bin_t', 'unconfined_service_t'],
    ['usr_t', 'unconfined_service_t'],
    ['lib_t', 'init_t'],
    ['var_t', null], // init_t may not execute it: 203/EXEC
  ])('a %s program runs as %s', (type, domain) => {
    expect(SERVICE_ENTRY[type]!.runs).toBe(domain);
  });

  it('the unconfined domains, and what httpd reads', () => {
    for (const d of ['unconfined_t', 'unconfined_service_t', 'initrc_t', 'kernel_t']) expect(isUnconfined(d)).toBe(true);
    expect(isUnconfined('init_t')).toBe(false);
    for (const t of ['httpd_sys_content_t', 'public_content_t', 'usr_t', 'etc_t', 'var_lib_t']) expect(HTTPD_READABLE_TYPES).toContain(t);
    expect(HTTPD_READABLE_TYPES).not.toContain('var_t');
  });
});
