import { UsageError } from '../cli/cli-error.js';
import { SITE_UNIT } from '../doctor/site/site-settings.js';
import type { DatabaseFacts } from './database-facts.js';
import { hbaToken, sqlIdentifier, sqlLiteral, unwritableName } from './postgres-names.js';
import { environmentValue, httpdInQuotes, psqlQuoted, shellQuote, unitPathItem } from './quoting.js';
import { CERTBOT_EXAMPLE, type Layout, type RenderRequest } from './render-request.js';
import { SOCKET_MODULE, selinuxNotes, selinuxSteps, type SelinuxInput, type SelinuxStep } from './selinux-commands.js';
import type { TemplateValues } from './template.js';

/** The templates under ops/, by their path there. */
export const TEMPLATE_NAMES = [
  'systemd/kit-db-test.service',
  'systemd/kit-db-test.env',
  'httpd/kit-db-test.conf',
  'postgres/pg_hba-kit-db-test.conf',
  'postgres/create-role-and-database.sql',
  'selinux/kit-db-test-selinux.sh',
  'selinux/kit_db_test_socket.te',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export const ENV_FILE = '/etc/kit-db-test/kit-db-test.env';
export const PASSWORD_FILE = '/etc/kit-db-test/db-password';
export const UNIT_FILE = `/etc/systemd/system/${SITE_UNIT}`;

interface LayoutFacts {
  httpdConf: string;
  httpdGroup: string;
  httpdService: string;
  configTest: string;
  listenFile: string;
}

const LAYOUT: Record<Layout, LayoutFacts> = {
  rhel: { httpdConf: '/etc/httpd/conf.d/kit-db-test.conf', httpdGroup: 'apache', httpdService: 'httpd', configTest: 'apachectl -t', listenFile: '/etc/httpd/conf/httpd.conf' },
  debian: {
    httpdConf: '/etc/apache2/sites-available/kit-db-test.conf',
    httpdGroup: 'www-data',
    httpdService: 'apache2',
    configTest: 'apache2ctl -t',
    listenFile: '/etc/apache2/ports.conf',
  },
};

export interface PlannedFile {
  template: TemplateName;
  /** where it goes on the server; null for files that are used from OUT (SQL, pg_hba lines, SELinux) */
  destination: string | null;
  /** its place in --out DIR: the destination without its leading "/", or postgres/…, selinux/… */
  outPath: string;
  mode: 0o644 | 0o640;
}

export interface PlannedStep {
  title: string;
  /** what to know first (a warning, or why) */
  notes: string[];
  commands: string[];
}

export interface RenderPlan {
  request: RenderRequest;
  database: DatabaseFacts;
  values: TemplateValues;
  files: PlannedFile[];
  steps: PlannedStep[];
  /** one line each, printed first */
  summary: [string, string][];
}

/** pg_hba.conf.sample's columns: TYPE 8, DATABASE 16, USER 16, ADDRESS 24, then METHOD. */
function hbaLine(type: string, database: string, user: string, address: string, method: string): string {
  const cell = (text: string, width: number) => (text.length < width ? text.padEnd(width) : `${text} `);
  return `${cell(type, 8)}${cell(database, 16)}${cell(user, 16)}${cell(address, 24)}${method}`;
}

function sqliteFolder(path: string): string {
  return path.replace(/\/[^/]*$/, '') || '/';
}

function databaseSummary(db: DatabaseFacts): string {
  return db.driver === 'sqlite' ? `SQLite file ${db.path}` : `PostgreSQL ${db.target}`;
}

function profileText(db: DatabaseFacts): string {
  switch (db.profile.kind) {
    case 'named':
      return `profile ${db.profile.name} (${db.profile.file})`;
    case 'live-file':
      return 'config/live in the install folder';
    case 'default':
      // No profile chosen: the URL is the embedded default's, unless DATABASE_URL replaced it.
      return db.driver === 'sqlite' ? 'the embedded SQLite default' : 'no profile (DATABASE_URL)';
  }
}

function templateValues(request: RenderRequest, db: DatabaseFacts, httpPort: number, selinuxText: string): TemplateValues {
  const { listen, basePath, publicUrl, layout } = request;
  const layoutFacts = LAYOUT[layout];
  const backendBase = basePath || '/';
  const values: Record<string, string | boolean> = {
    layout,
    rhel: layout === 'rhel',
    debian: layout === 'debian',
    publicUrl: publicUrl.href,
    publicOrigin: publicUrl.origin,
    publicScheme: publicUrl.scheme,
    https: request.tls !== null,
    snakeoil: request.tls?.snakeoil ?? false,
    hsts: request.tls?.hsts ?? false,
    serverName: publicUrl.hostname,
    httpPort: String(httpPort),
    // The template has these in double quotes.
    proxyPath: httpdInQuotes(backendBase),
    backendUrl: httpdInQuotes(listen.kind === 'tcp' ? `http://127.0.0.1:${listen.port}${backendBase}` : `unix:${listen.path}|http://localhost${backendBase}`),
    backendReverseUrl: httpdInQuotes(listen.kind === 'tcp' ? `http://127.0.0.1:${listen.port}${backendBase}` : `http://localhost${backendBase}`),
    healthPath: `${basePath}/health`,
    serviceUser: request.serviceUser,
    serviceGroup: listen.kind === 'socket' ? layoutFacts.httpdGroup : request.serviceUser,
    installDir: request.installDir,
    nodePath: request.nodePath,
    envFile: ENV_FILE,
    socket: listen.kind === 'socket',
    sqlite: db.driver === 'sqlite',
    postgres: db.driver === 'postgresql',
    afterUnits: db.driver === 'postgresql' && db.local ? 'network.target postgresql.service' : 'network.target',
    databaseSummary: databaseSummary(db),
    namedProfile: db.profile.kind === 'named',
    profileChoice: profileText(db),
    hasDatabaseUrl: db.databaseUrl !== null,
    layoutSummary: `${layout}, site on ${listen.kind === 'tcp' ? `127.0.0.1:${listen.port}` : listen.path}, ${databaseSummary(db)}`,
    extraPackages: listen.kind === 'socket' ? ' checkpolicy' : '',
    commands: selinuxText,
  };
  if (request.tls) {
    Object.assign(values, { httpsPort: String(publicUrl.port), tlsCertificate: httpdInQuotes(request.tls.certificate), tlsKey: httpdInQuotes(request.tls.key) });
  }
  if (db.profile.kind === 'named') values.profileName = db.profile.name;
  if (db.databaseUrl !== null) values.databaseUrl = environmentValue(db.databaseUrl);
  if (listen.kind === 'socket') values.socketPath = listen.path;
  else values.port = String(listen.port);
  if (db.driver === 'sqlite') values.sqliteFolder = unitPathItem(sqliteFolder(db.path));
  if (db.driver === 'postgresql') {
    const database = hbaToken(db.database);
    const role = hbaToken(db.role);
    Object.assign(values, {
      passwordFile: PASSWORD_FILE,
      role: db.role,
      database: db.database,
      roleIdentifier: sqlIdentifier(db.role),
      roleLiteral: sqlLiteral(db.role),
      databaseIdentifier: sqlIdentifier(db.database),
      databaseLiteral: sqlLiteral(db.database),
      passwordPrompt: psqlQuoted(`password for role ${db.role}: `),
      readyMessage: psqlQuoted(`role ${db.role} and database ${db.database} are ready; next: pnpm admin init-database`),
      hbaLocal: hbaLine('local', database, role, '', 'scram-sha-256'),
      hbaHostIpv4: hbaLine('host', database, role, '127.0.0.1/32', 'scram-sha-256'),
      hbaHostIpv6: hbaLine('host', database, role, '::1/128', 'scram-sha-256'),
    });
  }
  return values;
}

/** The SELinux steps as the script's text: why as comments, the narrower alternative commented out. */
export function selinuxScript(steps: SelinuxStep[], notes: string[]): string {
  const blocks = steps.map((step) => {
    const lines = [`# ${step.why}`, ...step.commands];
    if (step.alternative) {
      lines.push(`#   or, ${step.alternative.why}:`, ...step.alternative.commands.map((c) => `#   ${c}`));
    }
    return lines.join('\n');
  });
  return [...blocks, ...notes.map((n) => `# No command needed: ${n}`)].join('\n\n');
}

function files(request: RenderRequest, db: DatabaseFacts): PlannedFile[] {
  const httpdConf = LAYOUT[request.layout].httpdConf;
  const planned: PlannedFile[] = [
    { template: 'systemd/kit-db-test.service', destination: UNIT_FILE, outPath: UNIT_FILE.slice(1), mode: 0o644 },
    { template: 'systemd/kit-db-test.env', destination: ENV_FILE, outPath: ENV_FILE.slice(1), mode: 0o640 },
    { template: 'httpd/kit-db-test.conf', destination: httpdConf, outPath: httpdConf.slice(1), mode: 0o644 },
  ];
  if (db.driver === 'postgresql') {
    planned.push(
      { template: 'postgres/pg_hba-kit-db-test.conf', destination: null, outPath: 'postgres/pg_hba-kit-db-test.conf', mode: 0o644 },
      { template: 'postgres/create-role-and-database.sql', destination: null, outPath: 'postgres/create-role-and-database.sql', mode: 0o644 },
    );
  }
  if (request.layout === 'rhel') {
    planned.push({ template: 'selinux/kit-db-test-selinux.sh', destination: null, outPath: 'selinux/kit-db-test-selinux.sh', mode: 0o644 });
    if (request.listen.kind === 'socket') {
      planned.push({ template: 'selinux/kit_db_test_socket.te', destination: null, outPath: `selinux/${SOCKET_MODULE}.te`, mode: 0o644 });
    }
  }
  return planned;
}

function steps(request: RenderRequest, db: DatabaseFacts, out: string, selinux: SelinuxInput): PlannedStep[] {
  const user = request.serviceUser;
  const layout = LAYOUT[request.layout];
  // Every path and URL in a command is one shell word, whatever --out or the configuration holds.
  const at = (outPath: string) => shellQuote(`${out}/${outPath}`);
  const list: PlannedStep[] = [];

  list.push({
    title: 'the service account and its configuration folder',
    notes: [],
    commands: [
      `getent passwd ${user} >/dev/null || useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin ${user}`,
      `install -d -m 0750 -o root -g ${user} /etc/kit-db-test`,
      `install -m 0640 -o root -g ${user} ${at(ENV_FILE.slice(1))} ${ENV_FILE}`,
    ],
  });

  if (db.driver === 'postgresql') {
    const notes = [`a new random password, only if ${PASSWORD_FILE} is missing or empty (or write your own into it): it is never copied anywhere else`];
    if (db.hasPassword) notes.push(`the configuration holds a password: it was not copied; if the role should keep it, write it into ${PASSWORD_FILE} instead`);
    list.push({
      title: 'the database password file',
      notes,
      commands: [`[ -s ${PASSWORD_FILE} ] || { install -m 0640 -o root -g ${user} /dev/null ${PASSWORD_FILE} && openssl rand -base64 24 > ${PASSWORD_FILE}; }`],
    });
    const remote = db.local ? [] : [`the database is on ${db.host}: run these on that server, and put its address for this machine in the host lines instead of 127.0.0.1/::1`];
    list.push({
      title: `PostgreSQL: role ${db.role} and database ${db.database}`,
      notes: [...remote, `psql runs as postgres and must be able to read ${at('postgres')}; the password comes on standard input`],
      commands: [`sudo -u postgres psql -f ${at('postgres/create-role-and-database.sql')} < ${PASSWORD_FILE}`],
    });
    list.push({
      title: 'PostgreSQL: pg_hba.conf',
      notes: [
        'WARNING: PostgreSQL takes the first line that matches: the lines for kit-db-test must stand ABOVE the catch-all lines (local all all peer, host all all 127.0.0.1/32 ident): these commands put them at the top of the file, once, keeping a copy',
      ],
      commands: [
        `HBA=$(sudo -u postgres psql -XAtc 'SHOW hba_file')`,
        `grep -q '^# kit-db-test:' "$HBA" || { cp -a "$HBA" "$HBA.kit-db-test.bak" && cat ${at('postgres/pg_hba-kit-db-test.conf')} "$HBA.kit-db-test.bak" > "$HBA"; }`,
        `sudo -u postgres psql -XAtc 'SELECT pg_reload_conf()'`,
        `sudo -u postgres psql -XAtc 'SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL'   # prints nothing when every line loads`,
      ],
    });
  } else {
    const folder = shellQuote(sqliteFolder(db.path));
    list.push({ title: 'the SQLite folder, writable by the service only', notes: [], commands: [`install -d -m 0750 -o ${user} -g ${user} ${folder}`] });
  }

  if (request.layout === 'rhel') {
    const selinuxStepsList = selinuxSteps({ ...selinux, moduleDir: at('selinux') });
    list.push({
      title: 'SELinux (enforcing): before the services start',
      notes: [
        ...selinuxStepsList.map((s) => s.why),
        ...selinuxStepsList.flatMap((s) => (s.alternative ? [`or, ${s.alternative.why}: ${s.alternative.commands.join(' && ')}`] : [])),
        `the same commands, with why, in ${at('selinux/kit-db-test-selinux.sh')}`,
      ],
      commands: selinuxStepsList.flatMap((s) => s.commands),
    });
  }

  const initDatabase = `set -a && . ${ENV_FILE} && exec ${shellQuote(request.nodePath)} ${shellQuote(`${request.installDir}/apps/admin/dist/bin.js`)} init-database`;
  list.push({
    title: 'the site service',
    notes: [
      `init-database runs as ${user} with the service's environment, as the site will`,
      'restart, not enable --now: after a re-render the running site must take the new unit and environment',
    ],
    commands: [
      `install -m 0644 ${at(UNIT_FILE.slice(1))} ${UNIT_FILE}`,
      `sudo -u ${user} sh -c ${shellQuote(initDatabase)}`,
      'systemctl daemon-reload',
      // enable --now would leave a running site on its old settings after a re-render: restart always.
      'systemctl enable kit-db-test',
      'systemctl restart kit-db-test',
    ],
  });

  const httpPort = selinux.httpPort;
  const listenNote = httpPort === 80 || httpPort === 443 ? [] : [`httpd must listen on ${httpPort}: add "Listen ${httpPort}" to ${layout.listenFile}`];
  const defaultSiteNote =
    request.layout === 'debian'
      ? ["Debian's 000-default site has no ServerName: it answers for the machine's own name and, read first, takes every request for it; a2dissite 000-default (or give it a ServerName of its own if it serves other sites)"]
      : [];
  const httpdConf = layout.httpdConf;
  const tls = tlsStep(request);
  list.push({
    title: request.layout === 'rhel' ? 'httpd' : 'apache2',
    notes: [...listenNote, ...defaultSiteNote, ...tls.notes],
    commands:
      request.layout === 'rhel'
        ? [...tls.commands, `install -m 0644 ${at(httpdConf.slice(1))} ${httpdConf}`, layout.configTest, `systemctl enable --now ${layout.httpdService}`, `systemctl reload ${layout.httpdService}`]
        : [
            ...tls.commands,
            `install -m 0644 ${at(httpdConf.slice(1))} ${httpdConf}`,
            // mod_alias for the port-80 Redirect (Debian enables it by default; naming it costs nothing).
            request.tls ? 'a2enmod proxy proxy_http headers ssl alias' : 'a2enmod proxy proxy_http headers',
            'a2ensite kit-db-test',
            'a2dissite 000-default',
            layout.configTest,
            `systemctl reload ${layout.httpdService}`,
          ],
  });

  const health = shellQuote(new URL('health', request.publicUrl.href.endsWith('/') ? request.publicUrl.href : `${request.publicUrl.href}/`).href);
  list.push({
    title: 'check',
    notes: [
      `the doctor reads the site's settings (the database, where it listens) from ${ENV_FILE}, as the service does`,
      ...(request.tls?.snakeoil ? ['curl --insecure only because the distribution\'s certificate is self-signed; the doctor checks the certificate itself'] : []),
    ],
    commands: [
      request.tls?.snakeoil ? `curl -fsS --insecure ${health}` : `curl -fsS ${health}`,
      `cd ${shellQuote(request.installDir)} && ./run.sh pnpm admin doctor --public-url ${shellQuote(request.publicUrl.href)}`,
    ],
  });
  return list;
}

/** What TLS at httpd needs before the site file is installed: mod_ssl, and the certificate it names. */
function tlsStep(request: RenderRequest): { notes: string[]; commands: string[] } {
  const tls = request.tls;
  if (!tls) return { notes: [], commands: [] };
  const port = request.publicUrl.port;
  const notes: string[] = [];
  if (port !== 443) notes.push(`httpd must listen on ${port} for TLS: add "Listen ${port}" to ${LAYOUT[request.layout].listenFile}`);
  const commands: string[] = request.layout === 'rhel' ? ['dnf install -y mod_ssl'] : [];
  if (tls.snakeoil) {
    // The pair exists once the package that makes it has run; make it when it is missing.
    commands.push(
      request.layout === 'rhel'
        ? `[ -s ${tls.certificate} ] || /usr/libexec/httpd-ssl-gencerts`
        : `[ -s ${tls.key} ] || make-ssl-cert generate-default-snakeoil`,
    );
    notes.push(`the distribution's self-signed ${tls.certificate}: for a first test only, browsers warn; a real certificate: ${CERTBOT_EXAMPLE} (docs/deploy-${request.layout}.md, HTTPS)`);
  } else {
    notes.push(`httpd reads ${tls.certificate} and ${tls.key} as root when it starts or reloads: after a renewal, systemctl reload ${LAYOUT[request.layout].httpdService}`);
  }
  if (tls.hsts) notes.push('HSTS is on: browsers that visit once refuse plain http and any certificate error for the host for a year');
  return { notes, commands };
}

/**
 * Everything `ops render` produces, from the checked request and the database facts: the values
 * every template is rendered with, the files and where they go, and the steps to apply them.
 * `out` is how the steps name the output folder. Pure: same input, same plan.
 */
export function renderPlan(request: RenderRequest, db: DatabaseFacts, out: string): RenderPlan {
  if (db.driver === 'postgresql') {
    for (const [what, name] of [['role', db.role], ['database', db.database]] as const) {
      const problem = unwritableName(name);
      if (problem) throw new UsageError(`the ${what} name "${name}" ${problem}: it cannot be written into pg_hba.conf; use a plain name in the configuration's url`);
    }
  }
  // httpd answers on the public URL's port when it is plain HTTP; behind TLS on 80.
  const httpPort = request.publicUrl.scheme === 'http' ? request.publicUrl.port : 80;
  const selinux: SelinuxInput = { listen: request.listen, nodePath: request.nodePath, installDir: request.installDir, httpPort, database: db, moduleDir: '"$here"' };
  const script = selinuxScript(selinuxSteps(selinux), selinuxNotes(selinux));
  const listen = request.listen.kind === 'tcp' ? `http://127.0.0.1:${request.listen.port}` : `unix:${request.listen.path}`;
  return {
    request,
    database: db,
    values: templateValues(request, db, httpPort, script),
    files: files(request, db),
    steps: steps(request, db, out, selinux),
    summary: [
      ['layout', `${request.layout} (httpd: ${LAYOUT[request.layout].httpdConf})`],
      ['database', `${databaseSummary(db)}, ${profileText(db)}`],
      ['site', `${listen}${request.basePath || '/'} as ${request.serviceUser}, ${request.nodePath} ${request.installDir}/apps/web/server.js`],
      ['base path', `${request.basePath || '(none)'}, from ${request.basePathFrom}`],
      ['public URL', `${request.publicUrl.href} (ORIGIN=${request.publicUrl.origin})`],
      ...(request.tls
        ? [['TLS', `${request.tls.certificate}${request.tls.snakeoil ? " (the distribution's self-signed pair)" : ''}, port ${httpPort} redirects to ${request.publicUrl.port}${request.tls.hsts ? ', HSTS' : ''}`] as [string, string]]
        : []),
    ],
  };
}
