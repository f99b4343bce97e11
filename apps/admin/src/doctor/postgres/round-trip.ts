import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { fail, pass, type Check } from '../types.js';
import { statementLimits } from './login.js';
import { diagnoseStatementError, type StatementError } from './statement-error.js';

/** Writes a row and reads it back inside a transaction that is rolled back: the table is left as it was. */
export const roundTripCheck: Check<DoctorContext> = {
  id: 'pg.roundtrip',
  title: 'Write-read round trip',
  needs: ['pg.privileges', 'pg.schema'],
  async run(context) {
    const session = context.session!;
    const limits = statementLimits(context.timeoutMs);
    const start = performance.now();
    let failure: StatementError | null = null;
    await session.query('begin');
    try {
      // The INSERT takes a lock another session may hold: the doctor's own bounds, whatever the role's.
      await session.query(`set local statement_timeout = ${limits.statementMs}; set local lock_timeout = ${limits.lockMs}`);
      const inserted = await session.query<{ id: number }>("insert into stuff (stuff, things) values ('kit-db-test doctor', 'rolled back') returning id");
      const id = inserted.rows[0]!.id;
      const back = await session.query<{ stuff: string }>('select stuff from stuff where id = $1', [id]);
      if (back.rows[0]?.stuff !== 'kit-db-test doctor') return fail('the row written could not be read back', [`row ${id}`]);
    } catch (error) {
      failure = error as StatementError;
    } finally {
      await session.query('rollback').catch(() => undefined);
    }
    if (failure) return diagnoseStatementError(session, context.config.target as PostgresTarget, failure, limits);
    return pass(`wrote and read back a row in ${Math.round((performance.now() - start) * 10) / 10} ms (rolled back)`);
  },
};
