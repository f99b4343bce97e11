import type { ServerPlace } from './server-place.js';

/** What pg_hba.conf does with the app's own connection, as the doctor's checks use it. */
export interface HbaLineRef {
  file: string;
  line: number;
  /** the line as written */
  text: string;
  method: string;
}

export interface HbaVerdict {
  /** the file read (the server's path) */
  file: string;
  /** the connection simulated, in words: `local connection to database "kdt" as "kdt"` */
  request: string;
  /** the first line that matches it, or null: "no pg_hba.conf entry" */
  matched: HbaLineRef | null;
  /** a later line written for this app (naming its database or user) that the matched line hides */
  shadowed: HbaLineRef | null;
  /** the first rule of the file (where a line for the app goes when nothing matches), null if none */
  firstRuleLine: number | null;
  /** the line to add for the app, in the file's style */
  suggestedLine: string;
  /** lines the server cannot parse (it then keeps the previous file, or does not start) */
  invalid: { line: number; message: string }[];
  /**
   * when no line matches: a line that would, were the client's TLS the other way (a hostssl line
   * and a client without TLS, or a hostnossl line and a TLS client)
   */
  tlsMismatch: { line: HbaLineRef; clientSsl: boolean } | null;
  /** how to make the server reload the file, on the host it runs on */
  reload: string;
  /** lines above the match that could not be evaluated (a regex too costly): one of them may decide instead */
  undecided: { line: number; detail: string }[];
}

export const RELOAD = 'systemctl reload postgresql (or: sudo -u postgres psql -c "SELECT pg_reload_conf()")';

/** The reload command for the server where it runs: a remote server reloads on its own host. */
export function reloadCommand(place: ServerPlace | undefined): string {
  if (!place || place.local) return RELOAD;
  const host = place.host.includes(':') ? `[${place.host}]` : place.host;
  return `on ${host} (the database host): systemctl reload postgresql, or as a superuser there: psql -h ${place.host} -U postgres -d postgres -c "SELECT pg_reload_conf()"`;
}

export function lineRef(ref: HbaLineRef): string {
  return `${ref.file} line ${ref.line}: ${ref.text.trim()}`;
}

/** A hostssl line and a client without TLS, or a hostnossl line and a TLS client, in words. */
export function tlsMismatchSummary(m: NonNullable<HbaVerdict['tlsMismatch']>): string {
  return m.clientSsl
    ? `line ${m.line.line} is hostnossl: it never matches a TLS client, and the app connects with TLS`
    : `line ${m.line.line} is hostssl: the app connects without TLS, so it does not match`;
}

/** The fix on the client's side first (the line says what the operator wants), then the line's. */
export function tlsMismatchFix(verdict: HbaVerdict): string[] {
  const m = verdict.tlsMismatch!;
  return m.clientSsl
    ? [`connect without TLS (sslmode=disable in the URL), or in ${verdict.file} add for the app: ${verdict.suggestedLine}`, verdict.reload]
    : [`connect with TLS: sslmode=verify-full (with sslrootcert=CA-FILE) in the URL; the server must have ssl = on`, `or in ${verdict.file} add for the app: ${verdict.suggestedLine}, then ${verdict.reload}`];
}
