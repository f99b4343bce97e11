import { describe, expect, it } from 'vitest';
import { fromColumns, toColumns } from './row-columns.js';

describe('row columns', () => {
  it('carries rows as columns and back, in order, nulls and all', () => {
    const rows = [
      { id: 2, stuff: 'b <i>', things: 'two', createdAt: '2026-11-25T13:46:40.348Z' },
      { id: 1, stuff: 'a', things: '', createdAt: null },
    ];
    const columns = toColumns(rows);
    expect(columns).toEqual({ id: [2, 1], stuff: ['b <i>', 'a'], things: ['two', ''], createdAt: ['2026-11-25T13:46:40.348Z', null] });
    expect(fromColumns(columns)).toEqual(rows);
    expect(fromColumns(toColumns([]))).toEqual([]);
  });
});
