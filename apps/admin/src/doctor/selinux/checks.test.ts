import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { systemCommands, type CommandResult } from '../command-runner.js';
import type { DoctorContext } from '../context.js';
import { runChecks } from '../run-checks.js';
import { siteSettings } from '../site/site-settings.js';
import { SystemFiles } from '../system-files.js';
import { fixtureContext } from '../test-support/fixture-context.js';
import { selinuxDenialsCheck, selinuxFileContextsCheck, selinuxHttpdConnectCheck, selinuxStatusCheck } from './checks.js';
import { selinuxChecks } from './index.js';

const root = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const SEMANAGE_PORT_L = readFileSync(new URL('fixtures/commands/semanage-port-l.txt', import.meta.url), 'utf8');

/** What a RHEL 9 machine answers: semanage port -l (fixture), no local port customizations (-C prints nothing), the site's main PID (systemctl(1) show --value). */
const RHEL: Record<string, Partial<CommandResult> | string> = {
  'semanage port -l': SEMANAGE_PORT_L,
  'semanage port -l -C': '',
  'systemctl show --property MainPID --value kit-db-test.service': '1250\n',
};

/** The context with some files replaced (text) or removed (null). */
function withFiles(ctx: DoctorContext, replaced: Record<string, string | null>): DoctorContext {
  const files = Object.create(ctx.files) as typeof ctx.files;
  const answer = (path: string) => (replaced[path] === null ? { error: 'ENOENT' as const } : { text: replaced[path]! });
  files.read = (path) => (path in replaced ? answer(path) : ctx.files.read(path));
  files.readTail = (path) => (path in replaced ? answer(path) : ctx.files.readTail(path));
  files.exists = (path) => (path in replaced ? replaced[path] !== null : ctx.files.exists(path));
  return { ...ctx, files };
}
const SUBS_DIST = '/etc/selinux/targeted/contexts/files/file_contexts.subs_dist';
const socketSite = { listen: { kind: 'socket' as const, path: '/run/kit-db-test/kit-db-test.sock' } };
const socketCommands = { ...RHEL, 'stat -c %C /run/kit-db-test/kit-db-test.sock': 'system_u:object_r:var_run_t:s0\n', 'stat -c %C /run/kit-db-test': 'system_u:object_r:var_run_t:s0\n' };

const tcp3000 = { listen: { kind: 'tcp' as const, host: '127.0.0.1', port: 3000 } };
const context = (name: string, commands: Record<string, Partial<CommandResult> | string> = RHEL, site: Partial<DoctorContext['site']> = tcp3000) =>
  fixtureContext({ root: root(name), commands, site });

