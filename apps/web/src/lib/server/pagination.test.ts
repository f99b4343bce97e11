import { describe, expect, it } from 'vitest';
import { pageOf } from './pagination.js';

describe('pageOf', () => {
  it('starts at page 1 with 50 rows a page', () => {
    expect(pageOf(null, 120)).toEqual({ number: 1, size: 50, offset: 0, total: 120, pages: 3 });
  });

  it('gives the offset of a later page', () => {
    expect(pageOf('3', 120)).toMatchObject({ number: 3, offset: 100 });
  });

  it.each(['0', '-1', 'abc', '2.5', ''])('treats %j as page 1', (requested) => {
    expect(pageOf(requested, 120).number).toBe(1);
  });

  it('clamps a page past the end to the last one, and an empty table to one empty page', () => {
    expect(pageOf('99', 120).number).toBe(3);
    expect(pageOf('2', 0)).toEqual({ number: 1, size: 50, offset: 0, total: 0, pages: 1 });
  });
});
