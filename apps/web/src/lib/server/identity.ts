import { userInfo } from 'node:os';
import type { Orm, ResolvedConfig } from '@kit-db-test/schema';
import { rememberSuccess } from './recent-success.js';

/** Who answered, as the database itself reports it: an operator on the wrong database sees it at once. */
export interface DbIdentity {
  driver: 'postgresql' | 'sqlite';
  profile: string;
  serverVersion: string;
  database: string;
  user: string;
  /** "unix socket /path/.s.PGSQL.5432", "127.0.0.1:5432", or the SQLite file */
  endpoint: string;
  /** null where it does not apply (SQLite) */
  ssl: boolean | null;
  /** the TLS protocol (e.g. TLSv1.3) when encrypted */
  sslVersion: string | null;
  /** what the client checked of the server's certificate: "name and chain", "chain", "nothing"; null when not encrypted */
  certificateVerified: 'name and chain' | 'chain' | 'nothing' | null;
  /** SQLite only */
  journalMode: string | null;
}

interface PgIdentityRow {
  server_version: string;
  user: string;
  database: string;
  addr: string | null;
  port: number | null;
  ssl: boolean | null;
  ssl_version: string | null;
}

/** What a connection that succeeded has verified: the client refuses one that fails the check its sslmode asks. */
function verifiedBy(target: Extract<ResolvedConfig['target'], { driver: 'postgresql' }>): DbIdentity['certificateVerified'] {
  if (target.sslmode === 'verify-full') return 'name and chain';
  if (target.sslmode === 'verify-ca' || (target.sslmode === 'require' && target.sslrootcert && target.sslrootcert !== 'system')) return 'chain';
  return 'nothing';
}

/** Asks the database who it is; one round trip on PostgreSQL, two pragmas on SQLite. */
export async function identify(orm: Orm, config: ResolvedConfig): Promise<DbIdentity> {
  const connection = orm.em.getConnection();
  const target = config.target;
  if (target.driver === 'sqlite') {
    const [version] = await connection.execute<{ v: string }[]>('select sqlite_version() as v');
    const [journal] = await connection.execute<{ journal_mode: string }[]>('pragma journal_mode');
    return {
      driver: 'sqlite',
      profile: config.profile.name,
      serverVersion: `SQLite ${version?.v ?? '?'}`,
      database: target.path,
      // SQLite has no users: the process's OS user is who reads and writes the file.
      user: userInfo().username,
      endpoint: target.path,
      ssl: null,
      sslVersion: null,
      certificateVerified: null,
      journalMode: journal?.journal_mode ?? null,
    };
  }
  const [row] = await connection.execute<PgIdentityRow[]>(
    `select current_setting('server_version') as server_version, current_user as "user", current_database() as database,
            inet_server_addr()::text as addr, inet_server_port() as port,
            (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as ssl,
            (select version from pg_stat_ssl where pid = pg_backend_pid()) as ssl_version`,
  );
  if (!row) throw new Error('the identity query returned no row');
  // inet_server_addr() is null over a unix socket.
  const endpoint =
    row.addr === null ? `unix socket ${target.host}/.s.PGSQL.${target.port}` : `${row.addr.replace(/\/\d+$/, '')}:${row.port}`;
  return {
    driver: 'postgresql',
    profile: config.profile.name,
    serverVersion: `PostgreSQL ${row.server_version}`,
    database: row.database,
    user: row.user,
    endpoint,
    ssl: row.ssl ?? false,
    sslVersion: row.ssl ? row.ssl_version : null,
    certificateVerified: row.ssl ? verifiedBy(target) : null,
    journalMode: null,
  };
}

/** Who the database is does not change while the process runs on one configuration: ask it again every few seconds, not on every page. */
const IDENTITY_TTL_MS = 5000;

/** identify(), answered from memory for a few seconds; a failure is never remembered. */
export const cachedIdentity = rememberSuccess(IDENTITY_TTL_MS, (db: { orm: Orm; config: ResolvedConfig }) => identify(db.orm, db.config));
