import { dirname } from 'node:path';
import type { Database } from './database.js';
import { assertRoomToWrite } from './free-space.js';
import { rememberSuccess } from './recent-success.js';
import { probeWrite } from './stuff-store.js';
import { elapsed } from './with-timeout.js';

/**
 * A successful write probe is remembered this long. The probe is a transaction of its own (begin,
 * insert, rollback: three round trips, more than the page's read); under load, one probe a second
 * says as much as one per view. A failed probe is never remembered: the next view probes again.
 */
export const WRITE_PROBE_TTL_MS = 1000;

/** Whether writes work (the page and /health ask the same probe): its duration, and how old the answer is. */
export const recentWriteProbe = rememberSuccess(WRITE_PROBE_TTL_MS, async (db: Database) => {
  const start = performance.now();
  await probeWrite(db.orm);
  if (db.config.target.driver === 'sqlite') assertRoomToWrite(dirname(db.config.target.path));
  return elapsed(start);
});
