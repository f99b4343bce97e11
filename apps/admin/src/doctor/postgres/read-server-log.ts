import type { DoctorContext } from '../context.js';
import { lastConfigLoad, lastRefusal, logCommands, serverLogCandidates, type LoggedRefusal } from './server-log.js';

export interface RefusalReading {
  refusal: LoggedRefusal | null;
  /** why there is no account: which file, why it could not be read or held nothing */
  problem: string | null;
  /** what the operator can run to see the server's lines */
  fix: string[];
  /** the refusal was logged after the doctor's attempt began (not an older one of the same role) */
  ofAttempt: boolean;
}

function candidates(context: DoctorContext): string[] {
  return context.options.serverLog ? [context.options.serverLog] : serverLogCandidates(context.files);
}

/**
 * How long each server log is before the doctor logs in: what is written after the mark is the
 * attempt's own account, told apart from earlier refusals by position rather than by a name.
 */
export function markServerLogs(context: DoctorContext): void {
  const marks = new Map<string, number>();
  for (const path of candidates(context)) {
    const size = context.files.stat(path)?.size;
    if (size !== undefined) marks.set(path, size);
  }
  context.logMarks = marks;
}

/** The server log's account of the doctor's refused login (--server-log, else where distributions keep it). */
export function readRefusal(context: DoctorContext, user: string): RefusalReading {
  const place = context.serverPlace;
  if (!context.options.serverLog && place && !place.local) {
    // This machine's /var/log/postgresql, if any, is another cluster's.
    return { refusal: null, problem: `the server log is on ${place.host}, the database host (${place.why}): give a copy with --server-log PATH`, fix: [], ofAttempt: false };
  }
  const paths = candidates(context);
  if (paths.length === 0) {
    return {
      refusal: null,
      problem:
        'no server log file found (looked in /var/log/postgresql, /var/lib/pgsql/*/data/log and /var/lib/pgsql/data/log): with logging_collector off the server writes to the journal',
      fix: [...logCommands(context.files, null), 'or give --server-log PATH'],
      ofAttempt: false,
    };
  }
  const problems: string[] = [];
  for (const path of paths) {
    const read = context.files.readTail(path);
    if ('error' in read) {
      const why = read.error === 'EACCES' ? 'permission denied: the doctor runs as a user that may not read it' : read.error === 'ENOENT' ? 'not found' : read.error;
      problems.push(`${path} is not readable (${why})`);
      continue;
    }
    const mark = context.logMarks?.get(path);
    const size = context.files.stat(path)?.size;
    // A log rotated since the mark (shorter now) is read whole.
    const bytes = Buffer.from(read.text);
    const since = mark !== undefined && size !== undefined && size >= mark ? bytes.subarray(Math.max(0, bytes.length - (size - mark))).toString('utf8') : null;
    const ofAttempt = since !== null ? lastRefusal(since, user, { sinceAttempt: true }) : null;
    const refusal = ofAttempt ?? lastRefusal(read.text, user);
    if (refusal) return { refusal, problem: null, fix: [], ofAttempt: ofAttempt !== null };
    problems.push(`${path} holds no line for this refused login (the server may log elsewhere: log_destination, logging_collector)`);
  }
  const readable = paths.find((p) => !problems.some((q) => q.startsWith(`${p} is not readable`))) ?? paths[0]!;
  return { refusal: null, problem: problems.join('; '), fix: logCommands(context.files, readable), ofAttempt: false };
}

/** The server's last configuration load as its log tells it, from the first log that says. */
export function readLastConfigLoad(context: DoctorContext): { at: Date; log: string } | null {
  for (const path of candidates(context)) {
    const read = context.files.readTail(path);
    if ('error' in read) continue;
    const at = lastConfigLoad(read.text);
    if (at) return { at, log: path };
  }
  return null;
}
