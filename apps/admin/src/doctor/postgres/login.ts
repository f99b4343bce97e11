import { tlsOptions, type PostgresTarget } from '@kit-db-test/schema';
import pg from 'pg';

/** The server's error, as libpq's clients see it. */
export interface ServerError {
  code: string;
  message: string;
  severity: string | undefined;
  detail: string | undefined;
}

export type LoginAttempt =
  | { ok: true; client: pg.Client; ms: number }
  | { ok: false; serverError: ServerError; ms: number }
  | { ok: false; networkError: { code: string; message: string }; ms: number }
  /** the server asked for a password and the configuration gives none: the driver stops before answering */
  | { ok: false; passwordMissing: { method: string }; ms: number };

/** How long the doctor lets one statement, or the wait for a lock, take: whatever the role's own settings say. */
export function statementLimits(timeoutMs: number): { statementMs: number; lockMs: number } {
  return { statementMs: timeoutMs, lockMs: Math.max(100, Math.round(timeoutMs / 3)) };
}

/**
 * Logs in as the app would, with a hard timeout, and keeps the session open on success. A failure
 * is either the server talking (an SQLSTATE: it answered) or the network (it did not).
 */
export async function login(target: PostgresTarget, timeoutMs: number): Promise<LoginAttempt> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    ...(target.password ? { password: target.password.reveal() } : {}),
    connectionTimeoutMillis: timeoutMs,
    application_name: 'kit-db-test doctor',
    // Bounds each statement on the client side too: a server that stops answering mid-session.
    query_timeout: timeoutMs * 2,
    ...(tlsOptions(target) ? { ssl: tlsOptions(target) } : {}),
  });
  // An 'error' event after connect (server restarting) must not crash the doctor.
  client.on('error', () => undefined);
  const start = performance.now();
  const ms = () => Math.round(performance.now() - start);
  try {
    await client.connect();
    // A role's own statement_timeout (0: none) and locks held by others must not stretch the doctor's
    // bounds; the checks also SET LOCAL them around statements that take locks.
    const limits = statementLimits(timeoutMs);
    await client.query(`set statement_timeout = ${limits.statementMs}; set lock_timeout = ${limits.lockMs}`);
    return { ok: true, client, ms: ms() };
  } catch (error) {
    await client.end().catch(() => undefined);
    const e = error as { code?: string; message?: string; severity?: string; detail?: string };
    if (e.code && /^[0-9A-Z]{5}$/.test(e.code)) {
      return { ok: false, serverError: { code: e.code, message: e.message ?? '', severity: e.severity, detail: e.detail }, ms: ms() };
    }
    // pg throws these before it answers the server's password request: a configuration mistake.
    if (/client password must be a (non-empty )?string|Password must be a string/i.test(e.message ?? '')) {
      return { ok: false, passwordMissing: { method: /SASL|SCRAM/.test(e.message ?? '') ? 'scram-sha-256' : 'md5 or password' }, ms: ms() };
    }
    const timeout = /timeout/i.test(e.message ?? '');
    return { ok: false, networkError: { code: timeout ? 'ETIMEDOUT' : (e.code ?? 'ERROR'), message: e.message ?? String(error) }, ms: ms() };
  }
}
