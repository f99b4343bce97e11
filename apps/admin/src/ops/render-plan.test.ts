import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/cli-error.js';
import type { DatabaseFacts, PostgresFacts, SqliteFacts } from './database-facts.js';
import { loadTemplates } from './load-templates.js';
import { renderFiles } from './render-files.js';
import { renderPlan } from './render-plan.js';
import { renderRequest, type RawRenderOptions, type RenderDefaults } from './render-request.js';
import { selinuxSteps } from './selinux-commands.js';

const defaults: RenderDefaults = { checkoutRoot: '/srv/kit-db-test', buildBasePath: '/kit-db-test', envBasePath: undefined };
const postgres: PostgresFacts = {
  driver: 'postgresql',
  role: 'kdt',
  database: 'kdt',
  target: 'postgresql://kdt@/kdt?host=/var/run/postgresql',
  socket: true,
  host: '/var/run/postgresql',
  port: 5432,
  local: true,
  hasPassword: false,
  profile: { kind: 'named', name: 'postgres', file: 'config/postgres.json' },
  databaseUrl: null,
};
const sqlite: SqliteFacts = { driver: 'sqlite', path: '/srv/kit-db-test/data/kit-db-test.sqlite', profile: { kind: 'default' }, databaseUrl: null };
const templates = loadTemplates();

function render(raw: RawRenderOptions, db: DatabaseFacts) {
  const plan = renderPlan(renderRequest(raw, defaults), db, '/root/kdt-ops');
  const rendered = renderFiles(plan, templates);
  return { plan, rendered, file: (outPath: string) => rendered.find((f) => f.outPath === outPath)?.text };
}

