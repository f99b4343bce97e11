import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Longest `stuff` value the column accepts; the site's form and validation use the same bound. */
export const STUFF_MAX_LENGTH = 255;

/**
 * One row of the `stuff` table. `createdAt` is set by the database on insert (a column default),
 * so rows written by any client, psql included, carry it.
 */
export const Stuff = defineEntity({
  name: 'Stuff',
  tableName: 'stuff',
  properties: {
    id: p.integer().primary().autoincrement(),
    stuff: p.string().length(STUFF_MAX_LENGTH),
    things: p.text(),
    createdAt: p.datetime().fieldName('created_at').defaultRaw('current_timestamp'),
  },
});

export type StuffRow = InferEntity<typeof Stuff>;
