import type { Stats } from 'node:fs';

export interface Account {
  name: string;
  uid: number;
  gid: number;
  /** every group id the account belongs to, its primary group included */
  groups: number[];
}

/** Reads an account from /etc/passwd and /etc/group text. */
export function parseAccount(passwd: string, group: string, name: string): Account | undefined {
  const entry = passwd.split('\n').map((l) => l.split(':')).find((f) => f[0] === name);
  if (!entry || entry[2] === undefined || entry[3] === undefined) return undefined;
  const gid = Number(entry[3]);
  const groups = new Set([gid]);
  for (const line of group.split('\n')) {
    const [, , id, members] = line.split(':');
    if (id !== undefined && members?.split(',').includes(name)) groups.add(Number(id));
  }
  return { name, uid: Number(entry[2]), gid, groups: [...groups] };
}

/** Whether `account` may do `want` (r, w, x) on a file with these owner, group and mode bits. Root may do anything. */
export function permits(stat: Pick<Stats, 'uid' | 'gid' | 'mode'>, account: Account, want: 'r' | 'w' | 'x'): boolean {
  if (account.uid === 0) return true;
  const bit = { r: 4, w: 2, x: 1 }[want];
  const shift = stat.uid === account.uid ? 6 : account.groups.includes(stat.gid) ? 3 : 0;
  return ((stat.mode >> shift) & bit) !== 0;
}

export function modeText(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}