describe('enforcing, every httpd network boolean off, httpd denied port 3000', () => {
  it('selinux.status passes: enforcing now and at next boot', async () => {
    const outcome = await selinuxStatusCheck.run(context('enforcing-denied'));
    expect(outcome).toMatchObject({ status: 'pass', summary: 'enforcing (targeted policy)' });
    expect(outcome.evidence).toEqual(['mode now: enforcing (/sys/fs/selinux/enforce: 1)', '/etc/selinux/config:21: SELINUX=enforcing, SELINUXTYPE=targeted (the mode at next boot)']);
  });

  it('selinux.httpd_connect fails with the one command that opens port 3000, and says which booleans are not needed', async () => {
    const outcome = await selinuxHttpdConnectCheck.run(context('enforcing-denied'));
    expect(outcome).toMatchObject({
      status: 'fail',
      summary: 'httpd may not connect to port 3000 (ntop_port_t)',
      fix: ['semanage port -a -t http_port_t -p tcp 3000 && setsebool -P httpd_graceful_shutdown 1'],
    });
    expect(outcome.evidence).toContain('httpd_can_network_connect_db is off, and not needed: httpd never talks to the database: the site does (its SQLite file ' + `${root('enforcing-denied')}/data/kit-db-test.sqlite), in its own process`);
    expect(outcome.evidence).toContain('booleans from /sys/fs/selinux/booleans');
  });

  it('selinux.denials fails: the denial in plain words, the record, and the same fix', async () => {
    const outcome = await selinuxDenialsCheck.run(context('enforcing-denied'));
    expect(outcome).toMatchObject({ status: 'fail', summary: '1 kind of access blocked', fix: ['semanage port -a -t http_port_t -p tcp 3000 && setsebool -P httpd_graceful_shutdown 1'] });
    expect(outcome.evidence?.[0]).toBe('httpd (httpd_t) was denied name_connect on TCP port 3000 (ntop_port_t), 2×, last 2023-11-14T22:13:27Z');
    expect(outcome.evidence?.[1]).toMatch(/^ {2}type=AVC msg=audit\(1700000007.881:461\): avc: {2}denied {2}\{ name_connect \}/);
    expect(outcome.evidence).toContain('1 other denial, not of httpd, the site or PostgreSQL');
  });

  it('selinux.file_contexts passes: the site runs unconfined, so its SQLite folder needs no label', async () => {
    const outcome = await selinuxFileContextsCheck.run(context('enforcing-denied'));
    expect(outcome).toMatchObject({ status: 'pass', summary: 'no file label matters for this deployment' });
    expect(outcome.evidence?.[0]).toMatch(/the site runs as unconfined_service_t \(\/proc\/1250\/attr\/current of kit-db-test.service's main process\): SELinux does not restrict/);
  });

  it('port 8080 (http_cache_port_t, its own record) is changed with -m, not -a', async () => {
    const outcome = await selinuxHttpdConnectCheck.run(context('enforcing-denied', RHEL, { listen: { kind: 'tcp', host: '127.0.0.1', port: 8080 } }));
    expect(outcome.fix).toEqual(['semanage port -m -t http_port_t -p tcp 8080 && setsebool -P httpd_graceful_shutdown 1']);
  });

  it('the site on a unix socket: the socket folder\'s label and the connectto rule', async () => {
    // stat -c %C (stat(1)): the context alone, one line.
    const commands = { ...RHEL, 'stat -c %C /run/kit-db-test/kit-db-test.sock': 'system_u:object_r:var_run_t:s0\n', 'stat -c %C /run/kit-db-test': 'system_u:object_r:var_run_t:s0\n' };
    const outcome = await selinuxHttpdConnectCheck.run(context('enforcing-denied', commands, { listen: { kind: 'socket', path: '/run/kit-db-test/kit-db-test.sock' } }));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toBe('httpd may not write the socket file (var_run_t); httpd may not connect to a socket of unconfined_service_t');
    // RHEL 9's file_contexts.subs_dist has "/run /var/run": a /run/… rule is refused there.
    expect(outcome.fix?.[0]).toBe("semanage fcontext -a -t httpd_var_run_t '/var/run/kit-db-test(/.*)?' && restorecon -Rv /run/kit-db-test");
    expect(outcome.evidence).toContain('httpd_can_network_connect is off, and not needed: the site listens on a unix socket (/run/kit-db-test/kit-db-test.sock), not a TCP port');
  });

  it('files httpd serves itself: a folder labelled var_t (moved with mv) is fixed with restorecon when the policy already says httpd_sys_content_t', async () => {
    const site = { ...tcp3000 };
    const ctx = context('enforcing-denied', {
      ...RHEL,
      // ls -Zd (ls(1) on RHEL 9: "context path"), after stat answered nothing useful; matchpathcon(8): "path\tcontext".
      'stat -c %C /var/www/kit-db-test': { code: 1, stderr: "stat: cannot statx '/var/www/kit-db-test': Permission denied\n" },
      'ls -Zd /var/www/kit-db-test': 'unconfined_u:object_r:user_home_t:s0 /var/www/kit-db-test\n',
      'matchpathcon /var/www/kit-db-test': '/var/www/kit-db-test\tsystem_u:object_r:httpd_sys_content_t:s0\n',
    }, site);
    const conf = 'DocumentRoot "/var/www/kit-db-test"\nProxyPass /app http://127.0.0.1:3000/app\n';
    const files = Object.create(ctx.files) as typeof ctx.files;
    files.list = (dir) => (dir === '/etc/httpd/conf.d' ? ['kit-db-test.conf'] : ctx.files.list(dir));
    files.read = (path) => (path === '/etc/httpd/conf.d/kit-db-test.conf' ? { text: conf } : ctx.files.read(path));
    const outcome = await selinuxFileContextsCheck.run({ ...ctx, files });
    expect(outcome).toMatchObject({ status: 'fail', summary: 'wrong label on /var/www/kit-db-test', fix: ['restorecon -Rv /var/www/kit-db-test'] });
    expect(outcome.evidence).toContain('/etc/httpd/conf.d/kit-db-test.conf:1: DocumentRoot /var/www/kit-db-test (httpd serves these files itself)');
  });
});

describe('what differs by release: how a /run rule is spelt', () => {
  it.each([
    ['Fedora 40 / RHEL 10 subs_dist ("/var/run /run")', { [SUBS_DIST]: '/var/run /run\n' }, "'/run/kit-db-test(/.*)?'"],
    ['no subs_dist, os-release says RHEL 10', { [SUBS_DIST]: null, '/etc/os-release': 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="10.0"\n' }, "'/run/kit-db-test(/.*)?'"],
    ['no subs_dist, os-release says Rocky 9', { [SUBS_DIST]: null }, "'/var/run/kit-db-test(/.*)?'"],
    ['neither: the command reads it where it runs', { [SUBS_DIST]: null, '/etc/os-release': null }, `"$(awk '$1=="/run"{print $2; exit}' ${SUBS_DIST} 2>/dev/null | grep . || echo /run)"'/kit-db-test(/.*)?'`],
  ])('%s', async (_, files, spec) => {
    const outcome = await selinuxHttpdConnectCheck.run(withFiles(context('enforcing-denied', socketCommands, socketSite), files));
    expect(outcome.fix?.[0]).toBe(`semanage fcontext -a -t httpd_var_run_t ${spec} && restorecon -Rv /run/kit-db-test`);
  });
});

describe('booleans that do not open the site\'s port', () => {
  const booleanFile = (name: string) => `/sys/fs/selinux/booleans/${name}`;

  it('nis_enabled alone does not let httpd reach port 3000 (ntop_port_t is no reserved port type): a failure, not a pass', async () => {
    const outcome = await selinuxHttpdConnectCheck.run(withFiles(context('enforcing-denied'), { [booleanFile('nis_enabled')]: '1 1' }));
    expect(outcome).toMatchObject({ status: 'fail', summary: 'httpd may not connect to port 3000 (ntop_port_t)', fix: ['semanage port -a -t http_port_t -p tcp 3000 && setsebool -P httpd_graceful_shutdown 1'] });
    expect(outcome.evidence).toContain('nis_enabled (on) does not help: it opens unlabelled ports, ephemeral ports and port types below 1024 (http_port_t among them), for NIS clients; not ntop_port_t 3000');
  });

  it('nis_enabled does open http_port_t (a type with ports below 1024): a pass that names the narrower boolean', async () => {
    const outcome = await selinuxHttpdConnectCheck.run(withFiles(context('enforcing-denied', RHEL, { listen: { kind: 'tcp', host: '127.0.0.1', port: 8008 } }), { [booleanFile('nis_enabled')]: '1 1' }));
    expect(outcome).toMatchObject({ status: 'pass', summary: 'httpd may connect to port 8008 (http_port_t, by nis_enabled)' });
    expect(outcome.evidence?.join('\n')).toMatch(/narrower: nis_enabled opens .*: setsebool -P httpd_graceful_shutdown 1 && setsebool -P nis_enabled 0/);
  });
});

describe('systemd cannot start the site', () => {
  // The record systemd's child writes when execve() of a var_t program is refused (comm "(node)": the
  // child before exec; audit2why: missing TE allow rule), in the fixtures' RHEL 9 ENRICHED format.
  const AVC =
    'type=AVC msg=audit(1700000100.500:470): avc:  denied  { execute } for  pid=2001 comm="(node)" name="node" dev="vda1" ino=393311 scontext=system_u:system_r:init_t:s0 tcontext=unconfined_u:object_r:var_t:s0 tclass=file permissive=0\n';
  const unit = '[Service]\nExecStart=/srv/kit-db-test/.toolchain/node_modules/node/bin/node /srv/kit-db-test/apps/web/server.js\n';

  it('selinux.denials names the failed start and the bin_t label, for the program of the unit\'s ExecStart', async () => {
    const ctx = withFiles(context('enforcing-denied', { ...RHEL, 'systemctl show --property MainPID --value kit-db-test.service': '0\n' }), { '/var/log/audit/audit.log': AVC, '/etc/systemd/system/kit-db-test.service': unit });
    const outcome = await selinuxDenialsCheck.run({ ...ctx, site: siteSettings({ files: ctx.files, projectRoot: root('enforcing-denied'), processEnv: {} }) });
    expect(outcome).toMatchObject({
      status: 'fail',
      summary: '1 kind of access blocked',
      fix: ["semanage fcontext -a -t bin_t '/srv/kit-db-test/\\.toolchain/node_modules/node/bin/node' && restorecon -v /srv/kit-db-test/.toolchain/node_modules/node/bin/node"],
    });
    expect(outcome.evidence?.[0]).toMatch(/^systemd \(init_t\) was denied execute on the file "node" \(var_t\): a service started from it fails \(status 203\/EXEC\), 1×/);
  });
});

describe('the audit log', () => {
  it('read through ausearch when the log file is not there; ausearch\'s "<no matches>" is a pass', async () => {
    // ausearch(8): exit 1 and "<no matches>" on stderr when nothing matched.
    const ctx = context('enforcing-denied', { ...RHEL, 'ausearch -m AVC,USER_AVC -ts recent': { code: 1, stderr: '<no matches>\n' } });
    const files = Object.create(ctx.files) as typeof ctx.files;
    files.readTail = (path) => (path === '/var/log/audit/audit.log' ? { error: 'ENOENT' } : ctx.files.readTail(path));
    expect(await selinuxDenialsCheck.run({ ...ctx, files })).toMatchObject({ status: 'pass', evidence: ['read ausearch -m AVC,USER_AVC -ts recent (the last 10 minutes)'] });
  });

  it('unreadable (not root): a warning that says so, not a failure', async () => {
    const ctx = context('enforcing-denied', { ...RHEL, 'ausearch -m AVC,USER_AVC -ts recent': { code: 1, stderr: 'Error opening /var/log/audit/audit.log (Permission denied)\n' } });
    const files = Object.create(ctx.files) as typeof ctx.files;
    files.readTail = (path) => (path === '/var/log/audit/audit.log' ? { error: 'EACCES' } : ctx.files.readTail(path));
    expect(await selinuxDenialsCheck.run({ ...ctx, files })).toMatchObject({
      status: 'warn',
      summary: 'cannot read the audit log',
      evidence: ['/var/log/audit/audit.log: EACCES; ausearch: Error opening /var/log/audit/audit.log (Permission denied)'],
    });
  });
});

describe('the same machine with httpd_can_network_connect on', () => {
  it('selinux.httpd_connect passes, naming the narrower setting', async () => {
    const outcome = await selinuxHttpdConnectCheck.run(context('enforcing-allowed'));
    expect(outcome).toMatchObject({ status: 'pass', summary: 'httpd may connect to port 3000 (ntop_port_t, by httpd_can_network_connect)' });
    expect(outcome.evidence?.join('\n')).toMatch(/narrower: httpd_can_network_connect opens every TCP port, on any host/);
  });

  it('selinux.denials passes: the logged denials are fixed already', async () => {
    const outcome = await selinuxDenialsCheck.run(context('enforcing-allowed'));
    expect(outcome).toMatchObject({ status: 'pass', summary: 'the recent denials are fixed already' });
    expect(outcome.evidence?.[0]).toMatch(/allowed now: httpd may connect to port 3000 .*the denial predates the fix/);
  });
});

describe('permissive, with denials', () => {
  it('warns everywhere: logged, not blocked, and would be blocked when enforcing', async () => {
    const ctx = context('permissive');
    const results = await runChecks(selinuxChecks, ctx);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['selinux.status', 'warn'],
      ['selinux.httpd_connect', 'warn'],
      ['selinux.file_contexts', 'pass'],
      ['selinux.denials', 'warn'],
    ]);
    const [status, connect, , denials] = results;
    expect(status!.summary).toBe('permissive: denials are logged, nothing is blocked');
    expect(connect!.summary).toBe('httpd may not connect to port 3000 (ntop_port_t): would be blocked when enforcing');
    expect(denials!.summary).toBe('2 kinds of access would be blocked when enforcing');
    expect(denials!.fix).toEqual([
      'semanage port -a -t http_port_t -p tcp 3000 && setsebool -P httpd_graceful_shutdown 1',
      "semanage fcontext -a -t postgresql_db_t '/srv/pgdata(/.*)?' && restorecon -Rv /srv/pgdata",
    ]);
    expect(denials!.evidence).toContain('postmaster (postgresql_t) was denied write on the folder /srv/pgdata (var_t) (permissive: allowed and logged, would be blocked when enforcing), 1×, last 2023-11-14T22:15:00Z: PostgreSQL reads and writes only files labelled postgresql_db_t (the data folder)');
  });
});

describe('SELinux disabled', () => {
  it('every check skips: "SELinux disabled"', async () => {
    const results = await runChecks(selinuxChecks, context('disabled', {}));
    expect(results.map((r) => [r.status, r.summary])).toEqual([
      ['skip', 'SELinux disabled'],
      ['skip', 'skipped: SELinux disabled'],
      ['skip', 'skipped: SELinux disabled'],
      ['skip', 'skipped: SELinux disabled'],
    ]);
    expect(results[0]!.evidence).toEqual(['mode now: disabled (/sys/fs/selinux is not mounted)', '/etc/selinux/config:21: SELINUX=disabled, SELINUXTYPE=targeted (the mode at next boot)']);
  });

  it('with getenforce answering "Disabled" and no files at all, also a skip', async () => {
    // getenforce(8) where the tools are installed but the kernel runs without SELinux.
    expect(await selinuxStatusCheck.run(context('no-selinux', { getenforce: 'Disabled\n' }))).toMatchObject({ status: 'skip', summary: 'SELinux disabled' });
  });
});

describe('no SELinux at all', () => {
  it('every check skips with "SELinux not present", also when run on its own', async () => {
    const ctx = context('no-selinux', {});
    const results = await runChecks(selinuxChecks, ctx);
    expect(results.map((r) => [r.status, r.summary])).toEqual([
      ['skip', 'SELinux not present'],
      ['skip', 'skipped: SELinux not present'],
      ['skip', 'skipped: SELinux not present'],
      ['skip', 'skipped: SELinux not present'],
    ]);
    for (const check of selinuxChecks) expect(await check.run(ctx)).toMatchObject({ status: 'skip', summary: 'SELinux not present' });
  });

  it('on this machine (no SELinux): the real files and programs give skips, not failures', async () => {
    const files = new SystemFiles('/');
    const ctx = { ...fixtureContext({ root: root('no-selinux') }), files, commands: systemCommands, site: siteSettings({ files, projectRoot: root('no-selinux'), processEnv: {} }) };
    const results = await runChecks(selinuxChecks, ctx);
    expect(results.map((r) => r.status)).toEqual(['skip', 'skip', 'skip', 'skip']);
    expect(results[0]!.summary).toMatch(/^SELinux (not present|disabled)$/);
  });
});
