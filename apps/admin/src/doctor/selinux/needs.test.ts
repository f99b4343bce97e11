import { readFileSync } from 'node:fs';
import type { DatabaseTarget } from '@kit-db-test/schema';
import { describe, expect, it } from 'vitest';
import { explainDenial } from './explain.js';
import { deriveNeeds, evaluateSocket, evaluateTcpConnect } from './needs.js';
import { parseAvcLine } from './parse-avc.js';
import { parseSemanagePorts } from './parse-semanage-ports.js';
import type { BooleanValue } from './parse-status.js';

const ports = parseSemanagePorts(readFileSync(new URL('fixtures/commands/semanage-port-l.txt', import.meta.url), 'utf8'));
const booleans = (on: string[] = []) =>
  new Map<string, BooleanValue>(
    ['httpd_can_network_connect', 'httpd_graceful_shutdown', 'httpd_can_network_relay', 'httpd_can_network_connect_db', 'nis_enabled'].map((b) => [b, { current: on.includes(b), pending: on.includes(b) }]),
  );
const sqlite: DatabaseTarget = { driver: 'sqlite', path: '/srv/kit-db-test/data/kit-db-test.sqlite' };

describe('deriveNeeds', () => {
  it('derives what httpd needs from where the site listens, not from a fixed list', () => {
    expect(deriveNeeds({ kind: 'tcp', host: '127.0.0.1', port: 3000 }, sqlite).httpd).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 3000 });
    expect(deriveNeeds({ kind: 'socket', path: '/run/kit-db-test/kit-db-test.sock' }, sqlite).httpd).toEqual({ kind: 'socket', path: '/run/kit-db-test/kit-db-test.sock', folder: '/run/kit-db-test' });
    expect(deriveNeeds({ kind: 'tcp', host: '127.0.0.1', port: 3000 }, sqlite).database).toEqual({ kind: 'sqlite', path: sqlite.path, folder: '/srv/kit-db-test/data' });
  });

  it('says httpd_can_network_connect_db is not needed: the site, not httpd, talks to PostgreSQL', () => {
    const pg = { driver: 'postgresql', host: '/var/run/postgresql', socket: true, port: 5432, user: 'kdt', database: 'kdt', password: undefined, sslmode: 'disable' } as const;
    const needs = deriveNeeds({ kind: 'tcp', host: '127.0.0.1', port: 3000 }, pg);
    expect(needs.database).toEqual({ kind: 'postgres-socket', folder: '/var/run/postgresql', port: 5432 });
    expect(needs.notNeeded.find((n) => n.boolean === 'httpd_can_network_connect_db')?.why).toMatch(/httpd never talks to the database: the site does \(PostgreSQL through \/var\/run\/postgresql\/.s.PGSQL.5432\)/);
  });
});

describe('evaluateTcpConnect', () => {
  it('port 3000 (ntop_port_t, inside the 3000-3001 range): semanage port -a, plus the boolean that opens http_port_t only', () => {
    const v = evaluateTcpConnect(3000, ports, [], booleans());
    expect(v.allowed).toBe(false);
    expect(v.summary).toBe('httpd may not connect to port 3000 (ntop_port_t)');
    expect(v.fix).toEqual(['semanage port -a -t http_port_t -p tcp 3000 && setsebool -P httpd_graceful_shutdown 1']);
    expect(v.evidence[0]).toBe('port 3000/tcp is ntop_port_t (semanage port -l: ntop_port_t tcp 3000-3001)');
    expect(v.evidence.join('\n')).toMatch(/not setsebool -P httpd_can_network_connect 1, which opens every TCP port/);
  });

  it('port 8080 (http_cache_port_t, a record of its own): semanage port -m, since -a would say "already defined"', () => {
    const v = evaluateTcpConnect(8080, ports, [], booleans());
    expect(v.fix).toEqual(['semanage port -m -t http_port_t -p tcp 8080 && setsebool -P httpd_graceful_shutdown 1']);
    expect(v.evidence.join('\n')).toMatch(/already defined/);
  });

  it('port 8080 is allowed already when httpd_can_network_relay is on (it opens http_cache_port_t)', () => {
    expect(evaluateTcpConnect(8080, ports, [], booleans(['httpd_can_network_relay']))).toMatchObject({ allowed: true, summary: 'httpd may connect to port 8080 (http_cache_port_t, by httpd_can_network_relay)' });
  });

  it('only labels the port when httpd_graceful_shutdown is already on', () => {
    expect(evaluateTcpConnect(4000, ports, [], booleans(['httpd_graceful_shutdown'])).fix).toEqual(['semanage port -a -t http_port_t -p tcp 4000']);
  });

  it('a port already http_port_t needs only the narrow boolean', () => {
    expect(evaluateTcpConnect(9000, ports, [], booleans()).fix).toEqual(['setsebool -P httpd_graceful_shutdown 1']);
  });

  it('passes with httpd_can_network_connect on, and names the narrower setting', () => {
    const v = evaluateTcpConnect(3000, ports, [], booleans(['httpd_can_network_connect']));
    expect(v.allowed).toBe(true);
    expect(v.evidence.join('\n')).toMatch(/narrower: .*semanage port -a -t http_port_t -p tcp 3000 && setsebool -P httpd_graceful_shutdown 1 && setsebool -P httpd_can_network_connect 0/);
  });
});

