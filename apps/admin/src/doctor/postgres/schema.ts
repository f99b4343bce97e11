import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { schemaOutcome } from '../schema-diff.js';
import type { Check } from '../types.js';
import { statementLimits } from './login.js';
import { diagnoseStatementError, type StatementError } from './statement-error.js';
import { locateTable, searchPathProblem } from './table-location.js';

/** The SQLSTATE of an error MikroORM wrapped, if the server sent one. */
function sqlState(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; sqlState?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.sqlState === 'string') return e.sqlState;
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

export const schemaCheck: Check<DoctorContext> = {
  id: 'pg.schema',
  title: 'Schema matches the entity',
  needs: ['pg.database'],
  async run(context) {
    const target = context.config.target as PostgresTarget;
    const session = context.session;
    // Compared where the site looks: with the table outside its search_path, "create it" would be wrong.
    const where = session ? await locateTable(session) : null;
    const problem = where ? searchPathProblem(target, where) : null;
    if (problem) return problem;
    try {
      return await schemaOutcome(context.config, undefined, { statementTimeoutMs: context.timeoutMs, ...(where?.visibleIn || where?.currentSchema ? { schema: (where.visibleIn ?? where.currentSchema)! } : {}) });
    } catch (error) {
      const code = sqlState(error);
      if (!session || (code !== '55P03' && code !== '57014')) throw error;
      return diagnoseStatementError(session, target, { ...(error as StatementError), code, message: (error as Error).message }, statementLimits(context.timeoutMs), 'reading the definition of table stuff');
    }
  },
};
