import { createOrm, type CreateOrmOptions, type ResolvedConfig } from '@kit-db-test/schema';
import { meaningfulStatements } from '../database/schema-sql.js';
import { fail, pass, type CheckOutcome } from './types.js';

/**
 * Does table stuff match the entity? The comparison init-database makes, reported instead of run;
 * `detail` adds to the summary (e.g. SQLite's journal mode).
 */
export async function schemaOutcome(
  config: ResolvedConfig,
  detail: (orm: Awaited<ReturnType<typeof createOrm>>) => Promise<string> = async () => '',
  options: CreateOrmOptions = {},
): Promise<CheckOutcome> {
  const orm = await createOrm(config, options);
  try {
    const statements = meaningfulStatements(await orm.schema.getUpdateSchemaSQL({ safe: true, dropTables: false }));
    const extra = await detail(orm);
    if (statements.length === 0) return pass(`table stuff has every column of the entity${extra}`);
    const missingTable = statements.some((s) => /^create table\s+["`]stuff["`]/i.test(s));
    return fail(
      missingTable ? 'table stuff does not exist' : 'table stuff differs from the entity',
      statements.map((s) => `would run: ${s};`),
      ['pnpm admin init-database'],
    );
  } finally {
    await orm.close();
  }
}
