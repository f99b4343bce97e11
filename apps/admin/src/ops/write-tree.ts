// Writing the rendered files under --out, which is often run as root in a folder others can reach
// (/tmp): nothing is written through a symbolic link, no folder is used that another user could
// swap, and no existing file is replaced unless the operator asks (--force).
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError, UsageError } from '../cli/cli-error.js';
import { controlCharacter } from './control-characters.js';

export interface TreeFile {
  /** relative to the output folder */
  outPath: string;
  text: string;
  mode: number;
}

const NEW_FOLDER = 'a new folder, e.g. --out ./kdt-ops';
// The top of the file system tree, and the trees the distribution owns: files rendered into one of
// them mix with the system's own (OUT/etc/… under /etc, OUT/selinux under /etc).
const TOP_FOLDERS = new Set(['/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/media', '/mnt', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var']);
const SYSTEM_TREES = ['/etc/', '/usr/', '/boot/', '/dev/', '/proc/', '/sys/', '/bin/', '/sbin/', '/lib/', '/lib32/', '/lib64/', '/libx32/', '/run/'];

function isSystemFolder(path: string): boolean {
  return TOP_FOLDERS.has(path) || SYSTEM_TREES.some((tree) => path.startsWith(tree)) || /^\/var\/[^/]+$/.test(path);
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(path, error);
  }
}

function ioError(path: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new CliError(`--out: cannot write ${path} (${code}); give a folder you may write to`);
}

/** Refuses a folder another user could change under us, or a link in place of one. */
function checkFolder(path: string, stat: Stats): void {
  if (stat.isSymbolicLink()) throw new UsageError(`--out: ${path} is a symbolic link; ops render follows no link: give the folder it points to, or ${NEW_FOLDER}`);
  if (!stat.isDirectory()) throw new UsageError(`--out: ${path} exists and is not a folder; give a folder (it is created if missing)`);
  const me = process.getuid?.() ?? 0;
  if (stat.uid !== me && stat.uid !== 0) throw new UsageError(`--out: ${path} belongs to another user (uid ${stat.uid}), who could swap what is written there; give ${NEW_FOLDER}`);
  if ((stat.mode & 0o002) !== 0) throw new UsageError(`--out: ${path} is writable by every user, who could plant links in it; give ${NEW_FOLDER}`);
}

/**
 * Checks --out before anything is rendered or written: one line of printable characters, not "/",
 * not a system folder with files in it, not a link, and (when it exists) a folder only its owner
 * (you or root) may write to. Throws UsageError.
 */
export function checkOutFolder(out: string): void {
  const control = controlCharacter(out);
  if (control) throw new UsageError(`--out: the folder name contains ${control}; give ${NEW_FOLDER}`);
  if (out === '/') throw new UsageError(`--out: / would put the files straight onto their destinations, replacing the server's own; give ${NEW_FOLDER}`);
  const stat = lstatOrNull(out);
  if (stat === null) return;
  if (stat.isDirectory()) {
    const real = realpathSync(out);
    if (real === '/' || (isSystemFolder(real) && readdirSync(real).length > 0)) {
      throw new UsageError(`--out: ${out} is a system folder with files in it, which the rendered ones would mix with; give ${NEW_FOLDER}`);
    }
  }
  checkFolder(out, stat);
}

/**
 * Creates `path` and its missing parents one by one, each checked as checkFolder does; of those
 * that exist, only `out` and the folders under it are checked (the operator chose where it is).
 */
function makeFolders(path: string, out: string): void {
  const stat = lstatOrNull(path);
  if (stat !== null) {
    if (path === out || path.startsWith(`${out}/`)) checkFolder(path, stat);
    return;
  }
  makeFolders(dirname(path), out);
  try {
    mkdirSync(path, { mode: 0o755 });
  } catch (error) {
    // Another process made it first: it is checked below like any folder.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(path, error);
  }
  checkFolder(path, lstatSync(path));
}

/**
 * Refuses, before anything is written, what writeTree would refuse: a link or another user's
 * folder under `out`, a folder where a file goes, and (unless `force`) a file that exists.
 */
export function checkTree(out: string, files: TreeFile[], force: boolean): void {
  const existing: string[] = [];
  for (const file of files) {
    const path = join(out, file.outPath);
    for (let folder = dirname(path); folder.startsWith(`${out}/`); folder = dirname(folder)) {
      const stat = lstatOrNull(folder);
      if (stat !== null) checkFolder(folder, stat);
    }
    const stat = lstatOrNull(path);
    if (stat?.isDirectory()) throw new UsageError(`--out: ${path} is a folder where ops render writes a file; remove it, or give ${NEW_FOLDER}`);
    if (stat !== null) existing.push(file.outPath);
  }
  if (existing.length > 0 && !force) {
    const more = existing.length > 1 ? ` and ${existing.length - 1} more` : '';
    throw new UsageError(`--out: ${join(out, existing[0]!)}${more} ${more ? 'exist' : 'exists'} already; give a new folder, or --force to replace the files ops render writes`);
  }
}

/**
 * Writes `files` under `out` (checked by checkOutFolder): every folder created without following
 * a link, every file created new (O_CREAT | O_EXCL | O_NOFOLLOW) with its mode. An existing file is
 * refused, unless `force`: then it (or a link in its place) is removed first, never written through.
 */
export function writeTree(out: string, files: TreeFile[], force: boolean): void {
  checkTree(out, files, force);

  for (const file of files) {
    const path = join(out, file.outPath);
    makeFolders(dirname(path), out);
    try {
      // unlink removes a planted link itself, not what it points to.
      if (force && lstatOrNull(path) !== null) unlinkSync(path);
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, file.mode);
      try {
        writeSync(fd, file.text);
        // open's mode goes through the umask.
        fchmodSync(fd, file.mode);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`--out: ${path} appeared while writing, from another process; run again`);
      throw ioError(path, error);
    }
  }
}
