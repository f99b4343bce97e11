import { describe, expect, it } from 'vitest';
import { isoTimestamp } from './stuff-store.js';

describe('isoTimestamp', () => {
  it("reads PostgreSQL's timestamptz text and SQLite's current_timestamp as UTC", () => {
    expect(isoTimestamp('2026-11-25 13:46:40.348451+00')).toBe('2026-11-25T13:46:40.348Z');
    expect(isoTimestamp('2026-11-25 14:46:40+01')).toBe('2026-11-25T13:46:40.000Z');
    expect(isoTimestamp('2026-11-25 13:46:40')).toBe('2026-11-25T13:46:40.000Z');
  });

  it('keeps null and passes a Date through', () => {
    expect(isoTimestamp(null)).toBeNull();
    expect(isoTimestamp(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
  });
});