describe('RHEL, PostgreSQL, TCP, under a base path, public URL https', () => {
  const { plan, rendered, file } = render({ publicUrl: 'https://example.org/kit-db-test/' }, postgres);

  it('renders the unit, the environment file, the httpd site, the pg_hba lines, the SQL and the SELinux commands', () => {
    expect(rendered.map((f) => [f.outPath, f.destination, f.mode.toString(8)])).toEqual([
      ['etc/systemd/system/kit-db-test.service', '/etc/systemd/system/kit-db-test.service', '644'],
      ['etc/kit-db-test/kit-db-test.env', '/etc/kit-db-test/kit-db-test.env', '640'],
      ['etc/httpd/conf.d/kit-db-test.conf', '/etc/httpd/conf.d/kit-db-test.conf', '644'],
      ['postgres/pg_hba-kit-db-test.conf', null, '644'],
      ['postgres/create-role-and-database.sql', null, '644'],
      ['selinux/kit-db-test-selinux.sh', null, '644'],
    ]);
  });

  it('the unit', () => {
    expect(file('etc/systemd/system/kit-db-test.service')).toBe(`# kit-db-test site: the Node server (apps/web/server.js), behind httpd.
# Rendered by \`pnpm admin ops render\`; install as /etc/systemd/system/kit-db-test.service, then
#   systemctl daemon-reload && systemctl enable kit-db-test && systemctl restart kit-db-test
[Unit]
Description=kit-db-test site
After=network.target postgresql.service

[Service]
# Active means serving: server.js tells systemd READY=1 once it listens (through systemd-notify,
# a child process, hence NotifyAccess=all), so httpd never meets a started unit that refuses.
Type=notify
NotifyAccess=all
User=kdt
Group=kdt
EnvironmentFile=/etc/kit-db-test/kit-db-test.env
Environment=NODE_ENV=production
WorkingDirectory=/srv/kit-db-test
ExecStart=/srv/kit-db-test/.toolchain/node_modules/node/bin/node /srv/kit-db-test/apps/web/server.js
Restart=on-failure
RestartSec=2
# server.js lets open requests finish for SHUTDOWN_TIMEOUT (30) seconds after SIGTERM.
TimeoutStopSec=35
UMask=0027

# Hardening (systemd.exec(5)), as far as the site still works: \`systemd-analyze security kit-db-test\`.
# No MemoryDenyWriteExecute=: V8's JIT writes the code it runs. No PrivateUsers=: with a unix
# socket the site's group (httpd's) and its own supplementary group must stay real groups.
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
DevicePolicy=closed
PrivateIPC=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RemoveIPC=yes
KeyringMode=private
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources @mount @swap @reboot @raw-io @module @obsolete @cpu-emulation @debug
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
`);
  });

  it('the environment file: the profile, the password file (never the password), the address, who sees details, ORIGIN', () => {
    expect(file('etc/kit-db-test/kit-db-test.env')).toBe(`# kit-db-test site environment, read by systemd (EnvironmentFile= in kit-db-test.service) and by
# \`pnpm admin doctor\`. Install as /etc/kit-db-test/kit-db-test.env, mode 0640, owner root, group kdt:
#   install -m 0640 -o root -g kdt kit-db-test.env /etc/kit-db-test/kit-db-test.env
# One KEY=VALUE per line; a change takes effect with: systemctl restart kit-db-test
# No password here: it stays in the file DATABASE_PASSWORD_FILE names.

# The database: PostgreSQL postgresql://kdt@/kdt?host=/var/run/postgresql
KDT_PROFILE=postgres
DATABASE_PASSWORD_FILE=/etc/kit-db-test/db-password

# Where the site listens; httpd's ProxyPass points there.
HOST=127.0.0.1
PORT=3000

# Site processes sharing that address. 1 is the recommendation on a server of 2 cores, where httpd
# and PostgreSQL need the second one (docs/benchmarks.md: two processes served somewhat more through
# httpd, with twice the memory and a higher p99). Raise it (a number, or auto: one per core) when
# the site's own process is the one at 100 % CPU and cores are idle.
WORKERS=1

# V8's heap, sized for this site rather than from the machine's memory (on a 24 GiB machine V8
# let one process reach 420-450 MiB under load): a young generation of 2 x 8 MiB, and an old
# space whose limit also sets how far V8 lets it fill between full collections (about 1.6 times
# the live heap of some 30 MiB here; 4 times with V8's default limit, 1.3 times at 256 MiB or
# less, which collects twice as often). A ceiling this site never reaches, not a tight cap.
# Measured with pnpm bench: docs/benchmarks.md.
NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=1024"

# Who sees which database answered, as whom (server version, database, user, socket, profile,
# files) and the server's own messages, on the page and in /health: local = clients on this
# machine (the address httpd reports in X-Forwarded-For); everyone else sees the verdicts, the
# timings and what kind of failure it is. Add admin networks (local,10.0.0.0/8), or none.
KDT_DETAILS=local
# The largest form post is about 51 KB (4000 characters of things and 255 of stuff, at most 12
# bytes each once percent-encoded): a bigger body is answered 413 and never read to its end.
BODY_SIZE_LIMIT=64K

# The public origin: SvelteKit refuses a form post whose Origin header is not this.
ORIGIN=https://example.org
# Or take it from httpd's headers instead (remove ORIGIN then):
# PROTOCOL_HEADER=x-forwarded-proto
# HOST_HEADER=x-forwarded-host
`);
  });

  it('the httpd site', () => {
    expect(file('etc/httpd/conf.d/kit-db-test.conf')).toBe(`# kit-db-test behind Apache httpd: a reverse proxy to the site's Node server (apps/web/server.js).
# Rendered by \`pnpm admin ops render --layout rhel\` for https://example.org/kit-db-test/
# Install as /etc/httpd/conf.d/kit-db-test.conf; the httpd package loads mod_proxy, mod_proxy_http
# and mod_headers (conf.modules.d). Then: apachectl -t && systemctl reload httpd
#
# The public URL is https: httpd terminates TLS (mod_ssl) on port 443 with
#   /etc/pki/tls/certs/localhost.crt
#   /etc/pki/tls/private/localhost.key
# and the port-80 virtual host only redirects there.
# mod_ssl is a package of its own: dnf install -y mod_ssl
# That pair is the distribution's self-signed one, for a first test: browsers warn. For a real
# certificate (e.g. certbot's /etc/letsencrypt/live/NAME/fullchain.pem and privkey.pem), render
# again with --tls-cert and --tls-key.
#
# The port is 80 unless the configuration that includes this file defines another first, e.g.
# a test instance on a loopback port:
#   Define KDT_HTTP_PORT 18080
#   Listen 127.0.0.1:18080
<IfDefine !KDT_HTTP_PORT>
    Define KDT_HTTP_PORT 80
</IfDefine>
# The same for the TLS port (KDT_HTTPS_PORT), which must be this file's public port: the redirect
# below names it.
<IfDefine !KDT_HTTPS_PORT>
    Define KDT_HTTPS_PORT 443
</IfDefine>

<VirtualHost *:\${KDT_HTTP_PORT}>
    ServerName example.org

    # Plain HTTP only sends browsers to the same path over HTTPS (mod_alias): a form posted over
    # http would carry an http:// Origin, which the site's https ORIGIN refuses.
    Redirect permanent "/" "https://example.org/"
</VirtualHost>

<VirtualHost *:\${KDT_HTTPS_PORT}>
    ServerName example.org

    SSLEngine on
    SSLCertificateFile "/etc/pki/tls/certs/localhost.crt"
    SSLCertificateKeyFile "/etc/pki/tls/private/localhost.key"
    # TLS 1.2 and 1.3 only: every current browser speaks them, and the older ones are broken.
    SSLProtocol -all +TLSv1.2 +TLSv1.3

    # A reverse proxy only: never a forward proxy for whoever asks.
    ProxyRequests Off
    # The site sees the browser's Host header and, in X-Forwarded-Proto, the scheme the browser
    # used; its environment file sets ORIGIN=https://example.org to match, so form posts pass
    # SvelteKit's origin check.
    ProxyPreserveHost On
    RequestHeader set X-Forwarded-Proto "https"

    # Only the site's base path goes to Node: its pages, assets and form actions all live under it.
    # connectiontimeout: give up quickly on a site that is down; timeout: a slow answer (the site's
    # own database timeout is 5 s); retry=0: try again at once after a restart instead of
    # answering 503 for 60 seconds.
    ProxyPass        "/kit-db-test" "http://127.0.0.1:3000/kit-db-test" connectiontimeout=5 timeout=30 retry=0
    ProxyPassReverse "/kit-db-test" "http://127.0.0.1:3000/kit-db-test"

    # No LimitRequestBody: httpd does not apply it to requests it proxies. The site's own limit,
    # BODY_SIZE_LIMIT in its environment file, answers 413 to a body bigger than any form post.
    # No request-rate limit either: httpd has none of its own (see ops/README.md).

    # /kit-db-test/health answers JSON for monitoring: 200 when the database answers, 503 when not.
</VirtualHost>
`);
  });

  it("the pg_hba.conf lines, in pg_hba.conf.sample's columns, one comment per rule", () => {
    expect(file('postgres/pg_hba-kit-db-test.conf')).toBe(`# kit-db-test: pg_hba.conf lines for database kdt and role kdt, and nothing else.
#
# PostgreSQL takes the FIRST line that matches a connection: these lines must stand ABOVE the
# distribution's catch-all lines ("local all all peer", and on RHEL "host all all 127.0.0.1/32
# ident"), or those take the site's login and refuse it. Then reload and check:
#   sudo -u postgres psql -c 'SELECT pg_reload_conf()'
#   sudo -u postgres psql -c 'SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL'
# scram-sha-256 refuses a password stored as md5: create-role-and-database.sql stores it as SCRAM.
#
# TYPE  DATABASE        USER            ADDRESS                 METHOD

# the site over the unix socket
local   kdt             kdt                                     scram-sha-256
# the site over TCP from this machine, IPv4
host    kdt             kdt             127.0.0.1/32            scram-sha-256
# the site over TCP from this machine, IPv6
host    kdt             kdt             ::1/128                 scram-sha-256
`);
  });

  it('the SQL: password from standard input, SCRAM, no rights but LOGIN, the database owned by the role', () => {
    expect(file('postgres/create-role-and-database.sql')).toBe(`-- kit-db-test: the role kdt (login, SCRAM password, no other rights) and its database
-- kdt, owned by it. Run as the PostgreSQL superuser, the password on standard input:
--   sudo -u postgres psql -f create-role-and-database.sql < /etc/kit-db-test/db-password
-- \\prompt reads it from standard input (psql -f), so it is in no file but the password file and
-- in no command line that ps shows. The server keeps only its SCRAM hash; like any statement,
-- CREATE ROLE reaches the server log only with log_statement = ddl or all.
-- Safe to run again: it creates what is missing and sets the password and attributes again.
\\set ON_ERROR_STOP on
\\prompt 'password for role kdt: ' password
SELECT :'password' <> '' AS has_password \\gset
\\if :has_password
\\else
DO $$ BEGIN RAISE EXCEPTION 'no password on standard input: psql -f create-role-and-database.sql < /etc/kit-db-test/db-password'; END $$;
\\endif

-- Hash as SCRAM whatever postgresql.conf says: pg_hba.conf's scram-sha-256 lines refuse md5.
SET password_encryption = 'scram-sha-256';

SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kdt') AS create_role \\gset
\\if :create_role
CREATE ROLE "kdt" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
\\else
ALTER ROLE "kdt" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
\\endif
\\unset password

SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = 'kdt') AS create_database \\gset
\\if :create_database
CREATE DATABASE "kdt" OWNER "kdt";
\\else
ALTER DATABASE "kdt" OWNER TO "kdt";
\\endif
\\echo 'role kdt and database kdt are ready; next: pnpm admin init-database'
`);
  });

  it('the SELinux commands, with why', () => {
    expect(file('selinux/kit-db-test-selinux.sh')).toBe(`#!/bin/sh
# SELinux for kit-db-test as rendered (rhel, site on 127.0.0.1:3000, PostgreSQL postgresql://kdt@/kdt?host=/var/run/postgresql): the targeted policy, enforcing.
# Run as root before starting the services. Needs semanage: dnf install policycoreutils-python-utils
# Run again, a \`semanage ... -a\` says "already defined": harmless. Denials, if any: ausearch -m AVC -ts recent
here=$(cd "$(dirname "$0")" && pwd)

# systemd starts the site with /srv/kit-db-test/.toolchain/node_modules/node/bin/node, which takes the label of where it lies: under /srv/kit-db-test that is var_t, which systemd may not execute at all (the unit fails with status 203/EXEC); labelled bin_t, as programs in /usr/bin are, it runs as unconfined_service_t.
semanage fcontext -a -t bin_t '/srv/kit-db-test/\\.toolchain/node_modules/node/bin/node'
restorecon -v /srv/kit-db-test/.toolchain/node_modules/node/bin/node

# httpd (httpd_t) connects to the site on 127.0.0.1:3000; the policy lets httpd_t connect to a port only when a boolean opens its type: port 3000 becomes http_port_t (3000 is ntop_port_t by a range, with no record of its own, so -a: -m would answer "not defined"), and httpd_graceful_shutdown opens only ports labelled http_port_t (80, 81, 443, 488, 8008, 8009, 8443, 9000 and any you add).
semanage port -a -t http_port_t -p tcp 3000
setsebool -P httpd_graceful_shutdown 1
#   or, broader, no port label: httpd_can_network_connect opens every TCP port, on any host:
#   setsebool -P httpd_can_network_connect 1

# No command needed: the site reaches PostgreSQL as unconfined_service_t: no boolean needed (httpd_can_network_connect_db is for httpd itself, which never talks to the database).
`);
  });

  it('the steps, in order: account, password file, role, pg_hba (with its warning), SELinux, service, httpd, check', () => {
    expect(plan.steps.map((s) => s.title)).toEqual([
      'the service account and its configuration folder',
      'the database password file',
      'PostgreSQL: role kdt and database kdt',
      'PostgreSQL: pg_hba.conf',
      'SELinux (enforcing): before the services start',
      'the site service',
      'httpd',
      'check',
    ]);
    expect(plan.steps[3]!.notes[0]).toMatch(/^WARNING: .* must stand ABOVE the catch-all lines \(local all all peer/);
    expect(plan.steps.flatMap((s) => s.commands)).toEqual([
      "getent passwd kdt >/dev/null || useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin kdt",
      "install -d -m 0750 -o root -g kdt /etc/kit-db-test",
      "install -m 0640 -o root -g kdt /root/kdt-ops/etc/kit-db-test/kit-db-test.env /etc/kit-db-test/kit-db-test.env",
      "[ -s /etc/kit-db-test/db-password ] || { install -m 0640 -o root -g kdt /dev/null /etc/kit-db-test/db-password && openssl rand -base64 24 > /etc/kit-db-test/db-password; }",
      "sudo -u postgres psql -f /root/kdt-ops/postgres/create-role-and-database.sql < /etc/kit-db-test/db-password",
      "HBA=$(sudo -u postgres psql -XAtc 'SHOW hba_file')",
      "grep -q '^# kit-db-test:' \"$HBA\" || { cp -a \"$HBA\" \"$HBA.kit-db-test.bak\" && cat /root/kdt-ops/postgres/pg_hba-kit-db-test.conf \"$HBA.kit-db-test.bak\" > \"$HBA\"; }",
      "sudo -u postgres psql -XAtc 'SELECT pg_reload_conf()'",
      "sudo -u postgres psql -XAtc 'SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL'   # prints nothing when every line loads",
      "semanage fcontext -a -t bin_t '/srv/kit-db-test/\\.toolchain/node_modules/node/bin/node'",
      "restorecon -v /srv/kit-db-test/.toolchain/node_modules/node/bin/node",
      "semanage port -a -t http_port_t -p tcp 3000",
      "setsebool -P httpd_graceful_shutdown 1",
      "install -m 0644 /root/kdt-ops/etc/systemd/system/kit-db-test.service /etc/systemd/system/kit-db-test.service",
      "sudo -u kdt sh -c 'set -a && . /etc/kit-db-test/kit-db-test.env && exec /srv/kit-db-test/.toolchain/node_modules/node/bin/node /srv/kit-db-test/apps/admin/dist/bin.js init-database'",
      "systemctl daemon-reload",
      "systemctl enable kit-db-test",
      "systemctl restart kit-db-test",
      "dnf install -y mod_ssl",
      "[ -s /etc/pki/tls/certs/localhost.crt ] || /usr/libexec/httpd-ssl-gencerts",
      "install -m 0644 /root/kdt-ops/etc/httpd/conf.d/kit-db-test.conf /etc/httpd/conf.d/kit-db-test.conf",
      "apachectl -t",
      "systemctl enable --now httpd",
      "systemctl reload httpd",
      "curl -fsS --insecure https://example.org/kit-db-test/health",
      "cd /srv/kit-db-test && ./run.sh pnpm admin doctor --public-url https://example.org/kit-db-test/"
    ]);
  });

  it('gives the same bytes when rendered again', () => {
    const again = render({ publicUrl: 'https://example.org/kit-db-test/' }, postgres);
    expect(again.rendered).toEqual(rendered);
    expect(again.plan.steps).toEqual(plan.steps);
  });
});

describe('Debian, SQLite, unix socket, no base path', () => {
  const { plan, rendered, file } = render({ layout: 'debian', socket: '/run/kit-db-test/site.sock', basePath: '' }, sqlite);

  it('renders no PostgreSQL and no SELinux files', () => {
    expect(rendered.map((f) => f.outPath)).toEqual(['etc/systemd/system/kit-db-test.service', 'etc/kit-db-test/kit-db-test.env', 'etc/apache2/sites-available/kit-db-test.conf']);
  });

  it("the unit: httpd's group for the socket, a RuntimeDirectory, ReadWritePaths for the SQLite folder", () => {
    expect(file('etc/systemd/system/kit-db-test.service')).toBe(`# kit-db-test site: the Node server (apps/web/server.js), behind httpd.
# Rendered by \`pnpm admin ops render\`; install as /etc/systemd/system/kit-db-test.service, then
#   systemctl daemon-reload && systemctl enable kit-db-test && systemctl restart kit-db-test
[Unit]
Description=kit-db-test site
After=network.target

[Service]
# Active means serving: server.js tells systemd READY=1 once it listens (through systemd-notify,
# a child process, hence NotifyAccess=all), so httpd never meets a started unit that refuses.
Type=notify
NotifyAccess=all
User=kdt
Group=www-data
# The site creates its socket mode 0660 with its group, httpd's: so httpd, and only httpd, may
# connect. Its own group stays a supplementary one, for the files it reads (root:kdt 0640).
SupplementaryGroups=kdt
RuntimeDirectory=kit-db-test
RuntimeDirectoryMode=0750
EnvironmentFile=/etc/kit-db-test/kit-db-test.env
Environment=NODE_ENV=production
WorkingDirectory=/srv/kit-db-test
ExecStart=/srv/kit-db-test/.toolchain/node_modules/node/bin/node /srv/kit-db-test/apps/web/server.js
Restart=on-failure
RestartSec=2
# server.js lets open requests finish for SHUTDOWN_TIMEOUT (30) seconds after SIGTERM.
TimeoutStopSec=35
UMask=0027

# Hardening (systemd.exec(5)), as far as the site still works: \`systemd-analyze security kit-db-test\`.
# No MemoryDenyWriteExecute=: V8's JIT writes the code it runs. No PrivateUsers=: with a unix
# socket the site's group (httpd's) and its own supplementary group must stay real groups.
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
DevicePolicy=closed
PrivateIPC=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RemoveIPC=yes
KeyringMode=private
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources @mount @swap @reboot @raw-io @module @obsolete @cpu-emulation @debug
SystemCallErrorNumber=EPERM
# SQLite writes the database file and its journal in this folder, the one place the site writes.
ReadWritePaths=/srv/kit-db-test/data

[Install]
WantedBy=multi-user.target
`);
  });

  it('the environment file', () => {
    expect(file('etc/kit-db-test/kit-db-test.env')).toBe(`# kit-db-test site environment, read by systemd (EnvironmentFile= in kit-db-test.service) and by
# \`pnpm admin doctor\`. Install as /etc/kit-db-test/kit-db-test.env, mode 0640, owner root, group kdt:
#   install -m 0640 -o root -g kdt kit-db-test.env /etc/kit-db-test/kit-db-test.env
# One KEY=VALUE per line; a change takes effect with: systemctl restart kit-db-test
# No password here: it stays in the file DATABASE_PASSWORD_FILE names.

# The database: SQLite file /srv/kit-db-test/data/kit-db-test.sqlite
# (no KDT_PROFILE: the embedded SQLite default decides)

# Where the site listens; httpd's ProxyPass points there.
SOCKET_PATH=/run/kit-db-test/site.sock

# Site processes sharing that address. 1 is the recommendation on a server of 2 cores, where httpd
# and PostgreSQL need the second one (docs/benchmarks.md: two processes served somewhat more through
# httpd, with twice the memory and a higher p99). Raise it (a number, or auto: one per core) when
# the site's own process is the one at 100 % CPU and cores are idle.
WORKERS=1

# V8's heap, sized for this site rather than from the machine's memory (on a 24 GiB machine V8
# let one process reach 420-450 MiB under load): a young generation of 2 x 8 MiB, and an old
# space whose limit also sets how far V8 lets it fill between full collections (about 1.6 times
# the live heap of some 30 MiB here; 4 times with V8's default limit, 1.3 times at 256 MiB or
# less, which collects twice as often). A ceiling this site never reaches, not a tight cap.
# Measured with pnpm bench: docs/benchmarks.md.
NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=1024"

# Who sees which database answered, as whom (server version, database, user, socket, profile,
# files) and the server's own messages, on the page and in /health: local = clients on this
# machine (the address httpd reports in X-Forwarded-For); everyone else sees the verdicts, the
# timings and what kind of failure it is. Add admin networks (local,10.0.0.0/8), or none.
KDT_DETAILS=local
# The largest form post is about 51 KB (4000 characters of things and 255 of stuff, at most 12
# bytes each once percent-encoded): a bigger body is answered 413 and never read to its end.
BODY_SIZE_LIMIT=64K

# The public origin: SvelteKit refuses a form post whose Origin header is not this.
ORIGIN=http://localhost
# Or take it from httpd's headers instead (remove ORIGIN then):
# PROTOCOL_HEADER=x-forwarded-proto
# HOST_HEADER=x-forwarded-host
`);
  });

  it('the apache2 site, proxying to the socket', () => {
    expect(file('etc/apache2/sites-available/kit-db-test.conf')).toBe(`# kit-db-test behind Apache httpd: a reverse proxy to the site's Node server (apps/web/server.js).
# Rendered by \`pnpm admin ops render --layout debian\` for http://localhost/
# Install as /etc/apache2/sites-available/kit-db-test.conf, then:
#   a2enmod proxy proxy_http headers && a2ensite kit-db-test && apache2ctl -t && systemctl reload apache2
#
# The port is 80 unless the configuration that includes this file defines another first, e.g.
# a test instance on a loopback port:
#   Define KDT_HTTP_PORT 18080
#   Listen 127.0.0.1:18080
<IfDefine !KDT_HTTP_PORT>
    Define KDT_HTTP_PORT 80
</IfDefine>

<VirtualHost *:\${KDT_HTTP_PORT}>
    ServerName localhost

    # A reverse proxy only: never a forward proxy for whoever asks.
    ProxyRequests Off
    # The site sees the browser's Host header and, in X-Forwarded-Proto, the scheme the browser
    # used; its environment file sets ORIGIN=http://localhost to match, so form posts pass
    # SvelteKit's origin check.
    ProxyPreserveHost On
    RequestHeader set X-Forwarded-Proto "http"

    # Only the site's base path goes to Node: its pages, assets and form actions all live under it.
    # connectiontimeout: give up quickly on a site that is down; timeout: a slow answer (the site's
    # own database timeout is 5 s); retry=0: try again at once after a restart instead of
    # answering 503 for 60 seconds.
    ProxyPass        "/" "unix:/run/kit-db-test/site.sock|http://localhost/" connectiontimeout=5 timeout=30 retry=0
    ProxyPassReverse "/" "http://localhost/"

    # No LimitRequestBody: httpd does not apply it to requests it proxies. The site's own limit,
    # BODY_SIZE_LIMIT in its environment file, answers 413 to a body bigger than any form post.
    # No request-rate limit either: httpd has none of its own (see ops/README.md).

    # /health answers JSON for monitoring: 200 when the database answers, 503 when not.
</VirtualHost>
`);
  });

  it('the steps', () => {
    expect(plan.steps.map((s) => [s.title, ...s.commands])).toEqual([
      [
        "the service account and its configuration folder",
        "getent passwd kdt >/dev/null || useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin kdt",
        "install -d -m 0750 -o root -g kdt /etc/kit-db-test",
        "install -m 0640 -o root -g kdt /root/kdt-ops/etc/kit-db-test/kit-db-test.env /etc/kit-db-test/kit-db-test.env"
      ],
      [
        "the SQLite folder, writable by the service only",
        "install -d -m 0750 -o kdt -g kdt /srv/kit-db-test/data"
      ],
      [
        "the site service",
        "install -m 0644 /root/kdt-ops/etc/systemd/system/kit-db-test.service /etc/systemd/system/kit-db-test.service",
        "sudo -u kdt sh -c 'set -a && . /etc/kit-db-test/kit-db-test.env && exec /srv/kit-db-test/.toolchain/node_modules/node/bin/node /srv/kit-db-test/apps/admin/dist/bin.js init-database'",
        "systemctl daemon-reload",
        "systemctl enable kit-db-test",
        "systemctl restart kit-db-test"
      ],
      [
        "apache2",
        "install -m 0644 /root/kdt-ops/etc/apache2/sites-available/kit-db-test.conf /etc/apache2/sites-available/kit-db-test.conf",
        "a2enmod proxy proxy_http headers",
        "a2ensite kit-db-test",
        "a2dissite 000-default",
        "apache2ctl -t",
        "systemctl reload apache2"
      ],
      [
        "check",
        "curl -fsS http://localhost/health",
        "cd /srv/kit-db-test && ./run.sh pnpm admin doctor --public-url http://localhost/"
      ]
    ]);
  });
});

describe('RHEL, unix socket', () => {
  const { file } = render({ socket: '/run/kit-db-test/site.sock' }, sqlite);

  it('labels the socket folder and adds the one-rule module httpd needs to connect', () => {
    expect(file('selinux/kit-db-test-selinux.sh')).toBe(`#!/bin/sh
# SELinux for kit-db-test as rendered (rhel, site on /run/kit-db-test/site.sock, SQLite file /srv/kit-db-test/data/kit-db-test.sqlite): the targeted policy, enforcing.
# Run as root before starting the services. Needs semanage: dnf install policycoreutils-python-utils checkpolicy
# Run again, a \`semanage ... -a\` says "already defined": harmless. Denials, if any: ausearch -m AVC -ts recent
here=$(cd "$(dirname "$0")" && pwd)

# systemd starts the site with /srv/kit-db-test/.toolchain/node_modules/node/bin/node, which takes the label of where it lies: under /srv/kit-db-test that is var_t, which systemd may not execute at all (the unit fails with status 203/EXEC); labelled bin_t, as programs in /usr/bin are, it runs as unconfined_service_t.
semanage fcontext -a -t bin_t '/srv/kit-db-test/\\.toolchain/node_modules/node/bin/node'
restorecon -v /srv/kit-db-test/.toolchain/node_modules/node/bin/node

# the socket folder /run/kit-db-test: labelled httpd_var_run_t, httpd may write to the socket in it; systemd labels the RuntimeDirectory from this rule each time the site starts. RHEL 8 and 9 take the rule only as /var/run/… (their file_contexts.subs_dist makes /run an alias of /var/run), Fedora 40 and RHEL 10 only as /run/…: the command reads which.
semanage fcontext -a -t httpd_var_run_t "$(awk '$1=="/run"{print $2; exit}' /etc/selinux/targeted/contexts/files/file_contexts.subs_dist 2>/dev/null | grep . || echo /run)"'/kit-db-test(/.*)?'

# httpd connects to the site's socket /run/kit-db-test/site.sock; the site runs as unconfined_service_t and no boolean lets httpd_t connect to its sockets: a local module with that one rule does (kit_db_test_socket.te).
checkmodule -M -m -o "$here"/kit_db_test_socket.mod "$here"/kit_db_test_socket.te
semodule_package -o "$here"/kit_db_test_socket.pp -m "$here"/kit_db_test_socket.mod
semodule -i "$here"/kit_db_test_socket.pp

# No command needed: the SQLite folder /srv/kit-db-test/data needs no label: the site runs unconfined (unconfined_service_t); the unit's ProtectSystem=strict and ReadWritePaths= are what keep its writes to that folder.
`);
    expect(file('selinux/kit_db_test_socket.te')).toBe(`# Lets httpd connect to the kit-db-test site's unix socket (/run/kit-db-test/site.sock). The site runs as
# unconfined_service_t, and no boolean lets httpd_t connect to that domain's sockets.
module kit_db_test_socket 1.0;

require {
	type httpd_t;
	type unconfined_service_t;
	class unix_stream_socket connectto;
}

allow httpd_t unconfined_service_t:unix_stream_socket connectto;
`);
  });
});

describe('SELinux commands follow the layout', () => {
  const input = { nodePath: '/usr/bin/node', installDir: '/srv/kit-db-test', httpPort: 80, database: sqlite, moduleDir: 'OUT/selinux' };
  const commands = (port: number, extra: Partial<typeof input> = {}) =>
    selinuxSteps({ ...input, ...extra, listen: { kind: 'tcp', port } }).map((s) => [s.commands, s.alternative?.commands ?? []]);

  const narrow = (port: number) => [`semanage port -a -t http_port_t -p tcp ${port}`, 'setsebool -P httpd_graceful_shutdown 1'];
  const broad = ['setsebool -P httpd_can_network_connect 1'];

  it.each([
    [3000, 'ntop_port_t by the range 3000-3001: -a (-m says "not defined")', narrow(3000)],
    [3100, 'unreserved_port_t by the catch-all: -a', narrow(3100)],
    [8080, 'http_cache_port_t, a record of its own: -m (-a says "already defined")', ['semanage port -m -t http_port_t -p tcp 8080', 'setsebool -P httpd_graceful_shutdown 1']],
    [10005, 'http_cache_port_t by the range 10001-10010: -a', narrow(10005)],
    [8008, 'http_port_t already: only the boolean', ['setsebool -P httpd_graceful_shutdown 1']],
  ])('the site on port %i (%s): label it http_port_t and open http_port_t only; httpd_can_network_connect is the broad alternative', (port, _, expected) => {
    expect(commands(port)).toEqual([[expected, broad]]);
  });

  it('labels a Node.js outside the system folders bin_t, and a public port httpd may not bind', () => {
    expect(commands(3000, { nodePath: '/opt/kdt/node', httpPort: 8081 })).toEqual([
      [["semanage fcontext -a -t bin_t '/opt/kdt/node'", 'restorecon -v /opt/kdt/node'], []],
      [narrow(3000), broad],
      [['semanage port -a -t http_port_t -p tcp 8081'], []],
    ]);
  });

  it.each([80, 443, 8080, 3000, 8443])('needs no label for public port %i: httpd_t binds http_port_t, http_cache_port_t and ntop_port_t ports unconditionally', (httpPort) => {
    expect(commands(3000, { httpPort })).toEqual([[narrow(3000), broad]]);
  });
});

describe('pg_hba.conf and SQL names', () => {
  it('quotes a name pg_hba.conf would read as a keyword, or with capitals; SQL identifiers are always quoted', () => {
    const { file } = render({}, { ...postgres, role: 'all', database: 'Stuff DB' });
    expect(file('postgres/pg_hba-kit-db-test.conf')).toContain('\nlocal   "Stuff DB"      "all"                                   scram-sha-256\n');
    expect(file('postgres/create-role-and-database.sql')).toContain('\nCREATE DATABASE "Stuff DB" OWNER "all";\n');
    expect(file('postgres/create-role-and-database.sql')).toContain("WHERE rolname = 'all') AS create_role");
  });

  it('refuses a name that cannot be written into pg_hba.conf', () => {
    expect(() => render({}, { ...postgres, role: 'k"dt' })).toThrow(
      new UsageError('the role name "k"dt" contains a double quote, a backslash or a control character: it cannot be written into pg_hba.conf; use a plain name in the configuration\'s url'),
    );
  });
});

describe('each value quoted for the file it goes in', () => {
  const odd = "/srv/my data/it's \"a\" $(id) 100%";
  const { plan, file } = render({ layout: 'debian' }, { ...sqlite, path: `${odd}/kdt.sqlite`, databaseUrl: `sqlite:${odd}/kdt.sqlite` });

  it('the unit: ReadWritePaths= takes the folder as one quoted item, "%" doubled', () => {
    expect(file('etc/systemd/system/kit-db-test.service')).toContain(`\nReadWritePaths="/srv/my data/it's \\"a\\" $(id) 100%%"\n`);
  });

  it('the environment file: DATABASE_URL in double quotes, \\ " $ ` escaped', () => {
    expect(file('etc/kit-db-test/kit-db-test.env')).toContain(`\nDATABASE_URL="sqlite:/srv/my data/it's \\"a\\" \\$(id) 100%/kdt.sqlite"\n`);
  });

  it("the shell steps: the folder in single quotes, a quote as '\\''", () => {
    expect(plan.steps.flatMap((s) => s.commands)).toContain(`install -d -m 0750 -o kdt -g kdt '/srv/my data/it'\\''s "a" $(id) 100%'`);
  });

  it("psql's \\prompt and \\echo: a quote in the role name doubled", () => {
    const sql = render({}, { ...postgres, role: "o'brien ops", database: 'Stuff DB' }).file('postgres/create-role-and-database.sql');
    expect(sql).toContain("\n\\prompt 'password for role o''brien ops: ' password\n");
    expect(sql).toContain("\n\\echo 'role o''brien ops and database Stuff DB are ready; next: pnpm admin init-database'\n");
    expect(sql).toContain(`\nCREATE ROLE "o'brien ops" LOGIN PASSWORD`);
  });
});

describe('renderRequest', () => {
  it('fills the defaults: rhel, kdt, the checkout, the toolchain node, port 3000, the build base path, http://localhost + base', () => {
    expect(renderRequest({}, defaults)).toEqual({
      layout: 'rhel',
      serviceUser: 'kdt',
      installDir: '/srv/kit-db-test',
      nodePath: '/srv/kit-db-test/.toolchain/node_modules/node/bin/node',
      listen: { kind: 'tcp', port: 3000 },
      basePath: '/kit-db-test',
      basePathFrom: 'the site build (apps/web/build)',
      publicUrl: { href: 'http://localhost/kit-db-test/', origin: 'http://localhost', scheme: 'http', hostname: 'localhost', port: 80 },
      tls: null,
      warnings: [],
    });
  });

  it('takes BASE_PATH without a build, and none without either', () => {
    expect(renderRequest({}, { ...defaults, buildBasePath: null, envBasePath: '/kdt' })).toMatchObject({ basePath: '/kdt', basePathFrom: 'BASE_PATH' });
    expect(renderRequest({}, { ...defaults, buildBasePath: null })).toMatchObject({ basePath: '', publicUrl: { href: 'http://localhost/' } });
  });

  it('warns about a base path the build does not serve, and an install folder ProtectHome hides', () => {
    expect(renderRequest({ basePath: '/other', installDir: '/home/me/kdt' }, defaults).warnings).toEqual([
      '--install-dir /home/me/kdt: the unit\'s ProtectHome=yes hides /home, /root and /run/user from the site; install it under /srv or /opt',
      '--base-path /other differs from the site build\'s /kit-db-test: the build decides where the site answers; rebuild with BASE_PATH=/other pnpm build',
    ]);
  });

  it("warns about an account another service owns: PostgreSQL's, httpd's, nobody", () => {
    expect(renderRequest({ serviceUser: 'postgres' }, defaults).warnings).toEqual([
      "--service-user postgres: the PostgreSQL server's account: the site would own the database files and log in to PostgreSQL as its superuser through peer authentication; give the site an account of its own (default kdt)",
    ]);
    expect(renderRequest({ serviceUser: 'www-data' }, defaults).warnings[0]).toMatch(/^--service-user www-data: httpd's own account \(Debian\)/);
    expect(renderRequest({ serviceUser: 'kdt' }, defaults).warnings).toEqual([]);
  });

  it.each([
    [{ layout: 'suse' }, '--layout: expected rhel or debian, got "suse"'],
    [{ port: '70000' }, '--port: expected a port number 1-65535, got "70000"'],
    [{ port: '0' }, '--port: expected a port number 1-65535, got "0"'],
    [{ port: '3000', socket: '/run/kit-db-test/site.sock' }, '--socket: give --port or --socket, not both'],
    [{ socket: '/tmp/site.sock' }, '--socket: expected a socket in /run/kit-db-test/ (the unit\'s RuntimeDirectory, the one folder the site may create it in), e.g. /run/kit-db-test/site.sock, got "/tmp/site.sock"'],
    [{ basePath: 'kit-db-test' }, '--base-path: expected "/" and a path without a trailing slash, e.g. /kit-db-test (or "" for none), got "kit-db-test"'],
    [{ basePath: '/kit-db-test/' }, '--base-path: expected "/" and a path without a trailing slash, e.g. /kit-db-test (or "" for none), got "/kit-db-test/"'],
    [{ publicUrl: 'ftp://example.org/' }, '--public-url: expected an http:// or https:// URL, e.g. https://example.org/kit-db-test/, got "ftp://example.org/"'],
    [{ publicUrl: 'example.org' }, '--public-url: expected an http:// or https:// URL, e.g. https://example.org/kit-db-test/, got "example.org"'],
    [{ publicUrl: 'https://u:p@example.org/' }, '--public-url: expected scheme, host, port and path only (no user, query or fragment), got "https://example.org/…"'],
    [{ publicUrl: 'http:///kit-db-test/' }, '--public-url: "http:///kit-db-test/" has no host name (an empty "$(hostname -f)"? give this server a name that resolves, in /etc/hosts, or write the name yourself), e.g. http://server.example.org/kit-db-test/'],
    [{ publicUrl: 'https://' }, '--public-url: "https://" has no host name (an empty "$(hostname -f)"? give this server a name that resolves, in /etc/hosts, or write the name yourself), e.g. http://server.example.org/kit-db-test/'],
    [{ publicUrl: 'https://example.org/' }, '--public-url: its path / is not the site\'s base path /kit-db-test (from the site build (apps/web/build)): use https://example.org/kit-db-test/, or rebuild the site with BASE_PATH=""'],
    [{ publicUrl: 'https://example.org/kdt/' }, '--public-url: its path /kdt is not the site\'s base path /kit-db-test (from the site build (apps/web/build)): use https://example.org/kit-db-test/, or rebuild the site with BASE_PATH=/kdt'],
    [{ serviceUser: 'root' }, '--service-user: root: the site needs no privilege and must not run as root; give it an account of its own (default kdt: the first step creates it)'],
    [{ serviceUser: 'Root Admin' }, '--service-user: expected a system account name (lower-case letters, digits, _ and -, at most 32), got "Root Admin"'],
    [{ installDir: 'srv/kdt' }, '--install-dir: expected an absolute path of letters, digits and . _ + @ - /, e.g. /srv/kit-db-test, got "srv/kdt"'],
    [{ node: '/usr/bin/node 22' }, '--node: expected an absolute path of letters, digits and . _ + @ - /, e.g. /usr/bin/node, got "/usr/bin/node 22"'],
  ])('refuses %j with one line naming the option and the fix', (raw, message) => {
    expect(() => renderRequest(raw, defaults)).toThrow(new UsageError(message));
  });
});

describe('HTTPS at httpd', () => {
  const letsEncrypt = { tlsCert: '/etc/letsencrypt/live/example.org/fullchain.pem', tlsKey: '/etc/letsencrypt/live/example.org/privkey.pem' };

  it("Debian, a real certificate, HSTS: the TLS host proxies, the port-80 host redirects, HSTS sent; the environment's ORIGIN is https", () => {
    const { plan, file } = render({ layout: 'debian', publicUrl: 'https://example.org/kit-db-test/', ...letsEncrypt, hsts: true }, sqlite);
    const site = file('etc/apache2/sites-available/kit-db-test.conf')!;
    const [plain, tls] = site.split('<VirtualHost *:${KDT_HTTPS_PORT}>');
    expect(plain).toContain('<VirtualHost *:${KDT_HTTP_PORT}>\n    ServerName example.org\n\n');
    expect(plain).toContain('    Redirect permanent "/" "https://example.org/"\n</VirtualHost>');
    expect(plain).not.toContain('ProxyPass ');
    expect(tls).toContain(`    SSLEngine on
    SSLCertificateFile "/etc/letsencrypt/live/example.org/fullchain.pem"
    SSLCertificateKeyFile "/etc/letsencrypt/live/example.org/privkey.pem"`);
    expect(tls).toContain('    Header always set Strict-Transport-Security "max-age=31536000"\n');
    expect(tls).toContain('    RequestHeader set X-Forwarded-Proto "https"\n');
    expect(tls).toContain('    ProxyPass        "/kit-db-test" "http://127.0.0.1:3000/kit-db-test" connectiontimeout=5 timeout=30 retry=0\n');
    expect(site).toContain('# mod_ssl first: a2enmod ssl\n');
    expect(site).not.toContain('self-signed');
    expect(file('etc/kit-db-test/kit-db-test.env')).toContain('\nORIGIN=https://example.org\n');
    const httpd = plan.steps.find((s) => s.title === 'apache2')!;
    expect(httpd.commands).toContain('a2enmod proxy proxy_http headers ssl alias');
    expect(httpd.notes).toEqual([
      "Debian's 000-default site has no ServerName: it answers for the machine's own name and, read first, takes every request for it; a2dissite 000-default (or give it a ServerName of its own if it serves other sites)",
      'httpd reads /etc/letsencrypt/live/example.org/fullchain.pem and /etc/letsencrypt/live/example.org/privkey.pem as root when it starts or reloads: after a renewal, systemctl reload apache2',
      'HSTS is on: browsers that visit once refuse plain http and any certificate error for the host for a year',
    ]);
    expect(plan.steps.at(-1)!.commands[0]).toBe('curl -fsS https://example.org/kit-db-test/health');
    expect(plan.summary.at(-1)).toEqual(['TLS', '/etc/letsencrypt/live/example.org/fullchain.pem, port 80 redirects to 443, HSTS']);
  });

  it("Debian without a certificate: the snakeoil pair, made when missing, and a warning that names certbot's paths", () => {
    const request = renderRequest({ layout: 'debian', publicUrl: 'https://example.org/kit-db-test/' }, defaults);
    expect(request.tls).toEqual({ certificate: '/etc/ssl/certs/ssl-cert-snakeoil.pem', key: '/etc/ssl/private/ssl-cert-snakeoil.key', snakeoil: true, hsts: false });
    expect(request.warnings).toEqual([
      "--public-url is https and no --tls-cert/--tls-key: httpd serves the distribution's self-signed /etc/ssl/certs/ssl-cert-snakeoil.pem, for a first test (browsers warn); for a real certificate render again with --tls-cert /etc/letsencrypt/live/NAME/fullchain.pem --tls-key /etc/letsencrypt/live/NAME/privkey.pem",
    ]);
    const { plan } = render({ layout: 'debian', publicUrl: 'https://example.org/kit-db-test/' }, sqlite);
    expect(plan.steps.find((s) => s.title === 'apache2')!.commands[0]).toBe('[ -s /etc/ssl/private/ssl-cert-snakeoil.key ] || make-ssl-cert generate-default-snakeoil');
  });

  it('a public port other than 443: httpd must listen there, the redirect names it', () => {
    const { plan, file } = render({ layout: 'debian', publicUrl: 'https://example.org:8443/kit-db-test/', ...letsEncrypt }, sqlite);
    expect(file('etc/apache2/sites-available/kit-db-test.conf')).toContain('    Redirect permanent "/" "https://example.org:8443/"\n');
    expect(file('etc/apache2/sites-available/kit-db-test.conf')).toContain('    Define KDT_HTTPS_PORT 8443\n');
    expect(plan.steps.find((s) => s.title === 'apache2')!.notes).toContain('httpd must listen on 8443 for TLS: add "Listen 8443" to /etc/apache2/ports.conf');
  });

  it('an http:// public URL renders no TLS host', () => {
    const { file } = render({ layout: 'debian', publicUrl: 'http://example.org/kit-db-test/' }, sqlite);
    expect(file('etc/apache2/sites-available/kit-db-test.conf')).not.toMatch(/SSLEngine|Redirect|KDT_HTTPS_PORT/);
  });

  it.each([
    [{ publicUrl: 'http://example.org/kit-db-test/', tlsCert: '/etc/ssl/a.pem', tlsKey: '/etc/ssl/a.key' }, '--tls-cert: the public URL http://example.org/kit-db-test/ is http://: give an https:// --public-url to serve the site over TLS'],
    [{ publicUrl: 'http://example.org/kit-db-test/', hsts: true }, '--hsts: the public URL http://example.org/kit-db-test/ is http://: give an https:// --public-url to serve the site over TLS'],
    [{ publicUrl: 'https://example.org/kit-db-test/', tlsCert: '/etc/ssl/a.pem' }, '--tls-key: give --tls-cert and --tls-key together (the certificate chain and its private key), e.g. --tls-cert /etc/letsencrypt/live/NAME/fullchain.pem --tls-key /etc/letsencrypt/live/NAME/privkey.pem'],
    [{ publicUrl: 'https://example.org/kit-db-test/', tlsKey: '/etc/ssl/a.key' }, '--tls-cert: give --tls-cert and --tls-key together (the certificate chain and its private key), e.g. --tls-cert /etc/letsencrypt/live/NAME/fullchain.pem --tls-key /etc/letsencrypt/live/NAME/privkey.pem'],
    [{ publicUrl: 'https://example.org/kit-db-test/', tlsCert: 'fullchain.pem', tlsKey: '/etc/ssl/a.key' }, '--tls-cert: expected an absolute path of letters, digits and . _ + @ - /, e.g. /etc/letsencrypt/live/example.org/fullchain.pem, got "fullchain.pem"'],
    [{ publicUrl: 'https://example.org/kit-db-test/', tlsCert: '/etc/ssl/a.pem', tlsKey: '/etc/ssl/a.pem' }, '--tls-key: is the same file as --tls-cert (/etc/ssl/a.pem): give the private key\'s own file, e.g. privkey.pem beside fullchain.pem'],
    [{ publicUrl: 'https://example.org/kit-db-test/', hsts: true }, "--hsts: with the self-signed /etc/pki/tls/certs/localhost.crt browsers would refuse the site for a year: give --tls-cert and --tls-key of a real certificate first, e.g. --tls-cert /etc/letsencrypt/live/NAME/fullchain.pem --tls-key /etc/letsencrypt/live/NAME/privkey.pem"],
  ])('refuses %j with one line naming the option and the fix', (raw, message) => {
    expect(() => renderRequest(raw, defaults)).toThrow(new UsageError(message));
  });
});