describe('evaluateSocket', () => {
  it('a socket in a var_run_t folder, site unconfined: label the folder httpd_var_run_t, and a one-rule module for connectto', () => {
    const v = evaluateSocket({
      path: '/run/kit-db-test/kit-db-test.sock',
      socketContext: 'system_u:object_r:var_run_t:s0',
      folderContext: 'system_u:object_r:var_run_t:s0',
      siteDomain: { type: 'unconfined_service_t', source: '/proc/1250/attr/current' },
      runSpelling: '/var/run',
    });
    expect(v.allowed).toBe(false);
    expect(v.fix).toEqual([
      "semanage fcontext -a -t httpd_var_run_t '/var/run/kit-db-test(/.*)?' && restorecon -Rv /run/kit-db-test",
      "printf '%s\\n' '(allow httpd_t unconfined_service_t (unix_stream_socket (connectto)))' > kdt_httpd_connectto.cil && semodule -i kdt_httpd_connectto.cil",
    ]);
  });

  it.each([
    ['/var/run', "semanage fcontext -a -t httpd_var_run_t '/var/run/kit-db-test(/.*)?' && restorecon -Rv /run/kit-db-test"],
    ['/run', "semanage fcontext -a -t httpd_var_run_t '/run/kit-db-test(/.*)?' && restorecon -Rv /run/kit-db-test"],
  ] as const)('spells the rule for a /run folder as the release takes it (%s), and moves a socket out of a shared folder', (runSpelling, rule) => {
    const v = evaluateSocket({ path: '/var/run/kdt.sock', socketContext: null, folderContext: 'system_u:object_r:var_run_t:s0', siteDomain: { type: 'httpd_sys_script_t', source: 'test' }, runSpelling });
    expect(v.fix).toEqual([`give the socket a folder of its own: RuntimeDirectory=kit-db-test in the unit and SOCKET_PATH=/run/kit-db-test/kit-db-test.sock, then ${rule}`]);
  });

  it('on a release it cannot tell, the rule reads the spelling on the machine it runs on', () => {
    const v = evaluateSocket({ path: '/run/kdt/s.sock', socketContext: null, folderContext: 'system_u:object_r:var_run_t:s0', siteDomain: { type: 'httpd_t', source: 'test' }, runSpelling: null });
    expect(v.fix).toEqual([
      `semanage fcontext -a -t httpd_var_run_t "$(awk '$1=="/run"{print $2; exit}' /etc/selinux/targeted/contexts/files/file_contexts.subs_dist 2>/dev/null | grep . || echo /run)"'/kdt(/.*)?' && restorecon -Rv /run/kdt`,
    ]);
  });

  it('passes for an httpd_var_run_t socket of a domain httpd may connect to', () => {
    expect(evaluateSocket({ path: '/run/kdt/s.sock', socketContext: 'system_u:object_r:httpd_var_run_t:s0', folderContext: null, siteDomain: { type: 'httpd_sys_script_t', source: 'test' }, runSpelling: '/var/run' }).allowed).toBe(true);
  });

  it('a site running as init_t is reachable: httpd_t may connectto init_t', () => {
    expect(evaluateSocket({ path: '/run/kdt/s.sock', socketContext: 'system_u:object_r:httpd_var_run_t:s0', folderContext: null, siteDomain: { type: 'init_t', source: 'test' }, runSpelling: '/var/run' }).allowed).toBe(true);
  });
});

