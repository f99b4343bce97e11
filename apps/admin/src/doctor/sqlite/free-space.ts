import { dirname } from 'node:path';
import type { SqliteTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { localFiles } from '../system-files.js';
import { fail, pass, warn, type Check, type CheckOutcome } from '../types.js';
import { serviceAccount } from './service-account.js';

const MIB = 1024 * 1024;
/** Below this SQLite fails with "database or disk is full": a commit writes several pages to the WAL. */
export const FAIL_BELOW_BYTES = 1 * MIB;
/** Below this a warning: the WAL alone grows to about 4 MiB (1000 pages) between two checkpoints. */
export const WARN_BELOW_BYTES = 64 * MIB;

/** What statfs says about the filesystem holding the database and its journal. */
export interface SpaceFacts {
  folder: string;
  /** where that filesystem is mounted */
  mount: string;
  /** bytes the service user may still use (root may also use the blocks reserved for it) */
  freeBytes: number;
  totalBytes: number;
  /** free inodes; null when the filesystem has no fixed number of them (btrfs) */
  freeInodes: number | null;
}

function size(bytes: number): string {
  return bytes >= 10 * MIB ? `${Math.round(bytes / MIB)} MiB` : `${(bytes / MIB).toFixed(1)} MiB`;
}

/** The verdict on the free space, from the facts alone. */
export function judgeFreeSpace(facts: SpaceFacts): CheckOutcome {
  const { folder, mount, freeBytes, totalBytes, freeInodes } = facts;
  const evidence = [
    `${mount}: ${size(freeBytes)} free of ${size(totalBytes)}${freeInodes === null ? '' : `, ${freeInodes} inodes free`} (df -h ${folder})`,
    'SQLite writes its journal (-wal and -shm, or -journal) beside the file, on the same filesystem',
  ];
  const fix = [`du -xah -d 1 ${mount} | sort -h | tail -n 5   # what fills it: remove or move that, or grow the filesystem`];
  if (freeInodes === 0) return fail(`no free inode on ${mount}: SQLite cannot create its journal files`, evidence, fix);
  if (freeBytes < FAIL_BELOW_BYTES) return fail(`the disk is full: ${size(freeBytes)} free on ${mount}, every write fails`, evidence, fix);
  if (freeBytes < WARN_BELOW_BYTES) return warn(`only ${size(freeBytes)} free on ${mount}`, evidence, fix);
  return pass(`${size(freeBytes)} free where the database and its journal live`, evidence);
}

/** The mount point holding `path`: the last folder upwards on the same device. */
function mountOf(path: string): string {
  const device = localFiles.stat(path)?.dev;
  let dir = path;
  for (let parent = dirname(dir); parent !== dir && localFiles.stat(parent)?.dev === device; parent = dirname(dir)) dir = parent;
  return dir;
}

export const sqliteSpaceCheck: Check<DoctorContext> = {
  id: 'sqlite.space',
  title: 'Free space',
  needs: ['sqlite.folder'],
  async run(context) {
    // SQLite follows a symbolic link and keeps its journal beside the real file.
    const folder = dirname(localFiles.realpath((context.config.target as SqliteTarget).path));
    const fs = localFiles.statfs(folder);
    if (!fs) return warn(`cannot read the free space of ${folder}`, [], [`df -h ${folder}`]);
    const account = serviceAccount(context);
    const asRoot = !('problem' in account) && account.uid === 0;
    return judgeFreeSpace({
      folder,
      mount: mountOf(folder),
      freeBytes: (asRoot ? fs.bfree : fs.bavail) * fs.bsize,
      totalBytes: fs.blocks * fs.bsize,
      freeInodes: fs.files === 0 ? null : fs.ffree,
    });
  },
};
