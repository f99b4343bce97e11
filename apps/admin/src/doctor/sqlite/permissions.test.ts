import { describe, expect, it } from 'vitest';
import { parseAccount, permits } from './permissions.js';

const passwd = 'root:x:0:0:root:/root:/bin/bash\nkdt:x:990:990::/srv/kdt:/sbin/nologin\napache:x:48:48::/usr/share/httpd:/sbin/nologin';
const group = 'root:x:0:\nkdt:x:990:\napache:x:48:kdt';

describe('permits', () => {
  const kdt = parseAccount(passwd, group, 'kdt')!;

  it('reads the account with its supplementary groups', () => {
    expect(kdt).toEqual({ name: 'kdt', uid: 990, gid: 990, groups: [990, 48] });
  });

  it('uses the owner bits for the owner, the group bits for a member, the other bits otherwise', () => {
    expect(permits({ uid: 990, gid: 0, mode: 0o700 }, kdt, 'w')).toBe(true);
    expect(permits({ uid: 0, gid: 48, mode: 0o770 }, kdt, 'w')).toBe(true);
    expect(permits({ uid: 0, gid: 0, mode: 0o755 }, kdt, 'w')).toBe(false);
    expect(permits({ uid: 0, gid: 0, mode: 0o755 }, kdt, 'r')).toBe(true);
    // Owner bits apply to the owner even when the group bits would allow more.
    expect(permits({ uid: 990, gid: 990, mode: 0o570 }, kdt, 'w')).toBe(false);
  });

  it('lets root do anything', () => {
    expect(permits({ uid: 990, gid: 990, mode: 0o000 }, parseAccount(passwd, group, 'root')!, 'w')).toBe(true);
  });
});
