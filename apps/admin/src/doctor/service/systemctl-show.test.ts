import { describe, expect, it } from 'vitest';
import { parseShow } from './systemctl-show.js';

describe('parseShow', () => {
  it('reads the start time in UTC, as unix seconds, and NeedDaemonReload', () => {
    expect(parseShow('ActiveEnterTimestamp=Tue 2026-11-24 10:00:00 UTC\nNeedDaemonReload=yes\n')).toEqual({
      startedAt: Date.UTC(2026, 10, 24, 10, 0, 0),
      needsReload: true,
      raw: 'ActiveEnterTimestamp=Tue 2026-11-24 10:00:00 UTC, NeedDaemonReload=yes',
    });
    expect(parseShow('ActiveEnterTimestamp=@1764000000\n').startedAt).toBe(1764000000000);
  });

  it('a unit never started has no time', () => {
    expect(parseShow('ActiveEnterTimestamp=\nNeedDaemonReload=no\n')).toMatchObject({ startedAt: null, needsReload: false });
  });
});
