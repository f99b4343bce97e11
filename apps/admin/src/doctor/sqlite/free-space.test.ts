import { describe, expect, it } from 'vitest';
import { judgeFreeSpace } from './free-space.js';

const MIB = 1024 * 1024;
const facts = { folder: '/srv/app/data', mount: '/srv', totalBytes: 1024 * MIB, freeInodes: 1000 };

describe('judgeFreeSpace', () => {
  it('fails without a free inode, though bytes are free: SQLite cannot create its -wal or -journal', () => {
    expect(judgeFreeSpace({ ...facts, freeBytes: 500 * MIB, freeInodes: 0 })).toMatchObject({ status: 'fail', summary: 'no free inode on /srv: SQLite cannot create its journal files' });
  });

  it('warns when little room is left, and passes with enough', () => {
    expect(judgeFreeSpace({ ...facts, freeBytes: 20 * MIB })).toMatchObject({ status: 'warn', summary: 'only 20 MiB free on /srv' });
    expect(judgeFreeSpace({ ...facts, freeBytes: 200 * MIB, freeInodes: null })).toMatchObject({ status: 'pass', evidence: ['/srv: 200 MiB free of 1024 MiB (df -h /srv/app/data)', expect.any(String)] });
  });
});
