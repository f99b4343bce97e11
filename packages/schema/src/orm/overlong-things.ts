import { THINGS_MAX_LENGTH } from '../entity/stuff.js';
import type { Orm } from './create-orm.js';

/** Rows whose `things` is longer than THINGS_MAX_LENGTH: they keep the column's limit from being added. */
export interface OverlongThings {
  count: number;
  /** the first few, by id, with their length in characters */
  rows: { id: number; length: number }[];
}

/** How many rows a report names; the count covers the rest. */
const SHOWN = 5;

/**
 * Rows of an existing table `stuff` that the `things` limit would refuse. Both PostgreSQL's and
 * SQLite's length() count characters, as the constraint does.
 */
export async function findOverlongThings(orm: Orm): Promise<OverlongThings> {
  const connection = orm.em.getConnection();
  const where = `where length(things) > ${THINGS_MAX_LENGTH}`;
  const [total] = await connection.execute<{ n: number | string }[]>(`select count(*) as n from stuff ${where}`);
  const count = Number(total?.n ?? 0);
  if (count === 0) return { count, rows: [] };
  const rows = await connection.execute<{ id: number | string; n: number | string }[]>(
    `select id, length(things) as n from stuff ${where} order by id limit ${SHOWN}`,
  );
  return { count, rows: rows.map((r) => ({ id: Number(r.id), length: Number(r.n) })) };
}
