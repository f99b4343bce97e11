import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** The database's folder: its owner writes, its group may enter and read, nobody else. */
export const PRIVATE_FOLDER_MODE = 0o750;

/**
 * Creates `folder` and any missing parent with PRIVATE_FOLDER_MODE whatever the umask (mkdir
 * applies the umask, so a umask of 000 would otherwise give 0777). Returns the folders it created,
 * outermost first; none when `folder` exists.
 */
export function makePrivateFolder(folder: string): string[] {
  const first = mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  if (first === undefined) return [];
  const created: string[] = [];
  for (let dir = folder; ; dir = dirname(dir)) {
    created.unshift(dir);
    if (dir === first || dirname(dir) === dir) break;
  }
  for (const dir of created) chmodSync(dir, PRIVATE_FOLDER_MODE);
  return created;
}

/**
 * Takes other users' access away from a database file that holds nothing yet. SQLite creates a
 * missing file 0644 whatever the umask, and gives the -wal, -shm and -journal files it later
 * creates beside it the file's own mode: closing the file before its first write keeps all of
 * them private. A file with content is the operator's: left as it is (the doctor reports it).
 */
export function privatizeEmptyFile(path: string): void {
  try {
    const s = statSync(path);
    if (s.isFile() && s.size === 0 && (s.mode & 0o007) !== 0) chmodSync(path, s.mode & 0o770);
  } catch {
    // Not there or not ours: opening it reports that in its own words.
  }
}
