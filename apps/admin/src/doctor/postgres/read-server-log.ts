import type { DoctorContext } from '../context.js';
import { lastRefusal, serverLogCandidates, type LoggedRefusal } from './server-log.js';

/** The latest refusal of `user` in the server log (--server-log, else where distributions keep it). */
export function readRefusal(context: DoctorContext, user: string): { refusal: LoggedRefusal | null; problem: string | null } {
  const place = context.serverPlace;
  if (!context.options.serverLog && place && !place.local) {
    // This machine's /var/log/postgresql, if any, is another cluster's.
    return { refusal: null, problem: `the server log is on ${place.host}, the database host (${place.why}): give a copy with --server-log PATH` };
  }
  const candidates = context.options.serverLog ? [context.options.serverLog] : serverLogCandidates(context.files);
  if (candidates.length === 0) return { refusal: null, problem: 'no server log found (looked in /var/log/postgresql and /var/lib/pgsql/*/data/log; give --server-log PATH)' };
  const problems: string[] = [];
  for (const path of candidates) {
    const read = context.files.readTail(path);
    if ('error' in read) {
      problems.push(`${path} is not readable (${read.error})${read.error === 'EACCES' ? ': run the doctor as root or postgres to read it' : ''}`);
      continue;
    }
    const refusal = lastRefusal(read.text, user);
    if (refusal) return { refusal, problem: null };
  }
  return { refusal: null, problem: problems.join('; ') || `the server log has no refusal for "${user}"` };
}
