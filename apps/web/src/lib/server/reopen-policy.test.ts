import { describe, expect, it } from 'vitest';
import { mustReopen, RollbackFailedError } from './reopen-policy.js';
import { TimeoutError } from './with-timeout.js';

describe('mustReopen', () => {
  it('after a full disk, an I/O error or a file opened read-only on SQLite, and after any failed rollback', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', 'SQLITE_READONLY_DIRECTORY']) {
      expect(mustReopen(new Error('x'), code, 'sqlite')).toBe(true);
    }
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(mustReopen(new RollbackFailedError(full, new Error('cannot rollback')), 'SQLITE_FULL', 'postgresql')).toBe(true);
  });

  it('not after a failure that leaves the connection as it was, nor after a timeout (others are still served on it)', () => {
    expect(mustReopen(new Error('no such table: stuff'), 'SQLITE_ERROR', 'sqlite')).toBe(false);
    expect(mustReopen(new Error('busy'), 'SQLITE_BUSY', 'sqlite')).toBe(false);
    expect(mustReopen(new TimeoutError('reading rows: no answer within 3000 ms'), 'ETIMEDOUT', 'sqlite')).toBe(false);
    expect(mustReopen(new Error('permission denied for table stuff'), '42501', 'postgresql')).toBe(false);
  });
});
