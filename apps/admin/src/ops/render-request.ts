import { UsageError } from '../cli/cli-error.js';

export type Layout = 'rhel' | 'debian';
export const LAYOUTS: readonly Layout[] = ['rhel', 'debian'];

export type Listen = { kind: 'tcp'; port: number } | { kind: 'socket'; path: string };

export interface PublicUrl {
  /** the URL as given, normalised: scheme, host, port if not the default, path */
  href: string;
  /** scheme://host[:port], what ORIGIN and the browser's Origin header carry */
  origin: string;
  scheme: 'http' | 'https';
  hostname: string;
  /** the port httpd answers on for this URL (80 or 443 unless the URL names one) */
  port: number;
}

/** `pnpm admin ops render`'s options as commander hands them over: strings, unchecked. */
export interface RawRenderOptions {
  profile?: string;
  layout?: string;
  out?: string;
  publicUrl?: string;
  serviceUser?: string;
  installDir?: string;
  node?: string;
  port?: string;
  socket?: string;
  basePath?: string;
  tlsCert?: string;
  tlsKey?: string;
  hsts?: boolean;
}

/** What the defaults come from, read by the command (I/O) before the options are checked. */
export interface RenderDefaults {
  /** this checkout's root */
  checkoutRoot: string;
  /** `export const base` of apps/web/build/adapter-node.js, null without a build */
  buildBasePath: string | null;
  /** BASE_PATH in the environment */
  envBasePath: string | undefined;
}

/** How httpd terminates TLS for an https:// public URL. */
export interface TlsSettings {
  certificate: string;
  key: string;
  /** the distribution's self-signed pair (no --tls-cert given): for a first test only */
  snakeoil: boolean;
  /** send Strict-Transport-Security */
  hsts: boolean;
}

/** The self-signed pair each distribution makes for httpd: Debian's ssl-cert package, RHEL's mod_ssl (httpd-ssl-gencerts). */
export const SNAKEOIL: Readonly<Record<Layout, { certificate: string; key: string }>> = {
  debian: { certificate: '/etc/ssl/certs/ssl-cert-snakeoil.pem', key: '/etc/ssl/private/ssl-cert-snakeoil.key' },
  rhel: { certificate: '/etc/pki/tls/certs/localhost.crt', key: '/etc/pki/tls/private/localhost.key' },
};

/** certbot's usual paths, for the messages: a real certificate goes there. */
export const CERTBOT_EXAMPLE = '--tls-cert /etc/letsencrypt/live/NAME/fullchain.pem --tls-key /etc/letsencrypt/live/NAME/privkey.pem';

/** The checked options with every default filled in. */
export interface RenderRequest {
  layout: Layout;
  serviceUser: string;
  installDir: string;
  nodePath: string;
  listen: Listen;
  basePath: string;
  /** where basePath came from, for the summary */
  basePathFrom: string;
  publicUrl: PublicUrl;
  /** TLS at httpd: set exactly when the public URL is https */
  tls: TlsSettings | null;
  /** things that render but probably are not what the operator wants */
  warnings: string[];
}

export const DEFAULT_PORT = 3000;
export const DEFAULT_SERVICE_USER = 'kdt';
/** The Node.js that run.sh installs: the one the native modules (better-sqlite3) are built for. */
export const TOOLCHAIN_NODE = '.toolchain/node_modules/node/bin/node';

// Paths go into unit files, httpd's configuration and shell commands unquoted: keep them to
// characters that mean nothing to any of them.
const SAFE_PATH = /^\/[A-Za-z0-9._+@/-]*$/;

// Accounts that exist for another service: the site running as one shares everything it may do.
const SHARED_ACCOUNTS: ReadonlyMap<string, string> = new Map([
  ['postgres', "the PostgreSQL server's account: the site would own the database files and log in to PostgreSQL as its superuser through peer authentication"],
  ['apache', "httpd's own account (RHEL): a flaw in either would reach the other's files and processes"],
  ['www-data', "httpd's own account (Debian): a flaw in either would reach the other's files and processes"],
  ['nobody', "shared by every service that runs as nobody: each may signal and trace the others' processes"],
]);

function usage(option: string, what: string): never {
  throw new UsageError(`${option}: ${what}`);
}

