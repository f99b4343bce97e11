import { describe, expect, it } from 'vitest';
import { isoTimestamp } from './stuff-store.js';

describe('isoTimestamp', () => {
  it("reads PostgreSQL's timestamptz text and SQLite's current_timestamp as UTC", () => {
    expect(isoTimestamp('2026-11-25 13:46:40.348451+00')).toBe('2026-11-25T13:46:40.348Z');
    expect(isoTimestamp('2026-11-25 14:46:40+01')).toBe('2026-11-25T13:46:40.000Z');
    expect(isoTimestamp('2026-11-25 13:46:40')).toBe('2026-11-25T13:46:40.000Z');
    // PostgreSQL drops trailing zeros of the fraction, and the fraction itself when it is zero.
    expect(isoTimestamp('2026-11-25 13:46:40.3+00')).toBe('2026-11-25T13:46:40.300Z');
    expect(isoTimestamp('2026-11-25 13:46:40+00')).toBe('2026-11-25T13:46:40.000Z');
    expect(isoTimestamp('2026-11-25 13:46:40.123')).toBe('2026-11-25T13:46:40.123Z');
    expect(isoTimestamp('2026-11-25 23:46:40.5-05:30')).toBe('2026-11-26T05:16:40.500Z');
  });

  it('passes text that is not a timestamp through unchanged', () => {
    expect(isoTimestamp('yesterday at noon')).toBe('yesterday at noon');
    expect(isoTimestamp('2026-11-25 13:46:40+0x')).toBe('2026-11-25 13:46:40+0x');
  });

  it('keeps null and passes a Date through', () => {
    expect(isoTimestamp(null)).toBeNull();
    expect(isoTimestamp(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
  });
});
