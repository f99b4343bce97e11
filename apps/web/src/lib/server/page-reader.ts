import type { Orm } from '@kit-db-test/schema';

/** One page of rows as the database returns them, with the table's total on every row. */
export interface RawRow {
  id: number;
  stuff: string;
  things: string;
  created_at: string | Date | null;
  total: number | string;
}

export type PageReader = (limit: number, offset: number) => Promise<RawRow[]>;

// The one statement of every page view. It goes to the driver under the ORM (the same pool, the same
// connection settings and statement timeout) instead of through the ORM's query layer: measured
// with pnpm bench, that layer cost as much CPU per view as the driver itself, and on PostgreSQL a
// named statement is parsed and planned once per connection instead of on every view.
const SELECT = 'select id, stuff, things, created_at, (select count(*) from stuff) as total from stuff order by id desc';
const PG_STATEMENT = { name: 'kit-db-test page', text: `${SELECT} limit $1 offset $2` };
const SQLITE_STATEMENT = `${SELECT} limit ? offset ?`;

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: RawRow[] }>;
}
interface SqliteDatabase {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
}

const readers = new WeakMap<Orm, Promise<PageReader>>();

async function makeReader(orm: Orm): Promise<PageReader> {
  // MikroORM's documented handle on the driver: pg's Pool, or the better-sqlite3 Database.
  const native = (await orm.em.getConnection().getNativeClient()) as PgPool | SqliteDatabase;
  if ('prepare' in native) {
    const statement = native.prepare(SQLITE_STATEMENT);
    return async (limit, offset) => statement.all(limit, offset) as RawRow[];
  }
  return async (limit, offset) => (await native.query({ ...PG_STATEMENT, values: [limit, offset] })).rows;
}

/** The page reader of this ORM, made once (a failure, e.g. a SQLite file not there yet, is not kept). */
export function pageReader(orm: Orm): Promise<PageReader> {
  let reader = readers.get(orm);
  if (!reader) {
    reader = makeReader(orm);
    readers.set(orm, reader);
    reader.catch(() => readers.delete(orm));
  }
  return reader;
}
