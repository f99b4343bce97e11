import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { fail, pass, type Check } from '../types.js';
import { diagnoseSessionStart } from './session-start.js';
import { q } from './sql-fix.js';

export const databaseCheck: Check<DoctorContext> = {
  id: 'pg.database',
  title: 'Database exists',
  needs: ['pg.auth'],
  async run(context) {
    const target = context.config.target as PostgresTarget;
    if (!context.session) {
      const error = context.login && 'serverError' in context.login ? context.login.serverError : undefined;
      const diagnosis = error ? diagnoseSessionStart(target, error) : null;
      return diagnosis ?? fail(`the session could not start${error ? `: ${error.message}` : ''}`, error ? [`server: ${error.message} (SQLSTATE ${error.code})`] : []);
    }
    const { rows } = await context.session.query<{ owner: string; encoding: string }>(
      'select pg_get_userbyid(datdba) as owner, pg_encoding_to_char(encoding) as encoding from pg_database where datname = current_database()',
    );
    return pass(`database ${q(target.database)} (owner ${rows[0]?.owner}, ${rows[0]?.encoding})`);
  },
};
