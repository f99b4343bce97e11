import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAuditLog, parseAvcLine, parseContext } from './parse-avc.js';
import { proxiesToSite, servedFolders } from './parse-httpd-conf.js';
import { parseSemanagePorts, portLabel } from './parse-semanage-ports.js';
import { parseBooleanFile, parseEnforceFile, parseFileContext, parseGetenforce, parseGetsebool, parseSelinuxConfig, parseSestatus } from './parse-status.js';

const fixture = (path: string) => readFileSync(new URL(`fixtures/${path}`, import.meta.url), 'utf8');

// The AVC record of the RHEL "Using SELinux" guide and audit2why(8).
const AVC =
  'type=AVC msg=audit(1700000000.123:456): avc:  denied  { name_connect } for  pid=1234 comm="httpd" dest=3000 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:ntop_port_t:s0 tclass=tcp_socket permissive=0';

describe('parseAvcLine', () => {
  it('reads who, what, the port and the mode of an audit.log AVC record', () => {
    expect(parseAvcLine(AVC)).toMatchObject({
      time: 1700000000.123,
      serial: 456,
      verdict: 'denied',
      permissions: ['name_connect'],
      pid: 1234,
      comm: 'httpd',
      dest: 3000,
      stype: 'httpd_t',
      ttype: 'ntop_port_t',
      tclass: 'tcp_socket',
      permissive: false,
    });
  });

  it('reads the kernel log form (no auditd), several permissions, a hex-encoded comm and an MLS range', () => {
    // dmesg / journalctl -k: "audit: type=1400 audit(…)"; comm with a space is written as hex (auditd's encoding).
    const line =
      'audit: type=1400 audit(1700000001.5:77): avc:  denied  { read write } for  pid=9 comm=6E6F646520736974 name="kdt.sqlite" dev="dm-0" ino=5 scontext=system_u:system_r:httpd_sys_script_t:s0:c0.c1023 tcontext=unconfined_u:object_r:var_t:s0 tclass=file permissive=1';
    expect(parseAvcLine(line)).toMatchObject({ permissions: ['read', 'write'], comm: 'node sit', name: 'kdt.sqlite', stype: 'httpd_sys_script_t', permissive: true, time: 1700000001.5 });
  });

  it('ignores records that are not AVCs, and a record without permissive= says null', () => {
    expect(parseAvcLine('type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=42 success=no exit=-13')).toBeNull();
    expect(parseAvcLine(AVC.replace(' permissive=0', ''))?.permissive).toBeNull();
  });

  it('splits a context whose level holds colons', () => {
    expect(parseContext('system_u:object_r:httpd_sys_content_t:s0:c1,c2')).toEqual({ user: 'system_u', role: 'object_r', type: 'httpd_sys_content_t', level: 's0:c1,c2' });
    expect(parseContext('system_u:system_r:unconfined_service_t:s0\0')?.type).toBe('unconfined_service_t');
    expect(parseContext('garbage')).toBeNull();
  });
});

describe('parseAuditLog', () => {
  it('keeps the denials, drops the other records, and fills a file denial\'s path from its PATH record', () => {
    const denials = parseAuditLog(fixture('permissive/var/log/audit/audit.log'));
    expect(denials.map((d) => [d.comm, d.permissions.join(' '), d.dest ?? d.path ?? d.name])).toEqual([
      ['rsyslogd', 'read', 'custom.log'],
      ['httpd', 'name_connect', 3000],
      ['httpd', 'name_connect', 3000],
      ['postmaster', 'write', '/srv/pgdata'],
    ]);
  });

  it('reads ausearch output (records between ---- and time-> lines)', () => {
    // ausearch(8) raw output: each event after "----" and a "time->" line.
    const text = `----\ntime->Tue Nov 14 22:13:20 2023\ntype=PROCTITLE msg=audit(1700000000.123:456): proctitle=2F7573722F7362696E2F6874747064002D44464F524547524F554E44\n${AVC}\n`;
    expect(parseAuditLog(text)).toHaveLength(1);
  });
});

