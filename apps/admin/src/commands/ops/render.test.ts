import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { findProjectRoot } from '@kit-db-test/schema';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { siteSettings } from '../../doctor/site/site-settings.js';
import { SystemFiles } from '../../doctor/system-files.js';
import { runAdmin } from '../../test-support/run-admin.js';

const PASSWORD = 'Rndr-Pw-0d9f3a-never';
let project: TempProject;
let scratch: string;
beforeEach(() => {
  project = tempProject();
  project.writeProfile('postgres', { url: 'postgresql://kdt@/kdt?host=/var/run/postgresql' });
  project.writeProfile('sqlite', { url: 'sqlite:data/kit-db-test.sqlite' });
  scratch = mkdtempSync(join(tmpdir(), 'kdt-ops-'));
});
afterEach(() => {
  project.remove();
  rmSync(scratch, { recursive: true, force: true });
});

const FIXED = ['--install-dir', '/srv/kit-db-test', '--base-path', '/kit-db-test'];
const render = (args: string[], env: Record<string, string> = {}) => runAdmin(['ops', 'render', ...FIXED, ...args], { env: { KDT_ROOT: project.root, ...env } });

/** Every file under `dir`, relative path → [mode, text]. */
function tree(dir: string): Record<string, [string, string]> {
  const files: Record<string, [string, string]> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = [(statSync(path).mode & 0o777).toString(8), readFileSync(path, 'utf8')];
    }
  };
  walk(dir);
  return files;
}

