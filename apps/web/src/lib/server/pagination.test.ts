import { describe, expect, it } from 'vitest';
import { totalText } from '../page-links.js';
import { EXACT_TOTAL_BELOW, LEGACY_PAGE_LIMIT, PageParameterError, pageOf, parsePageRequest, totalOf } from './pagination.js';

const parse = (query: string) => parsePageRequest(new URLSearchParams(query));

describe('parsePageRequest', () => {
  it('reads the newest page, an older and a newer one', () => {
    expect(parse('')).toEqual({ kind: 'newest' });
    expect(parse('saved=12')).toEqual({ kind: 'newest' });
    expect(parse('before=71')).toEqual({ kind: 'before', id: 71 });
    expect(parse('after=0')).toEqual({ kind: 'after', id: 0 });
    expect(parse('before=2147483647')).toEqual({ kind: 'before', id: 2147483647 });
  });

  it('turns an old page link into the page to look up; page 1 is the newest', () => {
    expect(parse('page=1')).toEqual({ kind: 'newest' });
    expect(parse('page=3')).toEqual({ kind: 'legacy', number: 3 });
  });

  it.each([
    ['before=abc', 'before: expected a row id (a whole number from 0 to 2147483647), got "abc"'],
    ['before=', 'before: expected a row id'],
    ['after=-1', 'after: expected a row id'],
    ['after=1.5', 'after: expected a row id'],
    ['before=2147483648', 'before: expected a row id'],
    ['before=99999999999999999999', 'before: expected a row id'],
    ['before=1&before=2', 'before is given 2 times'],
    ['before=1&after=2', 'before and after are given together'],
    ['page=2&before=5', 'before and page are given together'],
    ['page=abc', 'page: expected a page number (1, 2, …), got "abc"'],
    ['page=0', 'page: expected a page number'],
    ['page=-1', 'page: expected a page number'],
    [`page=${LEGACY_PAGE_LIMIT + 1}`, `page: ${LEGACY_PAGE_LIMIT + 1} is past page ${LEGACY_PAGE_LIMIT}`],
  ])('refuses %j with a message naming the parameter and the fix', (query, message) => {
    expect(() => parse(query)).toThrow(PageParameterError);
    expect(() => parse(query)).toThrow(message);
  });

  it('quotes at most 40 characters of what it refuses', () => {
    expect(() => parse(`before=${'9'.repeat(4000)}`)).toThrow(`got "${'9'.repeat(40)}"`);
  });
});

describe('totalOf', () => {
  it('is the count while the table is small', () => {
    expect(totalOf({ newest: 120, oldest: 1, estimate: 130, bounded: 120 })).toEqual({ count: 120, exact: true });
    expect(totalOf({ newest: null, oldest: null, estimate: 0, bounded: 0 })).toEqual({ count: 0, exact: true });
    expect(totalOf({ newest: 9_999, oldest: 1, estimate: null, bounded: 9_999 })).toEqual({ count: 9_999, exact: true });
  });

  it('is the estimate, to 3 digits, from the threshold on', () => {
    expect(totalOf({ newest: 10_000, oldest: 1, estimate: null, bounded: EXACT_TOTAL_BELOW })).toEqual({ count: 10_000, exact: false });
    expect(totalOf({ newest: 12_345_678, oldest: 1, estimate: 12_298_765, bounded: null })).toEqual({ count: 12_300_000, exact: false });
  });

  it('falls back to the id range without an estimate, and never says less than the count proved', () => {
    expect(totalOf({ newest: 1_000_000, oldest: 1, estimate: null, bounded: null })).toEqual({ count: 1_000_000, exact: false });
    expect(totalOf({ newest: 20_000, oldest: 1, estimate: 3, bounded: EXACT_TOTAL_BELOW })).toEqual({ count: 10_000, exact: false });
  });

  it('is shown as the number, or "about" it with separators', () => {
    expect(totalText({ count: 120, exact: true })).toBe('120');
    expect(totalText({ count: 12_300_000, exact: false })).toBe('about 12,300,000');
  });
});

describe('pageOf', () => {
  const summary = { newest: 120, oldest: 1, estimate: null, bounded: 120 };
  const ids = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => from - i);

  it('links the newest page to the older rows and the oldest page', () => {
    expect(pageOf(ids(120, 71), summary)).toEqual({ size: 50, total: { count: 120, exact: true }, newer: null, older: 71, oldest: 0, behind: false });
  });

  it('links a middle page both ways, and the oldest page only to newer rows', () => {
    expect(pageOf(ids(70, 21), summary)).toMatchObject({ newer: 70, older: 21, oldest: 0, behind: true });
    expect(pageOf(ids(50, 1), summary)).toMatchObject({ newer: 50, older: null, oldest: null, behind: true });
  });

  it('a page without rows: an empty table has no links, a cursor past the end links to the newest', () => {
    expect(pageOf([], { newest: null, oldest: null, estimate: null, bounded: 0 })).toMatchObject({ newer: null, older: null, behind: false });
    expect(pageOf([], summary)).toMatchObject({ newer: null, older: null, behind: true });
  });
});
