import type pg from 'pg';
import type { HbaFileRulesRow } from '../../hba/view.js';
import { hbaName } from './hba-name.js';

type RuleRow = Pick<HbaFileRulesRow, 'line_number' | 'type' | 'database' | 'user_name' | 'address' | 'netmask' | 'auth_method' | 'options' | 'error'>;

/** A netmask as a CIDR prefix length, or null when its bits are not contiguous (then written as is). */
export function prefixLength(netmask: string): number | null {
  const bits = netmask.includes(':')
    ? netmask.split(':').map((g) => parseInt(g || '0', 16).toString(2).padStart(16, '0')).join('')
    : netmask.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? bits.length : bits.indexOf('0') : null;
}

const KEYWORD = /^(all|sameuser|samerole|samegroup|replication)$/;
const token = (name: string) => (KEYWORD.test(name) ? name : hbaName(name));

/**
 * pg_hba_file_rules rows as pg_hba.conf text, each rule on its server line number (blank lines in
 * between) so the doctor's line numbers are the server's. Rows with an error are left out: the
 * server did not load them either. Pure, for tests.
 */
export function rulesAsText(rows: readonly RuleRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    if (r.error || !r.type) continue;
    while (lines.length < r.line_number - 1) lines.push('');
    const fields = [r.type, (r.database ?? []).map(token).join(','), (r.user_name ?? []).map(token).join(',')];
    if (r.type !== 'local') {
      const bits = r.netmask && r.address && !r.netmask.includes('::') ? prefixLength(r.netmask) : null;
      if (bits !== null) fields.push(`${r.address}/${bits}`);
      else fields.push(r.address ?? 'all', ...(r.netmask ? [r.netmask] : []));
    }
    fields.push(r.auth_method ?? 'reject', ...(r.options ?? []));
    lines.push(fields.join('   '));
  }
  return lines.join('\n') + '\n';
}

export type ServerRules = { text: string; path: string; major: number | null } | { text?: undefined; path: string | null };

/**
 * A remote server's rules as it loaded them, read through the session: the view pg_hba_file_rules
 * (superusers, or a role granted it). Without that privilege: the file's path on the server, when
 * SHOW hba_file is allowed, so the operator knows what to copy.
 */
export async function rulesFromServer(session: pg.Client): Promise<ServerRules> {
  const major = Math.floor(Number((await session.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]?.v) / 10_000) || null;
  let path: string | null = null;
  try {
    path = (await session.query<{ hba_file: string }>('show hba_file')).rows[0]?.hba_file ?? null;
  } catch {
    // not allowed: the operator finds it on the server
  }
  try {
    // In rule order as the server reads them (includes, from PG 16, interleave files).
    const { rows } = await session.query<RuleRow>('select line_number, type, database, user_name, address, netmask, auth_method, options, error from pg_hba_file_rules');
    return { text: rulesAsText(rows), path: path ?? 'pg_hba.conf', major };
  } catch {
    return { path };
  }
}