function absolutePath(option: string, value: string, example: string): string {
  if (!SAFE_PATH.test(value) || value.split('/').includes('..')) {
    usage(option, `expected an absolute path of letters, digits and . _ + @ - /, e.g. ${example}, got "${value}"`);
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

function checkBasePath(value: string): string {
  if (value === '' || value === '/') return '';
  if (!value.startsWith('/') || value.endsWith('/') || !/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
    usage('--base-path', `expected "/" and a path without a trailing slash, e.g. /kit-db-test (or "" for none), got "${value}"`);
  }
  return value;
}

function checkPublicUrl(value: string): PublicUrl {
  // URL() reads "http:///kit-db-test/" as host kit-db-test: what `hostname -f` gives when it fails.
  if (/^[a-z][a-z0-9+.-]*:\/\/(?:[/?#]|$)/i.test(value)) {
    usage('--public-url', `"${value}" has no host name (an empty "$(hostname -f)"? give this server a name that resolves, in /etc/hosts, or write the name yourself), e.g. http://server.example.org/kit-db-test/`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return usage('--public-url', `expected an http:// or https:// URL, e.g. https://example.org/kit-db-test/, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    usage('--public-url', `expected an http:// or https:// URL, e.g. https://example.org/kit-db-test/, got "${value}"`);
  }
  if (url.username || url.password || url.search || url.hash) {
    usage('--public-url', `expected scheme, host, port and path only (no user, query or fragment), got "${url.protocol}//${url.host}${url.pathname}…"`);
  }
  if (!/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(url.hostname)) {
    usage('--public-url', `the host "${url.hostname}" is not a plain DNS name or address`);
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  return {
    href: url.href,
    origin: url.origin,
    scheme,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : scheme === 'https' ? 443 : 80,
  };
}

function checkPort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) usage('--port', `expected a port number 1-65535, got "${value}"`);
  return port;
}

/**
 * Checks the options and fills in the defaults. Throws UsageError (exit 2) with one line naming
 * the option, what is wrong and an example of a right value.
 */
export function renderRequest(raw: RawRenderOptions, defaults: RenderDefaults): RenderRequest {
  const warnings: string[] = [];
  const layout = raw.layout ?? 'rhel';
  if (!(LAYOUTS as readonly string[]).includes(layout)) usage('--layout', `expected rhel or debian, got "${layout}"`);

  const serviceUser = raw.serviceUser ?? DEFAULT_SERVICE_USER;
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(serviceUser)) {
    usage('--service-user', `expected a system account name (lower-case letters, digits, _ and -, at most 32), got "${serviceUser}"`);
  }
  // The site needs no privilege (it listens on loopback or in its RuntimeDirectory): as root, a
  // flaw in it, or in any of its dependencies, owns the server, and ProtectSystem= would not hold.
  if (serviceUser === 'root') {
    usage('--service-user', `root: the site needs no privilege and must not run as root; give it an account of its own (default ${DEFAULT_SERVICE_USER}: the first step creates it)`);
  }
  const sharedAccount = SHARED_ACCOUNTS.get(serviceUser);
  if (sharedAccount) warnings.push(`--service-user ${serviceUser}: ${sharedAccount}; give the site an account of its own (default ${DEFAULT_SERVICE_USER})`);

  const installDir = absolutePath('--install-dir', raw.installDir ?? defaults.checkoutRoot, '/srv/kit-db-test');
  if (/^\/(home|root|run\/user)(\/|$)/.test(installDir)) {
    warnings.push(`--install-dir ${installDir}: the unit's ProtectHome=yes hides /home, /root and /run/user from the site; install it under /srv or /opt`);
  }
  const nodePath = raw.node === undefined ? `${installDir}/${TOOLCHAIN_NODE}` : absolutePath('--node', raw.node, '/usr/bin/node');

  if (raw.port !== undefined && raw.socket !== undefined) usage('--socket', 'give --port or --socket, not both');
  const listen: Listen =
    raw.socket !== undefined
      ? { kind: 'socket', path: absolutePath('--socket', raw.socket, '/run/kit-db-test/site.sock') }
      : { kind: 'tcp', port: raw.port === undefined ? DEFAULT_PORT : checkPort(raw.port) };
  if (listen.kind === 'socket' && !listen.path.startsWith('/run/kit-db-test/')) {
    usage('--socket', `expected a socket in /run/kit-db-test/ (the unit's RuntimeDirectory, the one folder the site may create it in), e.g. /run/kit-db-test/site.sock, got "${listen.path}"`);
  }

  let basePath: string;
  let basePathFrom: string;
  if (raw.basePath !== undefined) {
    basePath = checkBasePath(raw.basePath);
    basePathFrom = '--base-path';
    if (defaults.buildBasePath !== null && defaults.buildBasePath !== basePath) {
      warnings.push(
        `--base-path ${basePath || '""'} differs from the site build's ${defaults.buildBasePath || '"" (none)'}: the build decides where the site answers; rebuild with BASE_PATH=${basePath} pnpm build`,
      );
    }
  } else if (defaults.buildBasePath !== null) {
    basePath = defaults.buildBasePath;
    basePathFrom = 'the site build (apps/web/build)';
  } else if (defaults.envBasePath) {
    basePath = checkBasePath(defaults.envBasePath);
    basePathFrom = 'BASE_PATH';
  } else {
    basePath = '';
    basePathFrom = 'no build found: none';
  }

  const publicUrl = checkPublicUrl(raw.publicUrl ?? `http://localhost${basePath}/`);
  const publicPath = new URL(publicUrl.href).pathname.replace(/\/+$/, '');
  if (publicPath !== basePath) {
    // httpd passes only the base path to the site: any other path never reaches it.
    usage(
      '--public-url',
      `its path ${publicPath || '/'} is not the site's base path ${basePath || '/'} (from ${basePathFrom}): use ${publicUrl.origin}${basePath}/, or rebuild the site with BASE_PATH=${publicPath || '""'}`,
    );
  }
  const tls = checkTls(raw, layout as Layout, publicUrl, warnings);
  return { layout: layout as Layout, serviceUser, installDir, nodePath, listen, basePath, basePathFrom, publicUrl, tls, warnings };
}

function checkTls(raw: RawRenderOptions, layout: Layout, publicUrl: PublicUrl, warnings: string[]): TlsSettings | null {
  const given = raw.tlsCert !== undefined || raw.tlsKey !== undefined;
  if (publicUrl.scheme === 'http') {
    // httpd would serve the certificate on a port no browser is sent to: say so instead of rendering it.
    const option = raw.tlsCert !== undefined ? '--tls-cert' : raw.tlsKey !== undefined ? '--tls-key' : raw.hsts ? '--hsts' : null;
    if (option) usage(option, `the public URL ${publicUrl.href} is http://: give an https:// --public-url to serve the site over TLS`);
    return null;
  }
  if (given && (raw.tlsCert === undefined || raw.tlsKey === undefined)) {
    usage(raw.tlsCert === undefined ? '--tls-cert' : '--tls-key', `give --tls-cert and --tls-key together (the certificate chain and its private key), e.g. ${CERTBOT_EXAMPLE}`);
  }
  const hsts = raw.hsts === true;
  if (!given) {
    const pair = SNAKEOIL[layout];
    warnings.push(
      `--public-url is https and no --tls-cert/--tls-key: httpd serves the distribution's self-signed ${pair.certificate}, for a first test (browsers warn); for a real certificate render again with ${CERTBOT_EXAMPLE}`,
    );
    if (hsts) usage('--hsts', `with the self-signed ${pair.certificate} browsers would refuse the site for a year: give --tls-cert and --tls-key of a real certificate first, e.g. ${CERTBOT_EXAMPLE}`);
    return { ...pair, snakeoil: true, hsts: false };
  }
  const certificate = absolutePath('--tls-cert', raw.tlsCert!, '/etc/letsencrypt/live/example.org/fullchain.pem');
  const key = absolutePath('--tls-key', raw.tlsKey!, '/etc/letsencrypt/live/example.org/privkey.pem');
  if (certificate === key) usage('--tls-key', `is the same file as --tls-cert (${certificate}): give the private key's own file, e.g. privkey.pem beside fullchain.pem`);
  return { certificate, key, snakeoil: false, hsts };
}
