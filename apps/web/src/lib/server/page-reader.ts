import type { Orm } from '@kit-db-test/schema';
import { offsetSql, pageSql, type Cursor, type SqlDialect } from './page-sql.js';
import type { TableSummary } from './pagination.js';

/** One row as the database returns it. */
export interface RawRow {
  id: number;
  stuff: string;
  things: string;
  created_at: string | Date | null;
}

/** A page of rows (newest first) and what the page needs to know of the whole table. */
export interface PageRead {
  rows: RawRow[];
  summary: TableSummary;
}

export interface PageReader {
  read(cursor: Cursor): Promise<PageRead>;
  /** the id of the row `offset` rows below the newest, or null past the end */
  idAtOffset(offset: number): Promise<number | null>;
}

/**
 * How the page's statements reach PostgreSQL. `named`: each is parsed and planned once per
 * connection (a protocol-level named prepared statement), the fastest on a direct connection.
 * `unnamed`: parsed on every execution, as a transaction pooler needs (PgBouncer before 1.21
 * keeps no named statement across transactions, so a second execution on another server
 * connection fails). SQLite statements are always prepared once: there is no pooler between.
 */
export interface PageReaderOptions {
  statements: 'named' | 'unnamed';
}

/** A direct connection to the database. */
export const DIRECT: PageReaderOptions = { statements: 'named' };

interface PageRow extends Omit<RawRow, 'id'> {
  id: number | null;
  newest: number | string | null;
  oldest: number | string | null;
  estimate: number | string | null;
  bounded: number | string | null;
}

interface PgPool {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
interface SqliteStatement {
  all(...params: unknown[]): unknown[];
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

const CURSORS: Cursor['kind'][] = ['newest', 'before', 'after'];

// PostgreSQL returns bigint (count, the estimate) as text.
const numberOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

function pageRead(result: PageRow[]): PageRead {
  const head = result[0];
  const summary: TableSummary = head
    ? { newest: numberOrNull(head.newest), oldest: numberOrNull(head.oldest), estimate: numberOrNull(head.estimate), bounded: numberOrNull(head.bounded) }
    : { newest: null, oldest: null, estimate: null, bounded: null };
  const rows: RawRow[] = [];
  for (const r of result) if (r.id !== null) rows.push({ id: Number(r.id), stuff: r.stuff, things: r.things, created_at: r.created_at });
  return { rows, summary };
}

type Run = (kind: Cursor['kind'] | 'offset', values: unknown[]) => Promise<unknown[]>;

function sqliteRun(db: SqliteDatabase): Run {
  const dialect: SqlDialect = 'sqlite';
  const statements = new Map<string, SqliteStatement>([...CURSORS.map((kind) => [kind, db.prepare(pageSql(dialect, kind))] as const), ['offset', db.prepare(offsetSql(dialect))]]);
  return async (kind, values) => statements.get(kind)!.all(...values);
}

function pgRun(pool: PgPool, options: PageReaderOptions): Run {
  const dialect: SqlDialect = 'postgresql';
  const texts = new Map<string, string>([...CURSORS.map((kind) => [kind, pageSql(dialect, kind)] as const), ['offset', offsetSql(dialect)]]);
  const named = options.statements === 'named';
  return async (kind, values) => {
    const text = texts.get(kind)!;
    return (await pool.query(named ? { name: `kit-db-test page ${kind}`, text, values } : { text, values })).rows;
  };
}

async function makeReader(orm: Orm, options: PageReaderOptions): Promise<PageReader> {
  // MikroORM's documented handle on the driver: pg's Pool, or the better-sqlite3 Database. The
  // page's statements go to it directly (the same pool, connection settings and statement
  // timeout): measured with pnpm bench, the ORM's query layer cost as much CPU per view as the
  // driver itself.
  const native = (await orm.em.getConnection().getNativeClient()) as PgPool | SqliteDatabase;
  const run = 'prepare' in native ? sqliteRun(native) : pgRun(native, options);
  return {
    read: async (cursor) => pageRead((await run(cursor.kind, cursor.kind === 'newest' ? [] : [cursor.id])) as PageRow[]),
    idAtOffset: async (offset) => {
      const [row] = (await run('offset', [offset])) as { id: number | string }[];
      return row ? Number(row.id) : null;
    },
  };
}

const readers = new WeakMap<Orm, Map<string, Promise<PageReader>>>();

/** The page reader of this ORM with these options, made once (a failure, e.g. a SQLite file not there yet, is not kept). */
export function pageReader(orm: Orm, options: PageReaderOptions = DIRECT): Promise<PageReader> {
  let byOptions = readers.get(orm);
  if (!byOptions) readers.set(orm, (byOptions = new Map()));
  const key = options.statements;
  let reader = byOptions.get(key);
  if (!reader) {
    reader = makeReader(orm, options);
    byOptions.set(key, reader);
    reader.catch(() => byOptions.delete(key));
  }
  return reader;
}
