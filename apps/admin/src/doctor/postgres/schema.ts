import { createOrm } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { meaningfulStatements } from '../../database/schema-sql.js';
import { fail, pass, type Check } from '../types.js';

/** Does the table match the entity? The same comparison init-database makes, reported instead of run. */
export const schemaCheck: Check<DoctorContext> = {
  id: 'pg.schema',
  title: 'Schema matches the entity',
  needs: ['pg.database'],
  async run(context) {
    const orm = await createOrm(context.config);
    try {
      const statements = meaningfulStatements(await orm.schema.getUpdateSchemaSQL({ safe: true, dropTables: false }));
      if (statements.length === 0) return pass('table stuff has every column of the entity');
      const missingTable = statements.some((s) => /^create table\s+"stuff"/i.test(s));
      return fail(
        missingTable ? 'table stuff does not exist' : 'table stuff differs from the entity',
        statements.map((s) => `would run: ${s};`),
        ['pnpm admin init-database'],
      );
    } finally {
      await orm.close();
    }
  },
};
