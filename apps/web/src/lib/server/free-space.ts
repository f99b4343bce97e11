import { statfsSync } from 'node:fs';

/** Less room than this beside the SQLite file and no commit can be written (a row's WAL frames, the WAL index). */
export const MIN_FREE_BYTES = 64 * 1024;

export class NoSpaceError extends Error {
  override readonly name = 'NoSpaceError';
  readonly code = 'ENOSPC';
}

/**
 * Throws NoSpaceError when the filesystem holding `folder` is full for this process. A probe
 * that is rolled back writes nothing, so on a full disk it succeeds while every real write fails
 * with SQLITE_FULL: the free space is what says whether writes can work.
 */
export function assertRoomToWrite(folder: string): void {
  const fs = statfsSync(folder);
  // Root may use the blocks a filesystem reserves for it; any other user only the available ones.
  const free = (process.getuid?.() === 0 ? fs.bfree : fs.bavail) * fs.bsize;
  if (free < MIN_FREE_BYTES) throw new NoSpaceError(`no space left on the filesystem of ${folder} (${free} bytes free)`);
}