describe('pnpm admin ops render --out', () => {
  it('writes the tree mirroring the destinations, the environment file 0640, and the same bytes again', async () => {
    const [a, b] = [join(scratch, 'a'), join(scratch, 'b')];
    const first = await render(['--profile', 'postgres', '--out', a]);
    expect(first.code).toBe(0);
    // At most the warning that the checkout's build serves another base path than the one rendered.
    expect(first.stderr).toMatch(/^(! --base-path \/kit-db-test differs from the site build's [^\n]*\n)?$/);
    expect(await render(['--profile', 'postgres', '--out', b])).toMatchObject({ code: 0 });
    // And again over the first, with --force: files are replaced, not appended to.
    expect(await render(['--profile', 'postgres', '--out', a, '--force'])).toMatchObject({ code: 0 });

    const files = tree(a);
    expect(Object.fromEntries(Object.entries(files).map(([path, [mode]]) => [path, mode]))).toEqual({
      'etc/systemd/system/kit-db-test.service': '644',
      'etc/kit-db-test/kit-db-test.env': '640',
      'etc/httpd/conf.d/kit-db-test.conf': '644',
      'postgres/pg_hba-kit-db-test.conf': '644',
      'postgres/create-role-and-database.sql': '644',
      'selinux/kit-db-test-selinux.sh': '644',
    });
    expect(tree(b)).toEqual(files);
  });

  it('prints where each file goes, then the steps in order, naming the files under --out', async () => {
    const out = join(scratch, 'out');
    const run = await render(['--profile', 'postgres', '--out', out, '--public-url', 'https://example.org/kit-db-test/']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'kit-db-test ops render',
      '  layout      rhel (httpd: /etc/httpd/conf.d/kit-db-test.conf)',
      '  database    PostgreSQL postgresql://kdt@/kdt?host=/var/run/postgresql, profile postgres (config/postgres.json)',
      '  site        http://127.0.0.1:3000/kit-db-test as kdt, /srv/kit-db-test/.toolchain/node_modules/node/bin/node /srv/kit-db-test/apps/web/server.js',
      expect.stringMatching(/^ {2}base path {3}\/kit-db-test, from --base-path$/),
      '  public URL  https://example.org/kit-db-test/ (ORIGIN=https://example.org)',
    ]);
    expect(run.stdout).toContain(`files written under ${out}\n  etc/systemd/system/kit-db-test.service  → /etc/systemd/system/kit-db-test.service  0644\n`);
    expect(run.stdout).toContain('  etc/kit-db-test/kit-db-test.env         → /etc/kit-db-test/kit-db-test.env  0640 root:kdt\n');
    expect(lines.filter((l) => /^# \d+\. /.test(l))).toEqual([
      '# 1. the service account and its configuration folder',
      '# 2. the database password file',
      '# 3. PostgreSQL: role kdt and database kdt',
      '# 4. PostgreSQL: pg_hba.conf',
      '# 5. SELinux (enforcing): before the services start',
      '# 6. the site service',
      '# 7. httpd',
      '# 8. check',
    ]);
    for (const command of [
      `install -m 0640 -o root -g kdt ${out}/etc/kit-db-test/kit-db-test.env /etc/kit-db-test/kit-db-test.env`,
      `sudo -u postgres psql -f ${out}/postgres/create-role-and-database.sql < /etc/kit-db-test/db-password`,
      `install -m 0644 ${out}/etc/systemd/system/kit-db-test.service /etc/systemd/system/kit-db-test.service`,
      'systemctl daemon-reload',
      'systemctl enable kit-db-test',
      'systemctl restart kit-db-test',
      'apachectl -t',
      'systemctl reload httpd',
      'semanage port -a -t http_port_t -p tcp 3000',
      'setsebool -P httpd_graceful_shutdown 1',
    ]) {
      expect(lines).toContain(command);
    }
    expect(lines).toContain(
      '# WARNING: PostgreSQL takes the first line that matches: the lines for kit-db-test must stand ABOVE the catch-all lines (local all all peer, host all all 127.0.0.1/32 ident): these commands put them at the top of the file, once, keeping a copy',
    );
  });

  it('Debian: the apache2 site and a2enmod / a2ensite / apache2ctl; no SELinux files', async () => {
    const out = join(scratch, 'out');
    const run = await render(['--profile', 'postgres', '--layout', 'debian', '--out', out]);
    expect(run.code).toBe(0);
    expect(Object.keys(tree(out))).toEqual(expect.arrayContaining(['etc/apache2/sites-available/kit-db-test.conf']));
    expect(existsSync(join(out, 'selinux'))).toBe(false);
    const lines = run.stdout.split('\n');
    expect(lines.slice(lines.indexOf('# 6. apache2'), lines.indexOf('# 6. apache2') + 8)).toEqual([
      '# 6. apache2',
      "# Debian's 000-default site has no ServerName: it answers for the machine's own name and, read first, takes every request for it; a2dissite 000-default (or give it a ServerName of its own if it serves other sites)",
      `install -m 0644 ${out}/etc/apache2/sites-available/kit-db-test.conf /etc/apache2/sites-available/kit-db-test.conf`,
      'a2enmod proxy proxy_http headers',
      'a2ensite kit-db-test',
      'a2dissite 000-default',
      'apache2ctl -t',
      'systemctl reload apache2',
    ]);
  });

  it('SQLite: ReadWritePaths for its folder, no PostgreSQL files; the doctor reads the tree as the deployed site', async () => {
    const out = join(scratch, 'out');
    const run = await render(['--profile', 'sqlite', '--socket', '/run/kit-db-test/site.sock', '--out', out, '--public-url', 'http://127.0.0.1:8080/kit-db-test/']);
    expect(run.code).toBe(0);
    expect(existsSync(join(out, 'postgres'))).toBe(false);
    expect(run.stdout).toContain('install -d -m 0750 -o kdt -g kdt /srv/kit-db-test/data');

    // What `pnpm admin doctor --root OUT` sees: the unit, its EnvironmentFile, where the site listens.
    const site = siteSettings({ files: new SystemFiles(out), projectRoot: findProjectRoot()!, processEnv: {} });
    expect(site).toMatchObject({
      unitPath: '/etc/systemd/system/kit-db-test.service',
      listen: { kind: 'socket', path: '/run/kit-db-test/site.sock' },
      origin: 'http://127.0.0.1:8080',
      envSource: '/etc/kit-db-test/kit-db-test.env, /etc/systemd/system/kit-db-test.service',
      env: { KDT_PROFILE: 'sqlite', SOCKET_PATH: '/run/kit-db-test/site.sock', ORIGIN: 'http://127.0.0.1:8080', NODE_ENV: 'production' },
    });
    expect(site.unit).toEqual({
      user: 'kdt',
      group: 'apache',
      environmentFiles: ['/etc/kit-db-test/kit-db-test.env'],
      environment: { NODE_ENV: 'production' },
      execStart: '/srv/kit-db-test/.toolchain/node_modules/node/bin/node /srv/kit-db-test/apps/web/server.js',
      readWritePaths: ['/srv/kit-db-test/data'],
    });
  });

  it('never writes or prints the password of the configuration, only the password file it goes in', async () => {
    const out = join(scratch, 'out');
    const env = { DATABASE_URL: `postgresql://kdt:${PASSWORD}@127.0.0.1:5432/kdt` };
    const written = await render(['--out', out], env);
    const printed = await render([], env);
    expect(written.code).toBe(0);
    expect(printed.code).toBe(0);
    const files = tree(out);
    expect(files['etc/kit-db-test/kit-db-test.env']![1]).toContain('\nDATABASE_URL=postgresql://kdt@127.0.0.1:5432/kdt\nDATABASE_PASSWORD_FILE=/etc/kit-db-test/db-password\n');
    expect(written.stdout).toContain('# the configuration holds a password: it was not copied; if the role should keep it, write it into /etc/kit-db-test/db-password instead');
    for (const text of [written.all, printed.all, ...Object.values(files).map(([, t]) => t)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
  });
});

describe('pnpm admin ops render without --out', () => {
  it('prints each file under its destination, then the steps naming them under OUT, and writes nothing', async () => {
    const run = await runAdmin(['ops', 'render', ...FIXED, '--profile', 'sqlite'], { env: { KDT_ROOT: project.root } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('==> OUT/etc/systemd/system/kit-db-test.service (/etc/systemd/system/kit-db-test.service, mode 0644) <==\n# kit-db-test site:');
    expect(run.stdout).toContain('==> OUT/etc/kit-db-test/kit-db-test.env (/etc/kit-db-test/kit-db-test.env, mode 0640) <==\n');
    expect(run.stdout).toContain('\nReadWritePaths=/srv/kit-db-test/data\n');
    expect(run.stdout).toContain('(nothing written: render with --out DIR to write these files; the steps name them under OUT)');
    expect(run.stdout).toContain('\ninstall -m 0644 OUT/etc/systemd/system/kit-db-test.service /etc/systemd/system/kit-db-test.service\n');
    expect(readdirSync(project.root).sort()).toEqual(['config']);
  });
});

describe('bad input: one line naming the problem and the fix, exit 2, nothing written', () => {
  it.each([
    [['--layout', 'arch'], '✗ --layout: expected rhel or debian, got "arch"'],
    [['--port', '65536'], '✗ --port: expected a port number 1-65535, got "65536"'],
    [['--base-path', 'kit-db-test'], '✗ --base-path: expected "/" and a path without a trailing slash, e.g. /kit-db-test (or "" for none), got "kit-db-test"'],
    [['--public-url', 'ftp://example.org/'], '✗ --public-url: expected an http:// or https:// URL, e.g. https://example.org/kit-db-test/, got "ftp://example.org/"'],
    [['--port', '3000', '--socket', '/run/kit-db-test/site.sock'], '✗ --socket: give --port or --socket, not both'],
    [['--public-url', 'http:///kit-db-test/'], '✗ --public-url: "http:///kit-db-test/" has no host name (an empty "$(hostname -f)"? give this server a name that resolves, in /etc/hosts, or write the name yourself), e.g. http://server.example.org/kit-db-test/'],
    [
      ['--service-user', 'root'],
      '✗ --service-user: root: the site needs no privilege and must not run as root; give it an account of its own (default kdt: the first step creates it)',
    ],
  ])('%j', async (args, message) => {
    const out = join(scratch, 'out');
    const run = await render([...args, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(message);
    expect(existsSync(out)).toBe(false);
  });

  it('an --out that is a file', async () => {
    const file = join(scratch, 'file');
    writeFileSync(file, 'x');
    const run = await render(['--out', file]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`✗ --out: ${file} exists and is not a folder; give a folder (it is created if missing)`);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('an unknown option, as commander reports it', async () => {
    const run = await render(['--prot', '3000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown option '--prot'");
    expect(run.stderr).toContain('(run "pnpm admin ops render --help" for usage)');
  });
});

describe('values from the configuration that the rendered files cannot carry: exit 2, one line naming where, nothing written', () => {
  const tail = 'ops render writes it into the unit, the environment file and shell commands, one value per line: fix the URL';
  it.each([
    ['a newline in the SQLite path of a profile', { profile: 'sqlite:data/x.sqlite\nExecStartPre=+/bin/sh -c id' }, `✗ config/evil.json: url: the SQLite path contains a newline; ${tail}`],
    ['an encoded newline in the socket folder', { url: `postgresql://kdt:${PASSWORD}@/kdt?host=%2Ftmp%0ANODE_OPTIONS%3D--require%3D%2Ftmp%2Fx.js` }, `✗ DATABASE_URL: host (the socket folder) contains a newline; ${tail}`],
    ['an encoded newline in the host', { url: `postgresql://kdt:${PASSWORD}@db.example%0ANODE_OPTIONS=--inspect:5432/kdt` }, `✗ DATABASE_URL: host is not a host name or an IP address (it contains a newline); ${tail}`],
    ['a host with $(…)', { url: `postgresql://kdt:${PASSWORD}@$(reboot):5432/kdt` }, `✗ DATABASE_URL: host is not a host name or an IP address (it contains a character other than letters, digits, ".", "-", "_" and ":"); ${tail}`],
    ['a carriage return in DATABASE_URL\'s SQLite path', { url: 'sqlite:/srv/kdt\r/x.sqlite' }, `✗ DATABASE_URL: the SQLite path contains a carriage return; ${tail}`],
  ])('%s', async (_what, given: { profile?: string; url?: string }, message) => {
    const out = join(scratch, 'out');
    if (given.profile) project.writeProfile('evil', { url: given.profile });
    const run = await render([...(given.profile ? ['--profile', 'evil'] : []), '--out', out], given.url ? { DATABASE_URL: given.url } : {});
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(message);
    expect(run.all).not.toContain(PASSWORD);
    expect(existsSync(out)).toBe(false);
  });
});

describe('--out: no link followed, nothing replaced without --force, no system folder', () => {
  const victim = () => join(scratch, 'victim');

  it('refuses to write over an earlier render, and keeps the operator\'s edits; --force replaces the files', async () => {
    const out = join(scratch, 'out');
    expect(await render(['--profile', 'sqlite', '--out', out])).toMatchObject({ code: 0 });
    const unit = join(out, 'etc/systemd/system/kit-db-test.service');
    writeFileSync(unit, 'edited by the operator\n');
    const again = await render(['--profile', 'sqlite', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim()).toBe(`✗ --out: ${unit} and 3 more exist already; give a new folder, or --force to replace the files ops render writes`);
    expect(readFileSync(unit, 'utf8')).toBe('edited by the operator\n');

    expect(await render(['--profile', 'sqlite', '--out', out, '--force'])).toMatchObject({ code: 0 });
    expect(readFileSync(unit, 'utf8')).toMatch(/^# kit-db-test site:/);
  });

  it('a link planted in place of a folder under --out: refused, even with --force; nothing written through it', async () => {
    const out = join(scratch, 'out');
    mkdirSync(out);
    mkdirSync(victim());
    symlinkSync(victim(), join(out, 'etc'));
    for (const force of [[], ['--force']]) {
      const run = await render(['--profile', 'sqlite', '--out', out, ...force]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(`✗ --out: ${out}/etc is a symbolic link; ops render follows no link: give the folder it points to, or a new folder, e.g. --out ./kdt-ops`);
    }
    expect(readdirSync(victim())).toEqual([]);
    expect(readdirSync(out)).toEqual(['etc']);
  });

  it('a link planted in place of a file: refused; --force removes the link and writes a file of its own, never through it', async () => {
    const out = join(scratch, 'out');
    expect(await render(['--profile', 'sqlite', '--out', out])).toMatchObject({ code: 0 });
    const env = join(out, 'etc/kit-db-test/kit-db-test.env');
    rmSync(env);
    writeFileSync(victim(), 'the victim\n', { mode: 0o600 });
    symlinkSync(victim(), env);
    const refused = await render(['--profile', 'sqlite', '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exist already; give a new folder, or --force');

    expect(await render(['--profile', 'sqlite', '--out', out, '--force'])).toMatchObject({ code: 0 });
    expect(readFileSync(victim(), 'utf8')).toBe('the victim\n');
    expect(statSync(victim()).mode & 0o777).toBe(0o600);
    expect(lstatSync(env).isFile()).toBe(true);
    expect(lstatSync(env).mode & 0o777).toBe(0o640);
    expect(readFileSync(env, 'utf8')).toContain('\nKDT_PROFILE=sqlite\n');
  });

  it('an --out that is itself a link, or a folder every user may write to', async () => {
    mkdirSync(victim());
    const link = join(scratch, 'link');
    symlinkSync(victim(), link);
    const viaLink = await render(['--out', link]);
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr.trim()).toBe(`✗ --out: ${link} is a symbolic link; ops render follows no link: give the folder it points to, or a new folder, e.g. --out ./kdt-ops`);
    const shared = join(scratch, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const inShared = await render(['--out', shared]);
    expect(inShared.code).toBe(2);
    expect(inShared.stderr.trim()).toBe(`✗ --out: ${shared} is writable by every user, who could plant links in it; give a new folder, e.g. --out ./kdt-ops`);
    expect(readdirSync(victim())).toEqual([]);
    expect(readdirSync(shared)).toEqual([]);
  });

  // Run as nobody when the tests run as root: a regression then fails to write instead of
  // writing into this machine's own folders.
  const unprivileged = process.getuid?.() === 0 ? { as: { uid: 65534, gid: 65534 } } : {};
  it.each([
    ['/', "✗ --out: / would put the files straight onto their destinations, replacing the server's own; give a new folder, e.g. --out ./kdt-ops"],
    ['/etc', '✗ --out: /etc is a system folder with files in it, which the rendered ones would mix with; give a new folder, e.g. --out ./kdt-ops'],
    ['/usr/lib', '✗ --out: /usr/lib is a system folder with files in it, which the rendered ones would mix with; give a new folder, e.g. --out ./kdt-ops'],
  ])('--out %s', async (out, message) => {
    const run = await runAdmin(['ops', 'render', ...FIXED, '--out', out], unprivileged);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(message);
  });

  it('--force without --out', async () => {
    const run = await render(['--force']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('✗ --force: replaces files under --out; give --out DIR too');
  });
});
