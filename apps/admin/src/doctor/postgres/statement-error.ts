import type { PostgresTarget } from '@kit-db-test/schema';
import type pg from 'pg';
import { fail, type CheckOutcome } from '../types.js';
import { literal, psql, q } from './sql-fix.js';
import { locateTable, qualified, searchPathProblem } from './table-location.js';

/** The fields of an error the server sent (node-postgres' DatabaseError). */
export interface StatementError {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  table?: string;
  column?: string;
  schema?: string;
  constraint?: string;
}

// SQLSTATE classes, in the words of PostgreSQL's appendix A, for errors without a diagnosis of their own.
const CLASSES: Record<string, string> = {
  '08': 'connection exception',
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '25': 'invalid transaction state',
  '28': 'invalid authorization',
  '2B': 'dependent privilege descriptors still exist',
  '3D': 'invalid catalog name',
  '3F': 'invalid schema name',
  '40': 'transaction rollback',
  '42': 'syntax error or access rule violation',
  '53': 'insufficient resources',
  '54': 'program limit exceeded',
  '55': 'object not in prerequisite state',
  '57': 'operator intervention',
  '58': 'system error',
  XX: 'internal error',
};

interface LockHolder {
  pid: number;
  usename: string | null;
  application_name: string | null;
  state: string | null;
  mode: string;
  seconds: number | null;
  query: string | null;
}

/** Sessions holding a lock on the app's table that its INSERT conflicts with, from pg_locks and pg_stat_activity. */
async function lockHolders(session: pg.Client): Promise<LockHolder[]> {
  const { rows } = await session.query<LockHolder>(`
    select a.pid, a.usename, a.application_name, a.state, l.mode,
           extract(epoch from now() - a.xact_start)::int as seconds, left(a.query, 200) as query
      from pg_locks l join pg_stat_activity a on a.pid = l.pid
     where l.granted and l.relation = to_regclass('stuff') and a.pid <> pg_backend_pid()
       and l.mode in ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
     order by a.xact_start`);
  return rows;
}

async function readOnly(session: pg.Client, target: PostgresTarget, said: string[]): Promise<CheckOutcome> {
  const { rows } = await session.query<{ source: string; standby: boolean }>(
    "select source, pg_is_in_recovery() as standby from pg_settings where name = 'default_transaction_read_only'",
  );
  const { source = 'unknown', standby = false } = rows[0] ?? {};
  const db = q(target.database);
  const user = q(target.user);
  if (standby) {
    return fail('the server is a standby (in recovery): it accepts no writes', said, ['point DATABASE_URL at the primary server']);
  }
  const where: Record<string, [string, string]> = {
    database: [`for database ${db} (ALTER DATABASE … SET)`, psql(`ALTER DATABASE ${db} RESET default_transaction_read_only`)],
    user: [`for role ${user} (ALTER ROLE … SET)`, psql(`ALTER ROLE ${user} RESET default_transaction_read_only`)],
    'database user': [`for role ${user} in database ${db} (ALTER ROLE … IN DATABASE … SET)`, psql(`ALTER ROLE ${user} IN DATABASE ${db} RESET default_transaction_read_only`)],
    'configuration file': [
      'in postgresql.conf (or postgresql.auto.conf)',
      `${psql('ALTER SYSTEM SET default_transaction_read_only = off')} -c 'SELECT pg_reload_conf()'`,
    ],
  };
  const [set, fix] = where[source] ?? [`by: ${source}`, 'remove default_transaction_read_only from the connection options (DATABASE_URL)'];
  return fail(`database ${db} is read-only for ${user}: default_transaction_read_only is on`, [...said, `default_transaction_read_only = on, set ${set}`], [fix]);
}

/**
 * A statement of the site's that failed inside a working session, diagnosed by its SQLSTATE as a
 * refused login is: the object it names, what holds it, and a fix that works when applied.
 * `session` must be usable (the failed transaction rolled back).
 */
export async function diagnoseStatementError(
  session: pg.Client,
  target: PostgresTarget,
  error: StatementError,
  limits: { statementMs: number; lockMs: number },
  /** what the statement did, for the summary */
  what = "the site's INSERT into table stuff",
): Promise<CheckOutcome> {
  const code = error.code ?? '';
  const said = [`server: ${error.message}${code ? ` (SQLSTATE ${code})` : ''}`, ...(error.detail ? [`server: DETAIL: ${error.detail}`] : [])];
  const user = q(target.user);
  if (code === '25006') return readOnly(session, target, said);
  if (code === '55P03' || code === '57014') {
    const holders = await lockHolders(session);
    const waited = code === '55P03' ? `waited ${limits.lockMs} ms for a lock (the doctor's lock_timeout)` : `ran past ${limits.statementMs} ms (the doctor's statement_timeout)`;
    if (holders.length === 0) {
      return fail(`${what} ${waited}`, [...said, 'no session holds a conflicting lock on it now'], ['run the doctor again; if it recurs, look for long transactions: SELECT pid, state, xact_start, query FROM pg_stat_activity ORDER BY xact_start']);
    }
    const h = holders[0]!;
    const who = (x: LockHolder) =>
      `process ${x.pid} (role ${x.usename ?? '?'}, application ${x.application_name ? literal(x.application_name) : 'unnamed'}, ${x.state ?? '?'}${x.seconds !== null ? ` for ${x.seconds} s` : ''}) holds ${x.mode} on table stuff${x.query && !x.query.startsWith('<') ? `; its last statement: ${x.query}` : ''}`;
    return fail(`${what} waits on a lock held by process ${h.pid}`, [...said, `it ${waited}`, ...holders.map(who)], [
      `end that transaction (COMMIT or ROLLBACK in the program holding it), or end the session: ${psql(`SELECT pg_terminate_backend(${h.pid})`)}`,
    ]);
  }
  if (code === '42P01' || code === '3F000') {
    const problem = searchPathProblem(target, await locateTable(session));
    if (problem) return { ...problem, evidence: [...said, ...(problem.evidence ?? [])] };
    return fail('table stuff does not exist', said, ['pnpm admin init-database']);
  }
  if (code === '42501') {
    const where = await locateTable(session);
    const table = where.visibleIn ? qualified(where.visibleIn) : q('stuff');
    return fail(`${user} lacks a privilege the site needs: ${error.message}`, said, [psql(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${user}`, target.database)]);
  }
  if (code === '42703') return fail('table stuff is out of date: a column the site writes is missing', said, ['pnpm admin init-database']);
  if (code === '23502' && error.column) {
    const table = error.schema ? `${q(error.schema)}.${q(error.table ?? 'stuff')}` : q(error.table ?? 'stuff');
    return fail(`column ${q(error.column)} of table ${error.table ?? 'stuff'} is NOT NULL, and the site does not write it`, said, [
      `${psql(`ALTER TABLE ${table} ALTER COLUMN ${q(error.column)} DROP NOT NULL`, target.database)} (or give it a DEFAULT)`,
    ]);
  }
  if (code === '53100') return fail('the server\'s disk is full', said, ['free space where the data directory lives (df -h on the server), then run the doctor again']);
  if (code === '40001' || code === '40P01') return fail(`the transaction was rolled back by the server (${code === '40P01' ? 'a deadlock' : 'a serialization failure'})`, said, ['run the doctor again: such a rollback is transient; if it recurs, the server log names the other transaction']);
  const cls = CLASSES[code.slice(0, 2)];
  return fail(`a statement the site runs failed${cls ? ` (${cls})` : ''}: ${error.message}`, said, ['read the server log for this statement (its ERROR and DETAIL lines)']);
}
