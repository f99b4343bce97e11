import { dirname } from 'node:path';
import { describeEndpoint } from '../config/database-url.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { maskUrlPasswords } from '../config/mask-url.js';

export type FailureKind =
  | 'connect'
  | 'tls'
  | 'timeout'
  | 'authenticate'
  | 'database-missing'
  | 'table-missing'
  | 'schema-outdated'
  | 'permission'
  | 'sqlite-file'
  | 'disk-full'
  | 'other';

/** A database failure in an operator's terms: what failed, the server's own words, what to do next. */
export interface DatabaseFailure {
  kind: FailureKind;
  /** SQLSTATE (e.g. 28P01), a system error code (ECONNREFUSED) or a SQLite code, when known. */
  code: string | undefined;
  /** The server's or the system's message, with any URL password masked. */
  message: string;
  /** One line: what failed, in plain words. */
  summary: string;
  /** The next step: a command to run or an edit to make. */
  next: string;
}

const UNTRUSTED_CODES = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE']);

/** The TLS failure in words, or null when the error is not TLS's. */
function tlsProblem(code: string | undefined, message: string): string | null {
  if (/does not support SSL/.test(message)) return 'the server does not offer TLS (ssl = off) and the sslmode requires it';
  if (code && UNTRUSTED_CODES.has(code)) return "the server's certificate is issued by a CA this site does not trust (sslrootcert)";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return "the server's certificate is for another name than the host in the URL";
  if (code === 'CERT_HAS_EXPIRED') return "the server's certificate has expired";
  if (code === 'CERT_NOT_YET_VALID') return "the server's certificate is not valid yet";
  return null;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', '57P03']);

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, sqlState } = e as { code?: unknown; sqlState?: unknown };
    if (typeof sqlState === 'string') return sqlState;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return maskUrlPasswords(text.split('\n')[0] ?? '');
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Turns an error thrown while talking to the database into a DatabaseFailure. Pure: it reads
 * only the error and the configuration, so the site, init-database and the doctor agree.
 */
export function classifyDatabaseError(error: unknown, config: ResolvedConfig): DatabaseFailure {
  const code = codeOf(error);
  const message = messageOf(error);
  const target = config.target;
  const fail = (kind: FailureKind, summary: string, next: string): DatabaseFailure => ({ kind, code, message, summary, next });

  if (target.driver === 'sqlite') {
    const folder = dirname(target.path);
    if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
      return fail(
        'disk-full',
        `the disk is full: no room to write ${target.path} or its journal in ${folder}`,
        `free space on that filesystem (df -h ${folder} shows how much is left); the site writes again by itself once there is room`,
      );
    }
    if (code?.startsWith('SQLITE_IOERR')) {
      return fail('other', `the system failed to read or write ${target.path} (an I/O error)`, `check the disk and the kernel log (dmesg), then pnpm admin doctor; the site reopens the file on its next request`);
    }
    if (code?.startsWith('SQLITE_READONLY')) {
      return fail(
        'sqlite-file',
        `cannot write the SQLite file ${target.path}: it or its folder is read-only for the user running kit-db-test`,
        `make ${folder} and the file writable by that user (e.g. chown -R USER ${folder}); the site reopens the file on its next request, no restart needed`,
      );
    }
    const unopenable = /directory does not exist|unable to open database/i.test(message);
    if (unopenable || code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'ENOENT') {
      return fail(
        'sqlite-file',
        `cannot open or write the SQLite file ${target.path}`,
        `make ${folder} and the file writable by the user running kit-db-test (e.g. chown -R USER ${folder}), then pnpm admin init-database`,
      );
    }
    if (code === 'SQLITE_BUSY') {
      return fail('timeout', `the SQLite file ${target.path} stayed locked by another process`, 'find the process holding it (fuser -v the file) or retry');
    }
    if (/no such table/i.test(message)) {
      return fail('table-missing', `the table "stuff" does not exist in ${target.path}`, 'pnpm admin init-database');
    }
    if (/no such column|has no column named|ON CONFLICT clause does not match/i.test(message)) {
      return fail('schema-outdated', `the table "stuff" in ${target.path} is older than this version of kit-db-test`, 'pnpm admin init-database');
    }
    return fail('other', `SQLite failed on ${target.path}`, 'pnpm admin doctor');
  }

  const where = describeEndpoint(target);
  const user = quoteIdent(target.user);
  const db = quoteIdent(target.database);
  const tls = target.socket ? null : tlsProblem(code, message);
  if (tls) return fail('tls', `TLS to PostgreSQL at ${where} failed: ${tls}`, 'pnpm admin doctor (it shows the certificate and the fix)');
  if (code && CONNECT_CODES.has(code)) {
    const summary = target.socket
      ? `cannot reach PostgreSQL: no server answers on the socket ${where}`
      : `cannot reach PostgreSQL at ${where}`;
    return fail('connect', summary, 'check that the server runs (systemctl status postgresql) and listens there, then pnpm admin doctor');
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    return fail('timeout', `PostgreSQL at ${where} did not answer within ${config.connectTimeoutMs} ms`, 'check the host, the firewall and the server, then pnpm admin doctor');
  }
  switch (code) {
    case '53100':
      return fail('disk-full', `the disk of PostgreSQL at ${where} is full`, 'free space on the server\'s data directory (df -h on it), then pnpm admin doctor');
    case '28P01':
    case '28000':
      return fail('authenticate', `PostgreSQL refused the login of ${user} to ${db}`, 'pnpm admin doctor (it reads pg_hba.conf and says which line decided, and the fix)');
    case '3D000':
      return fail(
        'database-missing',
        `the database ${db} does not exist`,
        `create it as the postgres superuser: sudo -u postgres psql -c 'CREATE DATABASE ${db} OWNER ${user}'`,
      );
    case '42P01':
      return fail('table-missing', `the table "stuff" does not exist in ${db}`, 'pnpm admin init-database');
    // A column, or the unique index an ON CONFLICT names, that a newer version added.
    case '42703':
    case '42P10':
      return fail('schema-outdated', `the table "stuff" in ${db} is older than this version of kit-db-test`, 'pnpm admin init-database');
    case '42501': {
      // "permission denied for table stuff": the table exists but the role may not read or write
      // it (e.g. created by another role); "... for schema public": it may not create the table.
      const table = /permission denied for (?:table|relation|sequence) "?([\w.]+)"?/i.exec(message)?.[1];
      if (table) {
        return fail(
          'permission',
          `${user} lacks a privilege on ${table} in ${db}`,
          `grant it as the table's owner or the postgres superuser: sudo -u postgres psql -d ${db} -c 'GRANT SELECT, INSERT, UPDATE, DELETE ON stuff TO ${user}; GRANT USAGE ON SEQUENCE stuff_id_seq TO ${user}' (or make ${user} the owner: ALTER TABLE stuff OWNER TO ${user})`,
        );
      }
      return fail(
        'permission',
        `${user} lacks a privilege in ${db}`,
        `since PostgreSQL 15 only the database owner may create in schema public: sudo -u postgres psql -d ${db} -c 'GRANT CREATE ON SCHEMA public TO ${user}' (or make ${user} the owner: ALTER DATABASE ${db} OWNER TO ${user})`,
      );
    }
  }
  return fail('other', `PostgreSQL at ${where} failed`, 'pnpm admin doctor');
}
