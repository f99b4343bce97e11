import type { Failure } from './server/explain-failure.js';

const LABELS: Record<Failure['kind'], string> = {
  config: 'configuration invalid',
  connect: 'cannot connect',
  tls: 'TLS failed',
  timeout: 'no answer in time',
  authenticate: 'login refused',
  'database-missing': 'database missing',
  'table-missing': 'table missing',
  'schema-outdated': 'table out of date',
  permission: 'permission denied',
  'sqlite-file': 'SQLite file not writable',
  'disk-full': 'disk full',
  other: 'database error',
};

/** The short name of what failed, for the status panel. */
export function failureLabel(kind: Failure['kind']): string {
  return LABELS[kind];
}

/** "SQLSTATE 28P01" for a PostgreSQL code, "code ECONNREFUSED" for a system or SQLite one. */
export function codeLabel(code: string | null): string | null {
  if (code === null) return null;
  return /^[0-9A-Z]{5}$/.test(code) ? `SQLSTATE ${code}` : `code ${code}`;
}