describe('explainDenial', () => {
  const facts = { ports, localPorts: [], booleans: booleans(), siteDomain: 'unconfined_service_t', runSpelling: '/var/run' as const, serviceProgram: '/srv/kit-db-test/.toolchain/node_modules/node/bin/node' };
  const avc = (rest: string) => parseAvcLine(`type=AVC msg=audit(1700000000.123:456): avc:  denied  ${rest}`)!;

  it('translates name_connect to the site\'s port, with the port fix', () => {
    const e = explainDenial(avc('{ name_connect } for  pid=1234 comm="httpd" dest=3000 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:ntop_port_t:s0 tclass=tcp_socket permissive=0'), facts);
    expect(e).toEqual({ plain: 'httpd (httpd_t) was denied name_connect on TCP port 3000 (ntop_port_t)', fix: ['semanage port -a -t http_port_t -p tcp 3000 && setsebool -P httpd_graceful_shutdown 1'], note: null });
  });

  it('says httpd itself reaching PostgreSQL is not this app\'s path', () => {
    const e = explainDenial(avc('{ name_connect } for  pid=1 comm="httpd" dest=5432 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:postgresql_port_t:s0 tclass=tcp_socket permissive=0'), facts);
    expect(e.fix[0]).toMatch(/^setsebool -P httpd_can_network_connect_db 1/);
    expect(e.note).toMatch(/the site does that, not httpd/);
  });

  it('translates the socket denials: write on the sock_file, connectto the site', () => {
    const write = explainDenial(avc('{ write } for  pid=1 comm="httpd" name="kit-db-test.sock" dev="tmpfs" ino=9 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:var_run_t:s0 tclass=sock_file permissive=0'), facts);
    expect(write.plain).toBe('httpd (httpd_t) was denied write on the socket file "kit-db-test.sock" (var_run_t)');
    const connect = explainDenial(avc('{ connectto } for  pid=1 comm="httpd" path="/run/kit-db-test/kit-db-test.sock" scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:system_r:unconfined_service_t:s0 tclass=unix_stream_socket permissive=0'), facts);
    expect(connect.fix[0]).toMatch(/\(allow httpd_t unconfined_service_t \(unix_stream_socket \(connectto\)\)\)/);
  });

  it('labels PostgreSQL\'s data folder postgresql_db_t, and a PostgreSQL port postgresql_port_t', () => {
    const dir = { ...avc('{ write } for  pid=2 comm="postmaster" name="pgdata" scontext=system_u:system_r:postgresql_t:s0 tcontext=unconfined_u:object_r:var_t:s0 tclass=dir permissive=0'), path: '/srv/pgdata' };
    expect(explainDenial(dir, facts).fix).toEqual(["semanage fcontext -a -t postgresql_db_t '/srv/pgdata(/.*)?' && restorecon -Rv /srv/pgdata"]);
    const bind = avc('{ name_bind } for  pid=2 comm="postmaster" src=5433 scontext=system_u:system_r:postgresql_t:s0 tcontext=system_u:object_r:unreserved_port_t:s0 tclass=tcp_socket permissive=0');
    expect(explainDenial(bind, facts).fix).toEqual(['semanage port -a -t postgresql_port_t -p tcp 5433']);
  });
  it('explains systemd refused to start the site from a var_t program (203/EXEC), with the bin_t label as the fix', () => {
    // The AVC systemd's child logs before exec: comm "(node)", the file's name only; the unit's ExecStart gives the path.
    const e = explainDenial(
      avc('{ execute } for  pid=2001 comm="(node)" name="node" dev="vda1" ino=393311 scontext=system_u:system_r:init_t:s0 tcontext=unconfined_u:object_r:var_t:s0 tclass=file permissive=0'),
      facts,
    );
    expect(e.plain).toBe('systemd (init_t) was denied execute on the file "node" (var_t): a service started from it fails (status 203/EXEC)');
    expect(e.fix).toEqual(["semanage fcontext -a -t bin_t '/srv/kit-db-test/\\.toolchain/node_modules/node/bin/node' && restorecon -v /srv/kit-db-test/.toolchain/node_modules/node/bin/node"]);
    expect(e.note).toMatch(/^no allow rule gives init_t execute on var_t files; a bin_t program runs as unconfined_service_t/);
  });

  it('a denied program whose name is not the unit\'s: the fix names the program to label', () => {
    const e = explainDenial(
      avc('{ execute } for  pid=2001 comm="(python3)" name="python3" scontext=system_u:system_r:init_t:s0 tcontext=unconfined_u:object_r:var_t:s0 tclass=file permissive=0'),
      facts,
    );
    expect(e.fix[0]).toMatch(/^semanage fcontext -a -t bin_t 'PROGRAM' && restorecon -v PROGRAM {3}\(PROGRAM: the unit's ExecStart= program, named "python3"\)$/);
  });
});
