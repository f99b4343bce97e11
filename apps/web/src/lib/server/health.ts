import { APP } from './app-info.js';
import { openDatabase, type Database } from './database.js';
import { explainFailure, type Failure } from './explain-failure.js';
import { identify } from './identity.js';
import { elapsed, withTimeout } from './with-timeout.js';

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

/** The /health document: whether the database answers, who it is, and which process answered. */
export async function health(): Promise<HealthReport> {
  const start = performance.now();
  let db: Database | undefined;
  try {
    db = await openDatabase();
    const identity = await withTimeout(identify(db.orm, db.config), HEALTH_TIMEOUT_MS, 'health check');
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
