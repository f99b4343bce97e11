import { constants, accessSync, existsSync, readFileSync, readdirSync, statSync, type Stats } from 'node:fs';

import { join, resolve } from 'node:path';

export type ReadResult = { text: string } | { error: string };

/** A file's text, or the error code (ENOENT, EACCES) that stopped the read. */
export function readUtf8(path: string): ReadResult {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

/** A folder's entries (for include_dir); throws with node's error code, as the hba engine expects. */
export function readDirEntries(path: string): { name: string; isDirectory: boolean }[] {
  return readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
}

/**
 * The server's files as the doctor reads them: under `root` (`--root DIR`) instead of `/`, so a
 * test can lay out a server's /etc and /var in a folder. Paths given and returned are the server's
 * own (e.g. /etc/postgresql/15/main/pg_hba.conf); only the reads are redirected.
 */
export class SystemFiles {
  readonly root: string;

  constructor(root = '/') {
    this.root = resolve(root);
  }

  /** Where the server's `path` is on this machine. */
  local(path: string): string {
    return this.root === '/' ? path : join(this.root, path);
  }

  exists(path: string): boolean {
    return existsSync(this.local(path));
  }

  stat(path: string): Stats | undefined {
    try {
      return statSync(this.local(path));
    } catch {
      return undefined;
    }
  }

  readable(path: string): boolean {
    try {
      accessSync(this.local(path), constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }

  /** The file's text, or the error code (ENOENT, EACCES) that stopped the read. */
  read(path: string): ReadResult {
    return readUtf8(this.local(path));
  }

  list(dir: string): string[] {
    try {
      return readdirSync(this.local(dir)).sort();
    } catch {
      return [];
    }
  }
}

/**
 * This machine's own files, not the server's under --root: the database's live unix socket, the
 * app's SQLite file, a file named on the command line.
 */
export const localFiles = new SystemFiles('/');
