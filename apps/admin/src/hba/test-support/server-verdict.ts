/**
 * What the server decided for one connection attempt, read from its log (log_connections = on):
 * the pg_hba.conf line and method it used, `reject` for a reject line, `no-entry` when no line
 * matched. PostgreSQL 15 does not log the line of a `trust` login: line is null then.
 */
export type ServerVerdict =
  | {
      kind: 'matched';
      /** null when the server did not say (a trust login on PostgreSQL 15) */
      line: number | null;
      /** the file when the server names it (PG16+ always, PG15 on accepted logins) */
      file: string | null;
      /** the method when the server names it; else the family of the failure */
      method: string | null;
      /** `password`: a password check failed (scram-sha-256, md5 or password); `peer`, `ident`, ... */
      failed?: string;
    }
  | { kind: 'reject' }
  | { kind: 'no-entry' };

export interface LogVerdict {
  verdict: ServerVerdict;
  /** The client address of the `connection received` line: `[local]` for the socket. */
  host: string | undefined;
}

const AUTHENTICATED = /connection authenticated: (?:identity|user)="(?:[^"]|"")*" method=(\S+) \((.*):(\d+)\)/;
const MATCHED_PG15 = /Connection matched pg_hba\.conf line (\d+): /;
const MATCHED_PG16 = /Connection matched file "(.*)" line (\d+): /;
const FAILED = /FATAL: {2}(\w+) authentication failed for user/;

/** Reads the verdict from the log text written after the attempt started; undefined if not there yet. */
export function serverVerdict(log: string): LogVerdict | undefined {
  const host = /connection received: host=(\S+)/.exec(log)?.[1];
  if (/FATAL: {2}pg_hba\.conf rejects connection/.test(log)) return { verdict: { kind: 'reject' }, host };
  if (/FATAL: {2}no pg_hba\.conf entry for host/.test(log)) return { verdict: { kind: 'no-entry' }, host };
  const auth = AUTHENTICATED.exec(log);
  if (auth) return { verdict: { kind: 'matched', method: auth[1]!, file: auth[2]!, line: Number(auth[3]) }, host };
  const failed = FAILED.exec(log)?.[1]?.toLowerCase();
  const m16 = MATCHED_PG16.exec(log);
  if (m16) return { verdict: { kind: 'matched', line: Number(m16[2]), file: m16[1]!, method: null, ...(failed ? { failed } : {}) }, host };
  const m15 = MATCHED_PG15.exec(log);
  if (m15) return { verdict: { kind: 'matched', line: Number(m15[1]), file: null, method: null, ...(failed ? { failed } : {}) }, host };
  // Accepted (or past authentication) without an authenticated identity: only trust does that.
  if (/connection authorized: |FATAL: {2}(database|role) ".*" does not exist/.test(log)) {
    return { verdict: { kind: 'matched', line: null, file: null, method: 'trust' }, host };
  }
  return undefined;
}
