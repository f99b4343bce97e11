import type { PostgresTarget } from '@kit-db-test/schema';
import type pg from 'pg';
import { fail, type CheckOutcome } from '../types.js';
import { psql, q } from './sql-fix.js';

/** Where the site's unqualified `stuff` resolves, as the server's search_path decides for the app's role. */
export interface TableLocation {
  searchPath: string;
  /** pg_settings.source of search_path: default, user, database, database user, client, configuration file */
  source: string;
  /** where CREATE TABLE stuff would go: the first schema of the path that exists (null: none) */
  currentSchema: string | null;
  /** the schema of the table the site's statements reach, null when none is on the path */
  visibleIn: string | null;
  /** every schema holding a table named stuff */
  everywhere: string[];
}

export async function locateTable(session: pg.Client): Promise<TableLocation> {
  const { rows } = await session.query<{ search_path: string; source: string; current_schema: string | null; visible_in: string | null; everywhere: string[] }>(`
    select current_setting('search_path') as search_path,
           (select source from pg_settings where name = 'search_path') as source,
           current_schema() as current_schema,
           (select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = to_regclass('stuff')) as visible_in,
           array(select n.nspname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
                  where c.relname = 'stuff' and c.relkind in ('r', 'p') order by 1) as everywhere`);
  const r = rows[0]!;
  return { searchPath: r.search_path, source: r.source, currentSchema: r.current_schema, visibleIn: r.visible_in, everywhere: r.everywhere };
}

/** `schema.stuff`, quoted, for statements run outside the app's search_path (as postgres). */
export function qualified(schema: string): string {
  return `${q(schema)}.${q('stuff')}`;
}

/**
 * The app's statements cannot reach its table, or cannot create one: the table lives in a schema
 * the role's search_path leaves out, or no schema of the path exists. Creating the table
 * (init-database) would then put an empty one beside the real one, so the fix is the path.
 */
export function searchPathProblem(target: PostgresTarget, where: TableLocation): CheckOutcome | null {
  const setPath = (schema: string) => psql(`ALTER ROLE ${q(target.user)} IN DATABASE ${q(target.database)} SET search_path = ${q(schema)}`);
  const path = `search_path = ${where.searchPath} (${where.source === 'default' ? 'the server default' : `set by: ${where.source}`})`;
  if (where.visibleIn === null && where.everywhere.length > 0) {
    const schema = where.everywhere.includes('public') ? 'public' : where.everywhere[0]!;
    return fail(`table stuff is in schema ${q(schema)}, which the search_path of ${q(target.user)} does not contain`, [
      path,
      `tables named stuff: ${where.everywhere.map((s) => qualified(s)).join(', ')}`,
      'the site names the table without a schema; pnpm admin init-database would create an empty one in the first schema of the path',
    ], [`${setPath(schema)} (then restart the site: sessions read it when they start)`]);
  }
  if (where.currentSchema === null) {
    return fail(`no schema of the search_path of ${q(target.user)} exists: the table stuff cannot be created or found`, [path], [setPath('public')]);
  }
  return null;
}
