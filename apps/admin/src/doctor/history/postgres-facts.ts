import type pg from 'pg';
import type { DoctorContext } from '../context.js';
import { readHbaVerdict } from '../postgres/read-hba.js';
import type { Facts, RuleFact } from './run-record.js';

const SETTINGS = ['listen_addresses', 'port', 'ssl', 'password_encryption'];

export const collapse = (text: string) => text.trim().replace(/\s+/g, ' ');

async function one<T extends pg.QueryResultRow>(session: pg.Client, sql: string, params: unknown[] = []): Promise<T | null> {
  try {
    return (await session.query<T>(sql, params)).rows[0] ?? null;
  } catch {
    // not allowed for this role (pg_authid), or an older server: the fact stays unknown
    return null;
  }
}

/** The kind of a stored password, never the hash itself. */
export function passwordKind(stored: string | null): string {
  if (stored === null) return 'none';
  if (stored.startsWith('SCRAM-SHA-256$')) return 'scram-sha-256';
  if (/^md5[0-9a-f]{32}$/.test(stored)) return 'md5';
  return 'other';
}

/**
 * What the server showed this run: the login's outcome, pg_hba.conf's rules in order and the
 * line that takes the app's connection, the settings that matter, the role, database and table.
 */
export async function postgresFacts(context: DoctorContext): Promise<Facts> {
  const facts: Facts = {};
  const attempt = context.login;
  if (attempt) {
    facts['pg.login'] = attempt.ok
      ? 'accepted'
      : 'serverError' in attempt
        ? `refused (SQLSTATE ${attempt.serverError.code})`
        : 'passwordMissing' in attempt
          ? 'no password configured'
          : `no answer (${attempt.networkError.code})`;
  }
  const hba = await readHbaVerdict(context);
  if (hba.parsed && hba.location) {
    facts['pg.hba.file'] = hba.location.path;
    facts['pg.hba.rules'] = hba.parsed.rules.map((r): RuleFact => ({ line: r.line, text: collapse(r.raw) }));
    facts['pg.hba.decides'] = hba.verdict?.matched ? collapse(hba.verdict.matched.text) : 'no line';
  }
  const session = context.session;
  if (session) {
    for (const name of SETTINGS) {
      const row = await one<{ v: string }>(session, 'select current_setting($1) as v', [name]);
      facts[`pg.setting.${name}`] = row?.v ?? null;
    }
    const role = await one<{ login: boolean }>(session, 'select rolcanlogin as login from pg_roles where rolname = current_user');
    facts['pg.role.login'] = role ? (role.login ? 'LOGIN' : 'NOLOGIN') : null;
    // Readable by superusers only; the kind is kept, never the stored value.
    const stored = await one<{ p: string | null }>(session, 'select rolpassword as p from pg_authid where rolname = current_user');
    facts['pg.role.password'] = stored ? passwordKind(stored.p) : null;
    facts['pg.database'] = 'present';
    const table = await one<{ t: string | null }>(session, "select to_regclass('stuff')::text as t");
    facts['pg.table.stuff'] = table ? (table.t ? 'present' : 'absent') : null;
  } else if (attempt && 'serverError' in attempt && attempt.serverError.code === '3D000') {
    facts['pg.database'] = 'absent';
  }
  return facts;
}
