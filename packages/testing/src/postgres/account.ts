import { readFileSync } from 'node:fs';

/** The OS account the server processes run as. */
export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

/** Parses /etc/passwd text into the account named `name`, if present. */
export function findAccount(passwd: string, name: string): RunAs | undefined {
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  return undefined;
}

/**
 * initdb, pg_ctl and postgres refuse to run as root. When the tests run as root (CI does), the
 * server runs as Debian's `postgres` account, or `nobody` on a machine without the package.
 * Returns undefined when the tests already run unprivileged.
 */
export function serverAccount(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const account = findAccount(passwd, 'postgres') ?? findAccount(passwd, 'nobody');
  if (!account) throw new Error('running as root and neither a "postgres" nor a "nobody" account exists to run PostgreSQL');
  return account;
}
