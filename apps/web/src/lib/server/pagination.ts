export const PAGE_SIZE = 50;

/** Below this many rows the total is counted exactly; above it, it is the planner's estimate ("about N"). */
export const EXACT_TOTAL_BELOW = 10_000;

/**
 * The old `?page=N` links are still followed up to this page (its rows are found by OFFSET, whose
 * cost grows with N); past it the page answers 400 and says which links to use.
 */
export const LEGACY_PAGE_LIMIT = 2000;

/** The id column is a 32-bit integer on PostgreSQL: a larger cursor is no row's id. */
export const MAX_ID = 2_147_483_647;

/**
 * Which rows to show, from the query string: the newest, those older than a row (`?before=ID`),
 * those newer than a row (`?after=ID`), or an old `?page=N` link to translate.
 */
export type PageRequest = { kind: 'newest' } | { kind: 'before'; id: number } | { kind: 'after'; id: number } | { kind: 'legacy'; number: number };

/** A query string that names no page: answered 400 with this message. */
export class PageParameterError extends Error {
  override readonly name = 'PageParameterError';
}

function single(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name);
  if (values.length > 1) throw new PageParameterError(`${name} is given ${values.length} times: give it once, e.g. ?${name}=${values[0]}`);
  return values[0] ?? null;
}

function rowId(name: 'before' | 'after', value: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_ID) {
    throw new PageParameterError(`${name}: expected a row id (a whole number from 0 to ${MAX_ID}), got "${value.slice(0, 40)}"; the page's "newer" and "older" links carry one`);
  }
  return Number(value);
}

/** The page the query string asks for; a malformed one throws PageParameterError. */
export function parsePageRequest(params: URLSearchParams): PageRequest {
  const before = single(params, 'before');
  const after = single(params, 'after');
  const page = single(params, 'page');
  const given = [before !== null && 'before', after !== null && 'after', page !== null && 'page'].filter(Boolean);
  if (given.length > 1) throw new PageParameterError(`${given.join(' and ')} are given together: give one of them (?before=ID for older rows, ?after=ID for newer rows)`);
  if (before !== null) return { kind: 'before', id: rowId('before', before) };
  if (after !== null) return { kind: 'after', id: rowId('after', after) };
  if (page !== null) {
    if (!/^[1-9]\d{0,9}$/.test(page)) {
      throw new PageParameterError(`page: expected a page number (1, 2, …), got "${page.slice(0, 40)}"; the rows' pages are now linked by ?before=ID and ?after=ID`);
    }
    const number = Number(page);
    if (number > LEGACY_PAGE_LIMIT) {
      throw new PageParameterError(`page: ${number} is past page ${LEGACY_PAGE_LIMIT}, the last one an old page link still reaches; follow the page's "older" links (?before=ID) instead`);
    }
    return number === 1 ? { kind: 'newest' } : { kind: 'legacy', number };
  }
  return { kind: 'newest' };
}

/** The table's size as the page shows it: counted ("120") or estimated ("about 12 300 000"). */
export interface Total {
  count: number;
  exact: boolean;
}

/** What one page read returns besides the rows: the id range, the estimate, and the bounded count when it ran. */
export interface TableSummary {
  newest: number | null;
  oldest: number | null;
  /** the planner's estimate of the row count, when the database keeps one */
  estimate: number | null;
  /** count(*) of at most EXACT_TOTAL_BELOW + 1 rows, when the table looked small enough to count */
  bounded: number | null;
}

/**
 * The total from a page read's summary: the bounded count when it found fewer rows than the
 * threshold; else an estimate, never below the threshold (the count proved there are more),
 * from the planner's statistics or, without them, the id range.
 */
export function totalOf(summary: TableSummary): Total {
  if (summary.newest === null || summary.oldest === null) return { count: 0, exact: true };
  if (summary.bounded !== null && summary.bounded < EXACT_TOTAL_BELOW) return { count: summary.bounded, exact: true };
  const range = summary.newest - summary.oldest + 1;
  const estimate = summary.estimate ?? range;
  return { count: roughly(Math.max(estimate, EXACT_TOTAL_BELOW, summary.bounded ?? 0)), exact: false };
}

// An estimate shown to the last digit would claim a precision it does not have: 3 significant digits.
function roughly(n: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 2);
  return Math.round(n / unit) * unit;
}

/** The pagination links of a page: each a cursor (the id the link carries), or null when there is no such page. */
export interface Page {
  size: number;
  total: Total;
  /** ?after= of the next newer rows; null on the newest page */
  newer: number | null;
  /** ?before= of the next older rows; null on the oldest page */
  older: number | null;
  /** ?after= that shows the oldest rows; null when they are on this page */
  oldest: number | null;
  /** whether this is not the newest page (a link to it is shown) */
  behind: boolean;
}

/** The links of a page showing `ids` (newest first) of a table whose ids run from summary.oldest to summary.newest. */
export function pageOf(ids: readonly number[], summary: TableSummary, size = PAGE_SIZE): Page {
  const total = totalOf(summary);
  const first = ids[0];
  const last = ids[ids.length - 1];
  const { newest, oldest } = summary;
  if (first === undefined || last === undefined || newest === null || oldest === null) {
    // No rows here (an empty table, or a cursor past either end): the newest page still has them.
    return { size, total, newer: null, older: null, oldest: null, behind: newest !== null };
  }
  const hasOlder = oldest < last;
  return {
    size,
    total,
    newer: newest > first ? first : null,
    older: hasOlder ? last : null,
    oldest: hasOlder && oldest > 0 ? oldest - 1 : null,
    behind: newest > first,
  };
}

/** An empty page (nothing read yet, or the read failed). */
export function emptyPage(size = PAGE_SIZE): Page {
  return { size, total: { count: 0, exact: true }, newer: null, older: null, oldest: null, behind: false };
}
