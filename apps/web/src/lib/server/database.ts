import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, createOrm, loadConfig, withSchemaLock, type Orm, type ResolvedConfig } from '@kit-db-test/schema';

/** Every statement, lock wait and pool wait of the site ends by then (the page waits 3 s at most). */
export const STATEMENT_TIMEOUT_MS = 2500;

export interface Database {
  config: ResolvedConfig;
  orm: Orm;
}

let opening: Promise<Database> | undefined;

/**
 * The process's one ORM, opened on first use (never at import, so a broken configuration or a
 * down database cannot stop the server from starting and explaining itself). The connection
 * itself is lazy: a database that is down now is simply tried again on the next request.
 */
export function openDatabase(): Promise<Database> {
  opening ??= open().catch((error: unknown) => {
    opening = undefined; // a fixed profile is picked up on the next request
    throw error;
  });
  return opening;
}

async function open(): Promise<Database> {
  const config = loadConfig();
  // Below the page's own bound: a statement the page gave up on is cancelled by the server, not
  // left to commit after the user was told it failed.
  const orm = await createOrm(config, { statementTimeoutMs: STATEMENT_TIMEOUT_MS });
  if (config.target.driver === 'sqlite' && config.profile.selectedBy.kind === 'default') {
    // The embedded default needs no set-up: create its folder and table on first use. Other
    // profiles are the operator's, brought up by `pnpm admin init-database`.
    try {
      mkdirSync(dirname(config.target.path), { recursive: true });
      const newFile = !existsSync(config.target.path);
      // Under SQLite's write lock: site processes starting together (WORKERS) each find the table
      // as the first one left it instead of creating it twice.
      await withSchemaLock(orm, () => orm.schema.update({ safe: true, dropTables: false }));
      if (newFile) chmodSync(config.target.path, 0o640); // SQLite's default 0644 lets every user read the rows

    } catch {
      // Left to the status panel, which reports the same failure with its fix.
    }
  }
  return { config, orm };
}

/** For tests and shutdown: closes the pool so the next openDatabase() starts afresh. */
export async function closeDatabase(): Promise<void> {
  const current = opening;
  opening = undefined;
  if (current) await (await current.catch(() => undefined))?.orm.close();
}

export { ConfigError };
