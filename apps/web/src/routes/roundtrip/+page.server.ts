import { fail } from '@sveltejs/kit';
import { openDatabase, recoverFrom, type Database } from '#lib/server/database.js';
import { explainFailure } from '#lib/server/explain-failure.js';
import { publicFailure } from '#lib/server/public-view.js';
import { PAGE_DB_TIMEOUT_MS } from '#lib/server/status.js';
import { roundTrip } from '#lib/server/stuff-store.js';
import { elapsed, withTimeout } from '#lib/server/with-timeout.js';
import type { Actions } from './$types';

export const actions = {
  default: async ({ locals }) => {
    const start = performance.now();
    let db: Database | undefined;
    try {
      db = await openDatabase();
      const steps = await withTimeout(roundTrip(db.orm), PAGE_DB_TIMEOUT_MS, 'the round trip');
      return { steps, totalMs: elapsed(start), failure: null };
    } catch (error) {
      recoverFrom(error, db);
      const failure = explainFailure(error, db?.config);
      return fail(503, { steps: [], totalMs: elapsed(start), failure: locals.details ? failure : publicFailure(failure) });
    }
  },
} satisfies Actions;
