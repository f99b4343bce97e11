import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { classifyDatabaseError, ConfigError, createOrm, findOverlongThings, loadConfig, makePrivateFolder, withSchemaLock, type Orm, type ResolvedConfig } from '@kit-db-test/schema';
import { mustReopen } from './reopen-policy.js';

/** Every statement, lock wait and pool wait of the site ends by then (the page waits 3 s at most). */
export const STATEMENT_TIMEOUT_MS = 2500;

export interface Database {
  config: ResolvedConfig;
  orm: Orm;
}

let opening: Promise<Database> | undefined;
let current: Database | undefined;

/**
 * The process's one ORM, opened on first use (never at import, so a broken configuration or a
 * down database cannot stop the server from starting and explaining itself). The connection
 * itself is lazy: a database that is down now is simply tried again on the next request.
 */
export function openDatabase(): Promise<Database> {
  if (!opening) {
    const attempt: Promise<Database> = open().then(
      (db) => {
        if (opening === attempt) current = db;
        return db;
      },
      (error: unknown) => {
        if (opening === attempt) opening = undefined; // a fixed profile is picked up on the next request
        throw error;
      },
    );
    opening = attempt;
  }
  return opening;
}

async function open(): Promise<Database> {
  const config = loadConfig();
  // Below the page's own bound: a statement the page gave up on is cancelled by the server, not
  // left to commit after the user was told it failed.
  const orm = await createOrm(config, { statementTimeoutMs: STATEMENT_TIMEOUT_MS });
  if (config.target.driver === 'sqlite' && config.profile.selectedBy.kind === 'default') {
    // The embedded default needs no set-up: create its folder and table on first use. Other
    // profiles are the operator's, brought up by `pnpm admin init-database`. The file and the
    // journal files beside it are kept private by createOrm.
    try {
      makePrivateFolder(dirname(config.target.path));
      const newFile = !existsSync(config.target.path);
      // Under SQLite's write lock: site processes starting together (WORKERS) each find the table
      // as the first one left it instead of creating it twice. Adding the things limit rebuilds the
      // table, and MikroORM runs that outside a transaction: a row too long for it would stop the
      // rebuild half-way. Such a table is left as it is; the doctor and init-database say what to do.
      await withSchemaLock(orm, async () => {
        const blocked = !newFile && (await findOverlongThings(orm).then((found) => found.count > 0, () => false));
        if (!blocked) await orm.schema.update({ safe: true, dropTables: false });
      });
    } catch {
      // Left to the status panel, which reports the same failure with its fix.
    }
  }
  return { config, orm };
}

/**
 * Called with every failure of a request on `db`: when the failure leaves the connection unusable
 * (a SQLite file that was full, read-only or failing, a rollback that failed), the connection is
 * closed and the next request opens a new one, so the site recovers by itself once the cause is
 * gone, without a restart.
 */
export function recoverFrom(error: unknown, db: Database | undefined): void {
  if (!db || db !== current) return; // not opened, or already replaced
  if (!mustReopen(error, classifyDatabaseError(error, db.config).code, db.config.target.driver)) return;
  opening = undefined;
  current = undefined;
  // Not awaited: a connection some failed step never handed back may keep the close waiting.
  void db.orm.close().catch(() => undefined);
}

/** For tests and shutdown: closes the pool so the next openDatabase() starts afresh. */
export async function closeDatabase(): Promise<void> {
  const pending = opening;
  opening = undefined;
  current = undefined;
  if (pending) await (await pending.catch(() => undefined))?.orm.close();
}

export { ConfigError };
