import { EXACT_TOTAL_BELOW, PAGE_SIZE } from './pagination.js';

/** Which rows a page read fetches: the newest, those older than an id, or those newer than an id. */
export type Cursor = { kind: 'newest' } | { kind: 'before'; id: number } | { kind: 'after'; id: number };

export type SqlDialect = 'postgresql' | 'sqlite';

// The planner's own row estimate (what EXPLAIN shows for a scan of the table): the tuple density
// of the last VACUUM or ANALYZE times the table's size now, so it follows inserts made since.
// Null before the first ANALYZE, when there is no density to scale.
const PG_ESTIMATE = `(select case when c.reltuples >= 0 and c.relpages > 0
  then (c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::bigint))::bigint end
  from pg_class c where c.oid = 'stuff'::regclass)`;

/**
 * The one statement of a page view: the page of rows (newest first) with, on every row, the table's
 * id range, the estimate and, only while the id range or the estimate says the table is small, a
 * count of at most EXACT_TOTAL_BELOW rows. Every part is an index lookup or bounded, so its cost
 * does not grow with the table; a page without rows still returns one row (its columns null).
 * `$1` / `?` is the cursor's id.
 */
export function pageSql(dialect: SqlDialect, cursor: Cursor['kind']): string {
  const param = dialect === 'postgresql' ? '$1' : '?';
  const where = cursor === 'before' ? `where id < ${param}` : cursor === 'after' ? `where id > ${param}` : '';
  // Newer rows are the ones just above the cursor: read upwards, shown newest first.
  const direction = cursor === 'after' ? 'asc' : 'desc';
  const estimate = dialect === 'postgresql' ? PG_ESTIMATE : 'null';
  const small = `coalesce(b.newest${dialect === 'postgresql' ? '::bigint' : ''} - b.oldest, 0) < ${EXACT_TOTAL_BELOW}`;
  return `select s.newest, s.oldest, s.estimate, s.bounded, p.id, p.stuff, p.things, p.created_at
from (select b.newest, b.oldest, b.estimate,
    case when ${small} or b.estimate < ${EXACT_TOTAL_BELOW}
      then (select count(*) from (select 1 from stuff limit ${EXACT_TOTAL_BELOW}) c) end as bounded
  from (select (select max(id) from stuff) as newest, (select min(id) from stuff) as oldest, ${estimate} as estimate) b) s
left join ${dialect === 'postgresql' ? 'lateral ' : ''}(select id, stuff, things, created_at from stuff ${where} order by id ${direction} limit ${PAGE_SIZE}) p on true
order by p.id desc`;
}

/** The id of the row `$1` / `?` rows below the newest: where an old `?page=N` link's page starts. */
export function offsetSql(dialect: SqlDialect): string {
  return `select id from stuff order by id desc limit 1 offset ${dialect === 'postgresql' ? '$1' : '?'}`;
}
