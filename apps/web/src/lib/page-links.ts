import type { Cursor } from './server/page-sql.js';

/** The page's own URL (`base`, e.g. resolve('/')) showing the rows of `cursor`. */
export function pageHref(base: string, cursor: Cursor): string {
  return cursor.kind === 'newest' ? base : `${base}?${cursor.kind}=${cursor.id}`;
}

/** "120" when counted, "about 12,300,000" when estimated. */
export function totalText(total: { count: number; exact: boolean }): string {
  return total.exact ? String(total.count) : `about ${total.count.toLocaleString('en-US')}`;
}
