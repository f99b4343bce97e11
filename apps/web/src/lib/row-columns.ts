import type { StuffView } from './server/stuff-store.js';

/**
 * A page of rows as the page's data carries them to the browser: one array per column instead of
 * one object per row. SvelteKit writes the page's data into the HTML for hydration with devalue,
 * whose cost is per object and per key: 50 row objects cost about twice the time of 4 arrays
 * (measured: 66 vs 36 µs a view) and 1.4 KB more HTML to hash for the ETag and to send.
 */
export interface RowColumns {
  id: number[];
  stuff: string[];
  things: string[];
  createdAt: (string | null)[];
}

export function toColumns(rows: StuffView[]): RowColumns {
  return { id: rows.map((r) => r.id), stuff: rows.map((r) => r.stuff), things: rows.map((r) => r.things), createdAt: rows.map((r) => r.createdAt) };
}

export function fromColumns(columns: RowColumns): StuffView[] {
  return columns.id.map((id, i) => ({ id, stuff: columns.stuff[i]!, things: columns.things[i]!, createdAt: columns.createdAt[i] ?? null }));
}
