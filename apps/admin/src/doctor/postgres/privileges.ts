import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { fail, pass, type Check } from '../types.js';

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface PrivilegeRow {
  version: number;
  table_exists: boolean;
  can_create: boolean;
  owns_db: boolean;
  can_select: boolean | null;
  can_insert: boolean | null;
  can_update: boolean | null;
  can_delete: boolean | null;
  can_use_sequence: boolean | null;
}

/**
 * Can the role create, read and write table stuff? Asked of the server's own privilege functions,
 * without changing anything.
 */
export const privilegesCheck: Check<DoctorContext> = {
  id: 'pg.privileges',
  title: 'Privileges',
  needs: ['pg.database'],
  async run(context) {
    const target = context.config.target as PostgresTarget;
    const session = context.session!;
    const { rows: base } = await session.query<Pick<PrivilegeRow, 'version' | 'table_exists' | 'can_create' | 'owns_db'>>(`
      select current_setting('server_version_num')::int as version,
             to_regclass('public.stuff') is not null as table_exists,
             has_schema_privilege('public', 'CREATE') as can_create,
             pg_get_userbyid(d.datdba) = current_user as owns_db
        from pg_database d where d.datname = current_database()`);
    // Asked only once the table is known to exist: the functions fail on a missing relation.
    const { rows: table } = base[0]!.table_exists
      ? await session.query<Omit<PrivilegeRow, 'version' | 'table_exists' | 'can_create' | 'owns_db'>>(`
          select has_table_privilege('public.stuff', 'SELECT') as can_select, has_table_privilege('public.stuff', 'INSERT') as can_insert,
                 has_table_privilege('public.stuff', 'UPDATE') as can_update, has_table_privilege('public.stuff', 'DELETE') as can_delete,
                 case when pg_get_serial_sequence('public.stuff', 'id') is null then null
                      else has_sequence_privilege(pg_get_serial_sequence('public.stuff', 'id'), 'USAGE') end as can_use_sequence`)
      : { rows: [{ can_select: null, can_insert: null, can_update: null, can_delete: null, can_use_sequence: null }] };
    const rows: PrivilegeRow[] = [{ ...base[0]!, ...table[0]! }];
    const p = rows[0]!;
    const user = q(target.user);
    const db = q(target.database);
    if (p.table_exists) {
      const missing = (['select', 'insert', 'update', 'delete'] as const).filter((k) => p[`can_${k}`] === false).map((k) => k.toUpperCase());
      if (p.can_use_sequence === false) missing.push('USAGE on the id sequence');
      if (missing.length === 0) return pass(`${user} may read and write table stuff`);
      return fail(`${user} lacks ${missing.join(', ')} on table stuff`, [], [
        `sudo -u postgres psql -d ${db} -c 'GRANT SELECT, INSERT, UPDATE, DELETE ON stuff TO ${user}; GRANT USAGE ON SEQUENCE stuff_id_seq TO ${user}'`,
      ]);
    }
    if (p.can_create) return pass(`${user} may create table stuff in schema public (it does not exist yet)`);
    const evidence = [`${user} has no CREATE privilege on schema public of ${db}, whose owner is not ${user}`];
    if (p.version >= 150_000) {
      evidence.push('since PostgreSQL 15, schema public no longer lets every role create in it: only the database owner, or roles granted CREATE');
    }
    return fail(`${user} may not create table stuff in schema public`, evidence, [
      `make the app's role own its database: sudo -u postgres psql -c 'ALTER DATABASE ${db} OWNER TO ${user}'`,
      `or grant it: sudo -u postgres psql -d ${db} -c 'GRANT CREATE ON SCHEMA public TO ${user}'`,
    ]);
  },
};
