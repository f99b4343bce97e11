import { closeSync, constants, accessSync, existsSync, openSync, readFileSync, readSync, readdirSync, realpathSync, statSync, statfsSync, type StatsFs, type Stats } from 'node:fs';

import { join, resolve } from 'node:path';

export type ReadResult = { text: string } | { error: string };

/** How much of a log the doctor reads: its last 4 MiB. */
export const LOG_TAIL_BYTES = 4 * 1024 * 1024;

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

  /**
   * The end of a log: its last `maxBytes`, from the first whole line. Logs on a server run to
   * gigabytes and only recent entries matter, so the doctor never reads one whole.
   */
  readTail(path: string, maxBytes = LOG_TAIL_BYTES): ReadResult {
    let fd: number | undefined;
    try {
      fd = openSync(this.local(path), 'r');
      const size = statSync(this.local(path)).size;
      const start = Math.max(0, size - maxBytes);
      const buffer = Buffer.alloc(size - start);
      readSync(fd, buffer, 0, buffer.length, start);
      const text = buffer.toString('utf8');
      return { text: start === 0 ? text : text.slice(text.indexOf('\n') + 1) };
    } catch (error) {
      return { error: (error as NodeJS.ErrnoException).code ?? String(error) };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
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

  /** The filesystem's block and inode counts where `path` lives (df), or undefined when it cannot be read. */
  statfs(path: string): StatsFs | undefined {
    try {
      return statfsSync(this.local(path));
    } catch {
      return undefined;
    }
  }

  /** `path` with every symbolic link resolved, or `path` itself when it does not exist. */
  realpath(path: string): string {
    try {
      return realpathSync(this.local(path));
    } catch {
      return path;
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
