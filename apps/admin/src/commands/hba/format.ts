import { basename } from 'node:path';
import type { Colors } from '../../cli/output.js';
import type { HbaAddress, HbaNameToken, HbaRule } from '../../hba/index.js';

/** Option values that are secrets: never printed, like every password kit-db-test shows. */
const SECRET_OPTIONS = ['ldapbindpasswd', 'radiussecrets'];
const SECRET_IN_TEXT = new RegExp(`(\\b(?:${SECRET_OPTIONS.join('|')})\\s*=\\s*)("(?:[^"]|"")*"|[^\\s,]+(?:,[^\\s,]+)*)`, 'gi');

export const MASK = '********';

/** Text with the values of secret options (ldapbindpasswd=, radiussecrets=) masked. */
export function maskSecrets(text: string): string {
  return text.replace(SECRET_IN_TEXT, `$1${MASK}`);
}

/** name=value strings (as pg_hba_file_rules shows them) as an object, secrets masked. */
export function optionsObject(view: string[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const option of view ?? []) {
    const eq = option.indexOf('=');
    const name = eq < 0 ? option : option.slice(0, eq);
    const value = eq < 0 ? '' : option.slice(eq + 1);
    out[name] = SECRET_OPTIONS.includes(name.toLowerCase()) ? MASK : value;
  }
  return out;
}

/** A line as written, on one line, whitespace collapsed and secrets masked. */
export function lineText(raw: string): string {
  return maskSecrets(raw.trim().replace(/\s+/g, ' '));
}

/** `line 3`, or `extra.conf:3` for a line of an included file. */
export function where(entry: { file: string; line: number }, mainFile: string): string {
  return entry.file === mainFile ? `line ${entry.line}` : `${basename(entry.file)}:${entry.line}`;
}

/** `line 3 (local all all peer)` */
export function showRule(rule: HbaRule, mainFile: string): string {
  return `${where(rule, mainFile)} (${lineText(rule.raw)})`;
}

export function tokens(list: HbaNameToken[]): string {
  return list.map((t) => (t.quoted ? `"${t.text.replace(/"/g, '""')}"` : t.text)).join(',');
}

function prefixLength(mask: bigint, width: number): number | null {
  const bits = mask.toString(2).padStart(width, '0');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') < 0 ? width : bits.indexOf('0') : null;
}

/** An address field for people: `127.0.0.1/32`, `samenet`, `.example.org`, `all`. */
export function addressText(address: HbaAddress | null): string {
  if (!address) return '';
  switch (address.kind) {
    case 'ip': {
      const prefix = prefixLength(address.maskBits, address.family === 4 ? 32 : 128);
      return prefix === null ? `${address.address} ${address.netmask}` : `${address.address}/${prefix}`;
    }
    case 'hostname':
      return address.name;
    default:
      return address.kind;
  }
}

/** `1 rule`, `2 rules` */
export function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Rows padded into columns (the last column is not padded). */
export function table(rows: string[][], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** `pg_hba.conf /etc/postgresql/15/main/pg_hba.conf (the usual place; read as PostgreSQL 15, from the path)` */
export function header(file: string, how: string, serverMajor: number, majorFrom: string, colors: Colors): string {
  const version = majorFrom === 'default' ? `PostgreSQL ${serverMajor}, the default: give --server-major N for another` : `PostgreSQL ${serverMajor}, from ${majorFrom}`;
  return `${colors.bold('pg_hba.conf')} ${file} ${colors.dim(`(${how}; read as ${version})`)}`;
}
