import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateFolder, type SqliteTarget } from '@kit-db-test/schema';
import { CliError } from '../cli/cli-error.js';

function writableHint(folder: string): string {
  return `make it writable by the user running kit-db-test (e.g. chown -R USER ${folder}) or point the profile elsewhere`;
}

/**
 * Makes sure the SQLite file's folder exists and is writable (SQLite also writes a journal beside
 * the file). Returns whether the folder had to be created; in a dry run, only says so.
 */
export function prepareSqliteFolder(target: SqliteTarget, dryRun: boolean): { created: boolean } {
  const folder = dirname(target.path);
  if (!existsSync(folder)) {
    if (dryRun) return { created: true };
    try {
      makePrivateFolder(folder); // 0750 whatever the umask: the rows are not every local user's business
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(`SQLite folder ${folder} cannot be created (${code}). Next: ${writableHint(folder)}`);
    }
    return { created: true };
  }
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    if (existsSync(target.path)) accessSync(target.path, constants.R_OK | constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = (error as NodeJS.ErrnoException).path === target.path ? `SQLite file ${target.path}` : `SQLite folder ${folder}`;
    throw new CliError(`${what} is not writable (${code}). Next: ${writableHint(folder)}`);
  }
  return { created: false };
}
