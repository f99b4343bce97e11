import { CompiledQuery, type DatabaseConnection } from 'kysely';
import { privatizeEmptyFile } from '../files/private-files.js';

const NO_TRANSACTION = /no transaction is active/i;

/**
 * SQLite rolls a transaction back by itself when a statement fails with SQLITE_FULL, SQLITE_IOERR
 * or SQLITE_NOMEM; the ROLLBACK that the ORM sends next then fails with "cannot rollback - no
 * transaction is active". Kysely (0.29) releases its one SQLite connection only after a ROLLBACK
 * that succeeded, so that one failure left every later query of the process waiting forever.
 * There is nothing left to roll back: answer the ROLLBACK as done.
 */
function tolerateFinishedRollback(connection: DatabaseConnection): void {
  const execute = connection.executeQuery.bind(connection);
  connection.executeQuery = async <R>(query: CompiledQuery) => {
    try {
      return await execute<R>(query);
    } catch (error) {
      if (/^\s*rollback\s*;?\s*$/i.test(query.sql) && NO_TRANSACTION.test((error as Error).message)) return { rows: [] };
      throw error;
    }
  };
}

/**
 * Readies a freshly opened SQLite connection to `path`: the file and the journal files beside it
 * kept private, rollbacks that cannot wedge the connection, and WAL (readers, such as the doctor
 * or a backup, go on while one process writes).
 */
export async function prepareSqliteConnection(connection: DatabaseConnection, path: string): Promise<void> {
  // Before the first statement: setting WAL creates the -wal and -shm files with the file's mode.
  privatizeEmptyFile(path);
  tolerateFinishedRollback(connection);
  await connection.executeQuery(CompiledQuery.raw('pragma journal_mode = wal'));
}
