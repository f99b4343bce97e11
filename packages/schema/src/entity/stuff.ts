import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Longest `stuff` value the column accepts; the site's form and validation use the same bound. */
export const STUFF_MAX_LENGTH = 255;

/**
 * Longest `things` value, in characters (code points, as PostgreSQL's and SQLite's length() count
 * them): a page of text, and a bound on what one anonymous post can store.
 */
export const THINGS_MAX_LENGTH = 4000;

/**
 * The column bound on `things`, as a CHECK constraint rather than varchar(n): SQLite enforces no
 * varchar length, and PostgreSQL's `alter column … type varchar(n) using (…::varchar(n))` (what
 * the schema diff emits) silently cuts longer rows, where adding a CHECK refuses them.
 */
export const THINGS_LENGTH_CHECK = `length(things) <= ${THINGS_MAX_LENGTH}`;

/**
 * One row of the `stuff` table. `createdAt` is set by the database on insert (a column default),
 * so rows written by any client, psql included, carry it. It stays nullable so that a table from
 * the old tool (without the column) can gain it in place: SQLite cannot add a NOT NULL column whose
 * default is not a constant, and its rows predate any timestamp.
 */
export const Stuff = defineEntity({
  name: 'Stuff',
  tableName: 'stuff',
  properties: {
    id: p.integer().primary().autoincrement(),
    stuff: p.string().length(STUFF_MAX_LENGTH),
    things: p.text().check(THINGS_LENGTH_CHECK),
    createdAt: p.datetime().fieldName('created_at').defaultRaw('current_timestamp').nullable(),
  },
});

export type StuffRow = InferEntity<typeof Stuff>;
