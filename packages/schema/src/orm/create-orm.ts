import type { SqlMikroORM } from '@mikro-orm/sql';
import type { DatabaseConnection } from 'kysely';
import type { ResolvedConfig } from '../config/load-config.js';
import type { PostgresTarget, SqliteTarget } from '../config/database-url.js';
import { Stuff } from '../entity/stuff.js';
import { tlsOptions } from './tls-options.js';

// Each driver is imported when a profile needs it, never both: a process on PostgreSQL does not
// carry better-sqlite3 and MikroORM's SQLite driver in memory, nor one on SQLite pg's.

export type Orm = SqlMikroORM;

export interface CreateOrmOptions {
  /** SQL statement logging to the console (never parameters, which may hold user data). */
  debug?: boolean;
  /**
   * The longest any statement, or the wait for a connection or a lock, may take. The server
   * cancels a statement past it (PostgreSQL statement_timeout; SQLite's busy timeout), so a caller
   * that gave up waiting never has its write land later. Unset: only the connect timeout applies.
   */
  statementTimeoutMs?: number;
  /**
   * PostgreSQL: the schema the table is read and compared in (the doctor passes the one the
   * role's search_path reaches). Unset: public; the site leaves it unset.
   */
  schema?: string;
}

/** Name the server shows in pg_stat_activity, so an operator can tell our sessions apart. */
export const APPLICATION_NAME = 'kit-db-test';

async function postgresOrm(config: ResolvedConfig, target: PostgresTarget, options: CreateOrmOptions): Promise<Orm> {
  const { MikroORM: PostgresOrm } = await import('@mikro-orm/postgresql');
  const ssl = tlsOptions(target);
  const limit = options.statementTimeoutMs;
  const password = target.password;
  return PostgresOrm.init({
    entities: [Stuff],
    dbName: target.database,
    ...(options.schema ? { schema: options.schema } : {}),
    host: target.host,
    port: target.port,
    user: target.user,
    // A callback, so the revealed password never sits in MikroORM's printable options.
    ...(password ? { password: () => password.reveal() } : {}),
    pool: { min: 0, max: config.poolMax, idleTimeoutMillis: 30_000 },
    driverOptions: {
      // pg applies it to connecting and to waiting for a free pooled connection alike.
      connectionTimeoutMillis: limit === undefined ? config.connectTimeoutMs : Math.min(config.connectTimeoutMs, limit),
      application_name: APPLICATION_NAME,
      ...(limit === undefined ? {} : { statement_timeout: limit, lock_timeout: limit }),
      ...(ssl ? { ssl } : {}),
    },
    // Creating a missing database is the operator's decision (init-database says how), never a side effect.
    ensureDatabase: false,
    debug: options.debug ? ['query'] : false,
  }) as Promise<Orm>;
}

async function sqliteOrm(config: ResolvedConfig, target: SqliteTarget, options: CreateOrmOptions): Promise<Orm> {
  const [{ MikroORM: SqliteOrm }, { prepareSqliteConnection }] = await Promise.all([import('@mikro-orm/sqlite'), import('./sqlite-connection.js')]);
  return SqliteOrm.init({
    entities: [Stuff],
    dbName: target.path,
    // better-sqlite3 waits this long for a lock instead of failing with "database is locked".
    driverOptions: { timeout: options.statementTimeoutMs === undefined ? config.connectTimeoutMs : Math.min(config.connectTimeoutMs, options.statementTimeoutMs) },
    onCreateConnection: (connection: unknown) => prepareSqliteConnection(connection as DatabaseConnection, target.path),
    ensureDatabase: false,
    debug: options.debug ? ['query'] : false,
  }) as Promise<Orm>;
}

/**
 * A MikroORM instance for the configured database, with the Stuff entity. It connects lazily, on
 * the first query: creating one never fails because the database is down.
 */
export function createOrm(config: ResolvedConfig, options: CreateOrmOptions = {}): Promise<Orm> {
  return config.target.driver === 'sqlite'
    ? sqliteOrm(config, config.target, options)
    : postgresOrm(config, config.target, options);
}
