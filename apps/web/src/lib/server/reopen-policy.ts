/**
 * A ROLLBACK that failed after `failure` (or on its own). The driver may keep the connection it ran
 * on checked out for good: Kysely hands a connection back only after a ROLLBACK that succeeded.
 * Its code and message are those of the failure that caused it, so the page names the cause.
 */
export class RollbackFailedError extends Error {
  override readonly name = 'RollbackFailedError';

  constructor(failure: unknown, rollbackError: unknown) {
    const cause = failure ?? rollbackError;
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

// Failures after which SQLite's connection cannot be trusted to work again as it is: a disk that
// was full, an I/O error, a file opened read-only because it was not writable then.
const SQLITE_REOPEN = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/;

/**
 * Whether the process must drop its database connection after `error` (with `code`, as
 * classifyDatabaseError found it) and open a new one for the next request. A timeout alone is not
 * a reason: under load, other requests are still being served on that connection.
 */
export function mustReopen(error: unknown, code: string | undefined, driver: 'sqlite' | 'postgresql'): boolean {
  if (error instanceof RollbackFailedError) return true;
  return driver === 'sqlite' && code !== undefined && SQLITE_REOPEN.test(code);
}
