import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { maskDatabaseUrl } from './mask-url.js';
import { Secret } from './secret.js';

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export interface PostgresTarget {
  driver: 'postgresql';
  /** A host name or address, or the folder holding the unix socket (starts with "/"). */
  host: string;
  socket: boolean;
  port: number;
  user: string;
  database: string;
  password: Secret | undefined;
  sslmode: SslMode;
  /** libpq's sslrootcert: the CA file that signed the server's certificate, or "system" (the system's CAs) */
  sslrootcert?: string | undefined;
  /** libpq's sslcert and sslkey: a client certificate and its key (the "cert" method), absolute paths */
  sslcert?: string | undefined;
  sslkey?: string | undefined;
}

export interface SqliteTarget {
  driver: 'sqlite';
  /** Absolute path of the database file. */
  path: string;
}

export type DatabaseTarget = PostgresTarget | SqliteTarget;

/** libpq's (and Debian's and RHEL's) socket folder when a URL names no host. */
export const DEFAULT_SOCKET_DIR = '/var/run/postgresql';
const SSL_MODES: readonly SslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];
const PG_QUERY_KEYS = ['host', 'port', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

/**
 * What may stand unencoded before a URL's "@": anything but the URL's own delimiters, blanks and
 * control characters; "%" only as the start of an escape. ":" separates user and password.
 */
const ENCODED_USERINFO = /^(?:[^@/?#%\s\p{Cc}]|%[0-9A-Fa-f]{2})*$/u;

/** The fix quoted by every message about a user name or password written into a URL as it is. */
const PERCENT_ENCODING_FIX =
  'percent-encode them (@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, a blank as %20), ' +
  "or better, keep the password in a file named by DATABASE_PASSWORD_FILE (or the profile's passwordFile)";

function shown(raw: string): string {
  const masked = maskDatabaseUrl(raw);
  return JSON.stringify(masked.length > 60 ? `${masked.slice(0, 57)}...` : masked);
}

/**
 * Parses a database URL. `where` prefixes every message (e.g. "config/postgres.json: url" or
 * "DATABASE_URL"); relative SQLite paths resolve against `root`. No message quotes anything
 * before the URL's last "@" but a plain user name: a password written there unencoded may hold
 * any of the characters that would otherwise end it.
 *
 * - postgresql://USER[:PASSWORD]@[HOST][:PORT]/[DATABASE][?host=/socket/dir&port=N&sslmode=M&sslrootcert=CA&sslcert=C&sslkey=K]
 *   (certificate paths relative to `root`; sslrootcert=system: the system's CAs)
 *   (no host: the unix socket in /var/run/postgresql, as libpq does; no database: the user's name)
 * - sqlite:RELATIVE/PATH, sqlite:/ABSOLUTE/PATH or sqlite:///ABSOLUTE/PATH
 */
export function parseDatabaseUrl(raw: string, where: string, root: string): DatabaseTarget {
  const fail = (what: string): never => {
    throw new ConfigError(`${where}: ${what}`);
  };
  if (raw.startsWith('sqlite:')) {
    let path = raw.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '' || path === ':memory:') fail(`expected a file path after sqlite:, got ${shown(raw)}`);
    return { driver: 'sqlite', path: isAbsolute(path) ? path : resolve(root, path) };
  }
  const scheme = /^postgres(?:ql)?:\/\//.exec(raw)?.[0];
  if (!scheme) return fail(`expected postgresql:// or sqlite: URL, got ${shown(raw)}`);

  // Parsed by hand: WHATWG URL rejects libpq's own form with user info and no host ("kdt@/db").
  // The userinfo ends at the last "@", so an unencoded "@", "/", "?" or "#" in a password can
  // neither end it early nor leak into the host, port, database or query.
  const afterScheme = raw.slice(scheme.length);
  const at = afterScheme.lastIndexOf('@');
  const userInfo = at >= 0 ? afterScheme.slice(0, at) : '';
  if (!ENCODED_USERINFO.test(userInfo)) fail(`the user name or password holds characters a URL cannot carry as they are; ${PERCENT_ENCODING_FIX}`);
  const colon = userInfo.indexOf(':');
  const decodeUserInfo = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return fail(`${what} is percent-encoded, but its bytes are not UTF-8; ${PERCENT_ENCODING_FIX}`);
    }
  };
  const user = decodeUserInfo(colon >= 0 ? userInfo.slice(0, colon) : userInfo, 'the user name');
  const passwordText = colon >= 0 ? decodeUserInfo(userInfo.slice(colon + 1), 'the password') : '';
  if (!user) fail(`no user name in ${shown(raw)}; e.g. postgresql://kdt@/kdt?host=/var/run/postgresql`);

  // From here on only what follows the "@" is read, and it may be quoted.
  const match = /^([^/?#]*)([^?#]*)(?:\?([^#]*))?$/.exec(afterScheme.slice(at + 1));
  if (!match) return fail(`not a valid URL: ${shown(raw)}`);
  const [, hostPort = '', path = '', queryText = ''] = match;
  const decode = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return fail(`${what} is not valid percent-encoding in ${shown(raw)}`);
    }
  };
  const query = new URLSearchParams(queryText);
  for (const key of query.keys()) {
    if (!PG_QUERY_KEYS.includes(key)) fail(`unknown URL parameter "${key}" (known: ${PG_QUERY_KEYS.join(', ')})`);
  }

  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort);
  const urlHost = (hostMatch?.[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  const host = query.get('host') ?? (urlHost ? decode(urlHost, 'the host') : DEFAULT_SOCKET_DIR);
  const portText = query.get('port') ?? (hostMatch?.[2] || '5432');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) fail(`port must be 1-65535, got "${portText}"`);

  const sslmode = (query.get('sslmode') ?? 'disable') as SslMode;
  if (!SSL_MODES.includes(sslmode)) fail(`sslmode must be one of ${SSL_MODES.join(', ')}, got "${sslmode}"`);

  const files = tlsFiles({ sslrootcert: query.get('sslrootcert'), sslcert: query.get('sslcert'), sslkey: query.get('sslkey') }, root, fail);

  const database = decode(path.replace(/^\//, ''), 'the database name') || user;
  const password = passwordText ? new Secret(passwordText) : undefined;
  return { driver: 'postgresql', host, socket: host.startsWith('/'), port, user, database, password, sslmode, ...files };
}

/**
 * libpq's certificate keys as absolute paths (sslrootcert may be "system"). sslcert and sslkey go
 * together: one without the other is a client certificate the server can never accept.
 */
export function tlsFiles(
  given: { sslrootcert?: string | null | undefined; sslcert?: string | null | undefined; sslkey?: string | null | undefined },
  root: string,
  fail: (what: string) => never,
): Pick<PostgresTarget, 'sslrootcert' | 'sslcert' | 'sslkey'> {
  const out: Pick<PostgresTarget, 'sslrootcert' | 'sslcert' | 'sslkey'> = {};
  for (const key of ['sslrootcert', 'sslcert', 'sslkey'] as const) {
    const value = given[key];
    if (value === null || value === undefined) continue;
    if (value === '') fail(`${key} is empty: give a file path${key === 'sslrootcert' ? ', or system' : ''}`);
    out[key] = key === 'sslrootcert' && value === 'system' ? 'system' : isAbsolute(value) ? value : resolve(root, value);
  }
  if ((out.sslcert === undefined) !== (out.sslkey === undefined)) fail(`sslcert and sslkey go together: give both, the client certificate and its key`);
  return out;
}

/** The target as a URL an operator can read: the password, if any, masked. */
export function displayTarget(target: DatabaseTarget): string {
  if (target.driver === 'sqlite') return `sqlite:${target.path}`;
  const auth = `${encodeURIComponent(target.user)}${target.password ? `:${target.password}` : ''}`;
  const db = encodeURIComponent(target.database);
  const ssl = [
    target.sslmode === 'disable' ? '' : `sslmode=${target.sslmode}`,
    ...(['sslrootcert', 'sslcert', 'sslkey'] as const).map((k) => (target[k] ? `${k}=${encodeURIComponent(target[k])}` : '')),
  ]
    .filter(Boolean)
    .join('&');
  if (target.socket) {
    const query = [`host=${target.host}`, target.port === 5432 ? '' : `port=${target.port}`, ssl].filter(Boolean).join('&');
    return `postgresql://${auth}@/${db}?${query}`;
  }
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `postgresql://${auth}@${host}:${target.port}/${db}${ssl ? `?${ssl}` : ''}`;
}

/** Where the server is, for messages: the socket file or host:port. */
export function describeEndpoint(target: PostgresTarget): string {
  return target.socket ? `${target.host}/.s.PGSQL.${target.port}` : `${target.host}:${target.port}`;
}
