import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { fail, pass, type Check } from '../types.js';
import { psql, q } from './sql-fix.js';
import { locateTable, qualified, searchPathProblem } from './table-location.js';

interface TablePrivileges {
  can_select: boolean;
  can_insert: boolean;
  can_update: boolean;
  can_delete: boolean;
  can_use_sequence: boolean | null;
  sequence: string | null;
}

/**
 * Can the role create, read and write table stuff where the site's statements look for it (its
 * search_path)? Asked of the server's own privilege functions, without changing anything.
 */
export const privilegesCheck: Check<DoctorContext> = {
  id: 'pg.privileges',
  title: 'Privileges',
  needs: ['pg.database'],
  async run(context) {
    const target = context.config.target as PostgresTarget;
    const session = context.session!;
    const where = await locateTable(session);
    const problem = searchPathProblem(target, where);
    if (problem) return problem;
    const user = q(target.user);
    const db = q(target.database);
    if (where.visibleIn !== null) {
      const table = qualified(where.visibleIn);
      const { rows } = await session.query<TablePrivileges>(
        `select has_table_privilege($1, 'SELECT') as can_select, has_table_privilege($1, 'INSERT') as can_insert,
                has_table_privilege($1, 'UPDATE') as can_update, has_table_privilege($1, 'DELETE') as can_delete,
                pg_get_serial_sequence($1, 'id') as sequence,
                case when pg_get_serial_sequence($1, 'id') is null then null
                     else has_sequence_privilege(pg_get_serial_sequence($1, 'id'), 'USAGE') end as can_use_sequence`,
        [table],
      );
      const p = rows[0]!;
      const missing = (['select', 'insert', 'update', 'delete'] as const).filter((k) => !p[`can_${k}`]).map((k) => k.toUpperCase());
      if (p.can_use_sequence === false) missing.push('USAGE on the id sequence');
      const name = where.visibleIn === 'public' ? 'table stuff' : `table ${table}`;
      if (missing.length === 0) return pass(`${user} may read and write ${name}`);
      const grantSequence = p.sequence ? `; GRANT USAGE ON SEQUENCE ${p.sequence} TO ${user}` : '';
      return fail(`${user} lacks ${missing.join(', ')} on ${name}`, [], [psql(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${user}${grantSequence}`, target.database)]);
    }
    const schema = where.currentSchema!;
    const { rows } = await session.query<{ version: number; can_create: boolean }>(
      `select current_setting('server_version_num')::int as version, has_schema_privilege($1, 'CREATE') as can_create`,
      [schema],
    );
    const p = rows[0]!;
    if (p.can_create) return pass(`${user} may create table stuff in schema ${schema} (it does not exist yet)`);
    const evidence = [`${user} has no CREATE privilege on schema ${schema} of ${db}, whose owner is not ${user}`];
    if (p.version >= 150_000 && schema === 'public') {
      evidence.push('since PostgreSQL 15, schema public no longer lets every role create in it: only the database owner, or roles granted CREATE');
    }
    return fail(`${user} may not create table stuff in schema ${schema}`, evidence, [
      `make the app's role own its database: ${psql(`ALTER DATABASE ${db} OWNER TO ${user}`)}`,
      `or grant it: ${psql(`GRANT CREATE ON SCHEMA ${q(schema)} TO ${user}`, target.database)}`,
    ]);
  },
};
