import type { PostgresTarget } from '@kit-db-test/schema';
import { fail, type CheckOutcome } from '../types.js';
import type { ServerError } from './login.js';
import { literal, psql, q } from './sql-fix.js';

/**
 * Refusals after the password was accepted, when the server opens the session: the database's own
 * settings (ALLOW_CONNECTIONS, CONNECTION LIMIT, CONNECT privilege) or the role's. Null when the
 * error is not one of them.
 */
export function diagnoseSessionStart(target: PostgresTarget, error: ServerError): CheckOutcome | null {
  const db = q(target.database);
  const user = q(target.user);
  const evidence = [`server: ${error.message} (SQLSTATE ${error.code})`, ...(error.detail ? [`server: DETAIL: ${error.detail}`] : [])];
  if (error.code === '3D000') {
    return fail(`database ${db} does not exist`, evidence, [psql(`CREATE DATABASE ${db} OWNER ${user}`)]);
  }
  if (error.code === '55000' && /not currently accepting connections/.test(error.message)) {
    return fail(`database ${db} does not accept connections (ALLOW_CONNECTIONS false)`, [...evidence, 'pg_database.datallowconn is false for it: no role may connect, whatever pg_hba.conf says'], [
      psql(`ALTER DATABASE ${db} ALLOW_CONNECTIONS true`),
    ]);
  }
  if (error.code === '42501' && /permission denied for database/.test(error.message)) {
    return fail(`${user} lacks the CONNECT privilege on database ${db}`, [...evidence, 'CONNECT was revoked (from PUBLIC, which every role gets it through) and not granted to the role'], [
      psql(`GRANT CONNECT ON DATABASE ${db} TO ${user}`),
    ]);
  }
  if (error.code === '53300' && /too many connections for database/.test(error.message)) {
    return fail(`database ${db} has reached its CONNECTION LIMIT`, evidence, [
      psql(`ALTER DATABASE ${db} CONNECTION LIMIT -1`),
      `or a limit above the site's pool size; who holds them: ${psql(`SELECT pid, usename, application_name, state FROM pg_stat_activity WHERE datname = ${literal(target.database)}`)}`,
    ]);
  }
  if (error.code === '53300' && /too many connections for role/.test(error.message)) {
    return fail(`role ${user} has reached its CONNECTION LIMIT`, evidence, [`${psql(`ALTER ROLE ${user} CONNECTION LIMIT -1`)} (or a limit above the site's pool size)`]);
  }
  return null;
}
