import { describe, expect, it } from 'vitest';
import { findAccount } from './account.js';

describe('findAccount', () => {
  const passwd = ['root:x:0:0:root:/root:/bin/bash', 'postgres:x:101:104:PostgreSQL administrator:/var/lib/postgresql:/bin/bash'].join('\n');

  it('reads uid and gid of the named account from /etc/passwd text', () => {
    expect(findAccount(passwd, 'postgres')).toEqual({ name: 'postgres', uid: 101, gid: 104 });
  });

  it('returns undefined for an account that does not exist', () => {
    expect(findAccount(passwd, 'nobody')).toBeUndefined();
  });
});
