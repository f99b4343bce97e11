import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, UsageError } from '../../cli/cli-error.js';
import { locateHba } from '../../doctor/postgres/locate-hba.js';
import { readUtf8, SystemFiles } from '../../doctor/system-files.js';
import { HbaReadBudgetError, parseHba, type HbaFile, type ParseHbaOptions } from '../../hba/index.js';

/** The options every `pnpm admin hba` verb shares. */
export interface HbaFileOptions {
  serverMajor?: string;
  root?: string;
}

/** The versions the engine reads pg_hba.conf as. */
const KNOWN_MAJORS = [15, 16, 17, 18];
const DEFAULT_MAJOR = 16;

export interface LoadedHba {
  /** The file as the server names it (a found file), or its absolute path here (a given FILE). */
  file: string;
  /** How the file was chosen, for the header: `given`, `the usual place under /srv/root`. */
  how: string;
  serverMajor: number;
  /** Where serverMajor came from: `--server-major`, `the path`, `default`. */
  majorFrom: string;
  parsed: HbaFile;
  /** Notes for stderr (a version the engine does not know). */
  notes: string[];
}

/** The server's major version in a Debian or RHEL path: /etc/postgresql/15/main, /var/lib/pgsql/16/data. */
export function majorInPath(path: string): number | null {
  const m = /\/(?:etc\/postgresql|var\/lib\/pgsql)\/(\d+)\//.exec(path);
  return m ? Number(m[1]) : null;
}

function parseMajor(text: string): number {
  if (!/^\d{1,3}$/.test(text.trim())) throw new UsageError(`--server-major: expected a PostgreSQL major version such as 15 or 16, got "${text}"`);
  const major = Number(text.trim());
  if (major < 10) throw new UsageError(`--server-major: expected a PostgreSQL major version such as 15 or 16 (10 or later), got ${major}`);
  return major;
}

/** A relative FILE is the operator's: relative to where they ran `pnpm admin` (pnpm runs scripts at the root). */
function operatorPath(file: string): string {
  const base = process.env.INIT_CWD && isDirectory(process.env.INIT_CWD) ? process.env.INIT_CWD : process.cwd();
  return resolve(base, file);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function unreadable(path: string, code: string, shown: string): CliError {
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new CliError(`${shown}: no such file; give the path of pg_hba.conf (the server's: psql -c 'SHOW hba_file')`);
    case 'EACCES':
    case 'EPERM':
      return new CliError(`${shown} is not readable (permission denied): run as root or postgres (sudo -u postgres pnpm admin hba ...)`);
    case 'EISDIR':
      return new CliError(`${shown} is a folder: give the pg_hba.conf file in it (e.g. ${path.replace(/\/$/, '')}/pg_hba.conf)`);
    default:
      return new CliError(`${shown} could not be read (${code}): give a readable pg_hba.conf`);
  }
}

/** parseHba(), with a file past the read budget (an include loop) as one line of error. */
function parseWithin(text: string, options: ParseHbaOptions): HbaFile {
  try {
    return parseHba(text, options);
  } catch (error) {
    if (error instanceof HbaReadBudgetError) throw new CliError(error.message);
    throw error;
  }
}

/**
 * Reads pg_hba.conf as the doctor does: FILE when given (a path on this machine), else the usual
 * places under --root (`locateHba`, no session). Included files resolve relative to the including
 * file and, for a found file, under --root too.
 */
export async function loadHba(fileArg: string | undefined, options: HbaFileOptions): Promise<LoadedHba> {
  const explicitMajor = options.serverMajor === undefined ? undefined : parseMajor(options.serverMajor);
  if (options.root !== undefined && !isDirectory(options.root)) {
    throw new CliError(`--root ${options.root}: no such folder; give the folder that holds the server's /etc and /var`);
  }
  const files = new SystemFiles(options.root ?? '/');
  const under = files.root === '/' ? '' : ` under ${files.root}`;

  let file: string;
  let how: string;
  let pathMajor: number | null;
  let onDisk: (path: string) => string;
  if (fileArg !== undefined) {
    if (fileArg.trim() === '') throw new UsageError('FILE is empty: give the path of pg_hba.conf, or leave it out to look in the usual places');
    file = operatorPath(fileArg);
    how = 'given';
    pathMajor = majorInPath(file);
    onDisk = (path) => path;
  } else {
    const located = await locateHba({ files });
    if ('problem' in located) {
      throw new CliError(`pg_hba.conf not found in /etc/postgresql/*/main or /var/lib/pgsql/*/data${under}; give its path: pnpm admin hba check FILE`);
    }
    file = located.path;
    how = `${located.how}${under}`;
    pathMajor = located.major;
    onDisk = (path) => files.local(path);
  }

  const content = readUtf8(onDisk(file));
  if ('error' in content) throw unreadable(onDisk(file), content.error, onDisk(file) === file ? file : `${file}${under}`);

  const serverMajor = explicitMajor ?? pathMajor ?? DEFAULT_MAJOR;
  const majorFrom = explicitMajor !== undefined ? '--server-major' : pathMajor !== null ? 'the path' : 'default';
  const notes: string[] = [];
  if (!KNOWN_MAJORS.includes(serverMajor)) {
    notes.push(`PostgreSQL ${serverMajor}: this reads pg_hba.conf as PostgreSQL ${KNOWN_MAJORS[0]} to ${KNOWN_MAJORS.at(-1)} do; an older or newer server may differ`);
  }
  const parsed = parseWithin(content.text, {
    file,
    serverMajor,
    readFile: (path) => {
      const result = readUtf8(onDisk(path));
      if ('error' in result) throw Object.assign(new Error(result.error), { code: result.error });
      return result.text;
    },
    readDir: (path) => readdirSync(onDisk(path), { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() })),
  });
  return { file, how, serverMajor, majorFrom, parsed, notes };
}
