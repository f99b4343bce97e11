import type { Orm } from './create-orm.js';

/** Runs DDL statements of a migration, all or nothing. */
export type RunStatements = (statements: string[]) => Promise<void>;

export interface SchemaLockOptions {
  /** Called once when another migration holds the lock, before waiting for it. */
  onWait?: () => void;
}

/**
 * The advisory lock key every kit-db-test migration takes: the bytes of "kdt-init". Advisory
 * locks are per database, so two applications sharing a server only meet if they share a database.
 */
const PG_LOCK_KEY = '7738135653614234996';

interface PgClient {
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
  release(destroy?: boolean | Error): void;
}
interface PgPool {
  connect(): Promise<PgClient>;
}
interface SqliteDatabase {
  exec(sql: string): unknown;
  pragma(sql: string, options?: { simple: boolean }): unknown;
  readonly inTransaction: boolean;
}

async function withAdvisoryLock<T>(orm: Orm, pool: PgPool, work: (run: RunStatements) => Promise<T>, options: SchemaLockOptions): Promise<T> {
  // The lock lives on a session of its own, held while the schema is read and changed on others
  // (MikroORM's introspection takes whichever pooled connection it likes). The session's end
  // releases it too, so a migration that dies cannot leave it held.
  const session = await pool.connect();
  try {
    const tried = await session.query(`select pg_try_advisory_lock(${PG_LOCK_KEY}) as locked`);
    if (tried.rows[0]?.locked !== true) {
      options.onWait?.();
      await session.query(`select pg_advisory_lock(${PG_LOCK_KEY})`);
    }
    return await work((statements) =>
      orm.em.transactional(async (em) => {
        for (const statement of statements) await em.getConnection().execute(statement, [], 'run', em.getTransactionContext());
      }),
    );
  } finally {
    // A session that cannot unlock is ended instead, which releases the lock as well.
    await session.query(`select pg_advisory_unlock(${PG_LOCK_KEY})`).then(
      () => session.release(),
      (error: unknown) => session.release(error instanceof Error ? error : true),
    );
  }
}

/** How long a migration waits for the others on the same SQLite file before it says the file stayed locked. */
const MIGRATION_WAIT_MS = 60_000;

function isBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
}

async function withImmediateTransaction<T>(db: SqliteDatabase, work: (run: RunStatements) => Promise<T>, options: SchemaLockOptions): Promise<T> {
  // BEGIN IMMEDIATE takes SQLite's write lock before the schema is read, so a second migration
  // waits (busy timeout) instead of planning from a schema that is about to change. A deferred
  // transaction would read first and then fail to upgrade, or plan a table that already exists.
  const busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
  const restore = () => db.pragma(`busy_timeout = ${busyTimeout}`);
  db.pragma('busy_timeout = 0');
  try {
    db.exec('begin immediate');
    restore();
  } catch (error) {
    restore();
    if (!isBusy(error)) throw error;
    options.onWait?.();
    // Each wait is the connection's busy timeout; other migrations may queue ahead of this one
    // (each one's turn is short, the queue is not), so wait through several before giving up.
    const deadline = performance.now() + MIGRATION_WAIT_MS;
    for (;;) {
      try {
        db.exec('begin immediate');
        break;
      } catch (retry) {
        if (!isBusy(retry) || performance.now() > deadline) throw retry;
      }
    }
  }
  try {
    const result = await work(async (statements) => {
      for (const statement of statements) db.exec(statement);
    });
    db.exec('commit');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('rollback');
    throw error;
  }
}

/**
 * Runs `work` (read the schema, plan, change it) while no other migration of this database runs:
 * a PostgreSQL advisory lock, or SQLite's write lock (BEGIN IMMEDIATE). A second caller waits for
 * the first to finish and then finds the schema as the first left it. `run` executes statements
 * atomically: in a transaction of their own on PostgreSQL, in the locked transaction on SQLite
 * (committed when `work` returns, rolled back when it throws).
 */
export async function withSchemaLock<T>(orm: Orm, work: (run: RunStatements) => Promise<T>, options: SchemaLockOptions = {}): Promise<T> {
  // MikroORM's documented handle on the driver: pg's Pool, or the better-sqlite3 Database.
  const native = (await orm.em.getConnection().getNativeClient()) as PgPool | SqliteDatabase;
  return 'exec' in native ? withImmediateTransaction(native, work, options) : withAdvisoryLock(orm, native, work, options);
}
