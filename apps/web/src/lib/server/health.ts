import { APP } from './app-info.js';
import { openDatabase, recoverFrom, type Database } from './database.js';
import { explainFailure, type Failure } from './explain-failure.js';
import { identify } from './identity.js';
import { elapsed, withTimeout } from './with-timeout.js';
import { recentWriteProbe } from './write-probe.js';

/** A hung database gives 503 within this bound, not a hung request. */
export const HEALTH_TIMEOUT_MS = 2000;

export interface HealthReport {
  status: 'ok' | 'error';
  db: {
    ok: boolean;
    latencyMs: number;
    driver: 'postgresql' | 'sqlite' | null;
    serverVersion: string | null;
    database: string | null;
    user: string | null;
    error?: Pick<Failure, 'kind' | 'summary' | 'message' | 'code'>;
  };
  app: { version: string; instance: string };
}

// On SQLite, not ok while this process cannot write: a file it opened read-only, or a full disk,
// fails every write while reads go on. On PostgreSQL /health touches no table, so that a lock a
// migration holds on it does not take the site out of a load balancer.
async function identifyAndProbe(db: Database) {
  const identity = await identify(db.orm, db.config);
  if (db.config.target.driver === 'sqlite') await recentWriteProbe(db);
  return identity;
}

/**
 * The /health document: whether the database answers (on SQLite: and takes writes, by the page's
 * write probe, remembered for a second), who it is, and which process answered.
 */
export async function health(): Promise<HealthReport> {
  const start = performance.now();
  let db: Database | undefined;
  try {
    db = await openDatabase();
    const identity = await withTimeout(identifyAndProbe(db), HEALTH_TIMEOUT_MS, 'health check');
    return {
      status: 'ok',
      db: {
        ok: true,
        latencyMs: elapsed(start),
        driver: identity.driver,
        serverVersion: identity.serverVersion,
        database: identity.database,
        user: identity.user,
      },
      app: { ...APP },
    };
  } catch (error) {
    recoverFrom(error, db);
    const { kind, summary, message, code } = explainFailure(error, db?.config);
    return {
      status: 'error',
      db: {
        ok: false,
        latencyMs: elapsed(start),
        driver: db?.config.target.driver ?? null,
        serverVersion: null,
        database: db ? (db.config.target.driver === 'sqlite' ? db.config.target.path : db.config.target.database) : null,
        user: db && db.config.target.driver === 'postgresql' ? db.config.target.user : null,
        error: { kind, summary, message, code },
      },
      app: { ...APP },
    };
  }
}
