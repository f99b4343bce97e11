import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Longest `stuff` value the column accepts; the site's form and validation use the same bound. */
export const STUFF_MAX_LENGTH = 255;

/** Length of a submission key: a SHA-256 digest in hex. */
export const SUBMISSION_KEY_LENGTH = 64;

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
 *
 * `submissionKey` names the form submission that stored the row, so that posting the same form
 * again (a retry after "may have been saved", a double click) finds the row instead of storing a
 * second one. Nullable: rows from before it, and posts without a token, have none (a unique index
 * allows any number of NULLs on both drivers), and adding it to a table with rows rewrites nothing.
 */
export const Stuff = defineEntity({
  name: 'Stuff',
  tableName: 'stuff',
  properties: {
    id: p.integer().primary().autoincrement(),
    stuff: p.string().length(STUFF_MAX_LENGTH),
    things: p.text().check(THINGS_LENGTH_CHECK),
    createdAt: p.datetime().fieldName('created_at').defaultRaw('current_timestamp').nullable(),
    submissionKey: p.string().length(SUBMISSION_KEY_LENGTH).fieldName('submission_key').nullable().unique(),
  },
});

export type StuffRow = InferEntity<typeof Stuff>;