describe('parseSemanagePorts and portLabel', () => {
  const ports = parseSemanagePorts(fixture('commands/semanage-port-l.txt'));

  it('reads every type, protocol and range', () => {
    expect(ports.filter((r) => r.type === 'http_port_t').map((r) => r.low)).toEqual([80, 81, 443, 488, 8008, 8009, 8443, 9000]);
    expect(ports).toContainEqual({ type: 'ntop_port_t', proto: 'tcp', low: 3000, high: 3001 });
    expect(ports).toContainEqual({ type: 'unreserved_port_t', proto: 'tcp', low: 1024, high: 32767 });
  });

  it('gives a port the narrowest range\'s type, and says when the port has a record of its own', () => {
    expect(portLabel(ports, [], 'tcp', 3000)).toMatchObject({ type: 'ntop_port_t', exact: false, local: false });
    expect(portLabel(ports, [], 'tcp', 8080)).toMatchObject({ type: 'http_cache_port_t', exact: true });
    expect(portLabel(ports, [], 'tcp', 4000)).toMatchObject({ type: 'unreserved_port_t', exact: false });
    expect(portLabel([], [], 'tcp', 40000).type).toBe('ephemeral_port_t');
  });

  it('lets a local customization (semanage port -l -C) win over the policy', () => {
    const local = parseSemanagePorts('SELinux Port Type              Proto    Port Number\n\nhttp_port_t                    tcp      3000\n');
    const all = [...ports, ...local];
    expect(portLabel(all, local, 'tcp', 3000)).toMatchObject({ type: 'http_port_t', local: true, exact: true });
  });
});

describe('status outputs', () => {
  it('reads SELINUX= and SELINUXTYPE= with the line', () => {
    expect(parseSelinuxConfig(fixture('enforcing-denied/etc/selinux/config'))).toEqual({ mode: 'enforcing', modeLine: 21, policy: 'targeted' });
    expect(parseSelinuxConfig('SELINUX=Permissive\n').mode).toBe('permissive');
  });

  it('reads selinuxfs, getenforce and sestatus', () => {
    expect(parseEnforceFile('1')).toBe('enforcing');
    expect(parseEnforceFile('0\n')).toBe('permissive');
    expect(parseGetenforce('Disabled\n')).toBe('disabled');
    // sestatus(8) on RHEL 9
    const sestatus = `SELinux status:                 enabled
SELinuxfs mount:                /sys/fs/selinux
SELinux root directory:         /etc/selinux
Loaded policy name:             targeted
Current mode:                   permissive
Mode from config file:          enforcing
Policy MLS status:              enabled
Policy deny_unknown status:     allowed
Memory protection checking:     actual (secure)
Max kernel policy version:      33
`;
    const s = parseSestatus(sestatus);
    expect([s.get('selinux status'), s.get('current mode'), s.get('mode from config file'), s.get('loaded policy name')]).toEqual(['enabled', 'permissive', 'enforcing', 'targeted']);
  });

  it('reads booleans from selinuxfs ("current pending") and from getsebool, with a pending change', () => {
    expect(parseBooleanFile('1 0')).toEqual({ current: true, pending: false });
    const values = parseGetsebool('httpd_can_network_connect --> off\nhttpd_graceful_shutdown --> off pending: on\n');
    expect(values.get('httpd_can_network_connect')).toEqual({ current: false, pending: false });
    expect(values.get('httpd_graceful_shutdown')).toEqual({ current: false, pending: true });
  });

  it('finds the context in stat -c %C, ls -Zd and matchpathcon output', () => {
    expect(parseFileContext('system_u:object_r:var_run_t:s0\n')).toBe('system_u:object_r:var_run_t:s0');
    expect(parseFileContext('unconfined_u:object_r:var_t:s0 /srv/kit-db-test/static\n')).toBe('unconfined_u:object_r:var_t:s0');
    expect(parseFileContext('/srv/kit-db-test/static\tsystem_u:object_r:var_t:s0\n')).toBe('system_u:object_r:var_t:s0');
    expect(parseFileContext('stat: cannot stat')).toBeNull();
  });
});

describe('the httpd configuration that proxies to the site', () => {
  const conf = `<VirtualHost *:443>
    ServerName example.org
    DocumentRoot "/srv/kit-db-test/public"
    Alias /kit-db-test/_app/immutable /srv/kit-db-test/apps/web/build/client/_app/immutable
    ProxyPass /kit-db-test/_app/immutable !
    ProxyPass /kit-db-test http://127.0.0.1:3000/kit-db-test
    # ProxyPass /old http://127.0.0.1:30001/
</VirtualHost>
`;

  it('is recognised by its ProxyPass to the site\'s port or socket, and names the folders httpd serves itself', () => {
    expect(proxiesToSite(conf, { kind: 'tcp', host: '127.0.0.1', port: 3000 })).toBe(true);
    expect(proxiesToSite(conf, { kind: 'tcp', host: '127.0.0.1', port: 300 })).toBe(false);
    expect(proxiesToSite('ProxyPass / "unix:/run/kit-db-test/kit-db-test.sock|http://localhost/"\n', { kind: 'socket', path: '/run/kit-db-test/kit-db-test.sock', folder: '/run/kit-db-test' })).toBe(true);
    expect(servedFolders(conf).map((f) => [f.directive, f.path, f.line])).toEqual([
      ['DocumentRoot', '/srv/kit-db-test/public', 3],
      ['Alias', '/srv/kit-db-test/apps/web/build/client/_app/immutable', 4],
    ]);
  });
});
