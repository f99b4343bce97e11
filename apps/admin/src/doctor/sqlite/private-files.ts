import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import type { SqliteTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { localFiles } from '../system-files.js';
import { pass, warn, type Check, type CheckOutcome } from '../types.js';
import { modeText, type Account } from './permissions.js';
import { ownerText, serviceAccount } from './service-account.js';

/** A path the database lives in, with its owner and mode. */
export interface DatabasePath {
  path: string;
  stat: Pick<Stats, 'uid' | 'gid' | 'mode'>;
  /** "user:group", for the evidence */
  owner: string;
}

/** The SQLite files beside `file` while a connection has it open (WAL, or the rollback journal). */
export const JOURNAL_SUFFIXES = ['-wal', '-shm', '-journal'];

/**
 * The verdict on who else may read the database: any access for other users (the last three
 * mode bits) on the folder, the file or a journal file is reported. The fix takes exactly that
 * access away; where `account` itself gets in only through those bits, it first becomes the owner.
 */
export function judgePrivacy(paths: DatabasePath[], account: Account): CheckOutcome {
  const open = paths.filter((p) => (p.stat.mode & 0o007) !== 0);
  const facts = paths.map((p) => `${p.path} is ${p.owner} ${modeText(p.stat.mode)}`);
  if (open.length === 0) return pass('no other user may read the folder, the file or its journal', facts);
  const throughOthers = open.filter((p) => account.uid !== 0 && p.stat.uid !== account.uid && !account.groups.includes(p.stat.gid));
  const names = (list: DatabasePath[]) => list.map((p) => p.path).join(' ');
  const chown = throughOthers.length > 0 ? `chown ${account.name} ${names(throughOthers)} && ` : '';
  return warn(
    `other users may read ${open.map((p) => p.path).join(', ')}`,
    [...facts, 'SQLite gives the -wal, -shm and -journal files it creates the mode of the database file: a private file keeps them private'],
    [`${chown}chmod o-rwx ${names(open)}`],
  );
}

export const sqlitePrivateCheck: Check<DoctorContext> = {
  id: 'sqlite.private',
  title: 'SQLite files private',
  needs: ['sqlite.file'],
  async run(context) {
    const file = (context.config.target as SqliteTarget).path;
    const account = serviceAccount(context);
    if ('problem' in account) return warn(`cannot tell who runs the site: ${account.problem}`, [], ['give --service-user NAME']);
    const paths: DatabasePath[] = [];
    for (const path of [dirname(file), file, ...JOURNAL_SUFFIXES.map((suffix) => `${file}${suffix}`)]) {
      const stat = localFiles.stat(path);
      if (stat) paths.push({ path, stat, owner: ownerText(context, stat.uid, stat.gid) });
    }
    return judgePrivacy(paths, account);
  },
};
