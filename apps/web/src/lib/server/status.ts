import { describeConfig } from '@kit-db-test/schema';
import { explainFailure, type Failure } from './explain-failure.js';
import { openDatabase, recoverFrom, type Database } from './database.js';
import { cachedIdentity, type DbIdentity } from './identity.js';
import type { Cursor } from './page-sql.js';
import { emptyPage, type Page } from './pagination.js';
import { legacyPageCursor, readPage, type StuffView } from './stuff-store.js';
import { elapsed, withTimeout } from './with-timeout.js';
import { recentWriteProbe } from './write-probe.js';

/** How long the page waits for the database before it says so instead of hanging. */
export const PAGE_DB_TIMEOUT_MS = 3000;

export interface Check {
  ok: boolean;
  /** how long the check took */
  ms: number;
  /** how long ago it ran: 0 for this request, more for a write probe remembered from a moment ago */
  ageMs: number;
}

export interface PageState {
  profile: string | null;
  driver: 'postgresql' | 'sqlite' | null;
  /** the configured target, password masked */
  target: string | null;
  reads: Check | null;
  writes: Check | null;
  identity: DbIdentity | null;
  failure: Failure | null;
  rows: StuffView[];
  page: Page;
}

async function timedCheck<T>(work: () => Promise<T>, what: string): Promise<{ check: Check; value: T }> {
  const start = performance.now();
  const value = await withTimeout(work(), PAGE_DB_TIMEOUT_MS, what);
  return { check: { ok: true, ms: elapsed(start), ageMs: 0 }, value };
}

/**
 * Everything the page shows about the database, in dependency order: identity and reads (count
 * and the requested page of rows), then writes (a rolled-back insert, remembered for a second when
 * it succeeds). The first failure stops the rest and is explained; a failed step has ok=false, a
 * step never tried is null.
 */
export async function pageState(cursor: Cursor, knownFailure?: Failure): Promise<PageState> {
  let db: Database | undefined;
  const state: PageState = {
    profile: null,
    driver: null,
    target: null,
    reads: null,
    writes: null,
    identity: null,
    failure: null,
    rows: [],
    page: emptyPage(),
  };
  // A form post that just failed on the database: say so without waiting on it a second time.
  if (knownFailure) return { ...state, failure: knownFailure };
  let step: 'reads' | 'writes' = 'reads';
  const started = performance.now();
  try {
    db = await openDatabase();
    const described = describeConfig(db.config);
    state.profile = described.profile.name;
    state.driver = described.driver;
    state.target = described.target;
    const orm = db.orm;
    const reads = await timedCheck(async () => {
      const [identity, { page, rows }] = await Promise.all([cachedIdentity(db!), readPage(orm, cursor)]);
      return { identity: identity.value, page, rows };
    }, 'reading rows');
    Object.assign(state, { reads: reads.check, identity: reads.value.identity, page: reads.value.page, rows: reads.value.rows });
    step = 'writes';
    const probe = await withTimeout(recentWriteProbe(db), PAGE_DB_TIMEOUT_MS, 'writing a probe row');
    state.writes = { ok: true, ms: probe.value, ageMs: Math.round(probe.ageMs) };
  } catch (error) {
    state[step] = { ok: false, ms: elapsed(started), ageMs: 0 };
    recoverFrom(error, db);
    state.failure = explainFailure(error, db?.config);
  }
  return state;
}

/**
 * The cursor an old `?page=N` link now stands for; undefined when the database cannot say (the
 * page is then shown as the newest, with the failure explained by pageState).
 */
export async function legacyCursor(number: number): Promise<Cursor | undefined> {
  let db: Database | undefined;
  try {
    db = await openDatabase();
    return await withTimeout(legacyPageCursor(db.orm, number), PAGE_DB_TIMEOUT_MS, 'finding the page');
  } catch (error) {
    recoverFrom(error, db);
    return undefined;
  }
}
