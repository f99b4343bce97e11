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
  | { ok: false; networkError: { code: string; message: string }; ms: number };

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
    ...(tlsOptions(target) ? { ssl: tlsOptions(target) } : {}),
  });
  // An 'error' event after connect (server restarting) must not crash the doctor.
  client.on('error', () => undefined);
  const start = performance.now();
  const ms = () => Math.round(performance.now() - start);
  try {
    await client.connect();
    return { ok: true, client, ms: ms() };
  } catch (error) {
    await client.end().catch(() => undefined);
    const e = error as { code?: string; message?: string; severity?: string; detail?: string };
    if (e.code && /^[0-9A-Z]{5}$/.test(e.code)) {
      return { ok: false, serverError: { code: e.code, message: e.message ?? '', severity: e.severity, detail: e.detail }, ms: ms() };
    }
    const timeout = /timeout/i.test(e.message ?? '');
    return { ok: false, networkError: { code: timeout ? 'ETIMEDOUT' : (e.code ?? 'ERROR'), message: e.message ?? String(error) }, ms: ms() };
  }
}
