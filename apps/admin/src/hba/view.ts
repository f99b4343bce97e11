import { viewOptions } from './options.js';
import type { HbaAddress, HbaFile } from './types.js';

/** One row of the pg_hba_file_rules view (rule_number and file_name exist from PostgreSQL 16). */
export interface HbaFileRulesRow {
  rule_number?: number | null;
  file_name?: string;
  line_number: number;
  type: string | null;
  database: string[] | null;
  user_name: string[] | null;
  address: string | null;
  netmask: string | null;
  auth_method: string | null;
  options: string[] | null;
  error: string | null;
}

function addressColumns(address: HbaAddress | null): { address: string | null; netmask: string | null } {
  if (!address) return { address: null, netmask: null };
  switch (address.kind) {
    case 'ip':
      return { address: address.address, netmask: address.netmask };
    case 'hostname':
      return { address: address.name, netmask: null };
    default:
      return { address: address.kind, netmask: null };
  }
}

/** What `SELECT * FROM pg_hba_file_rules` shows for this file on the server it was parsed for. */
export function fileRulesView(hba: HbaFile): HbaFileRulesRow[] {
  const withFile = hba.serverMajor >= 16;
  return hba.entries.map((e) => {
    const head = withFile ? { rule_number: e.ruleNumber, file_name: e.file } : {};
    if (e.kind === 'invalid') {
      return {
        ...head,
        line_number: e.line,
        type: null,
        database: null,
        user_name: null,
        address: null,
        netmask: null,
        auth_method: null,
        options: null,
        error: e.viewError,
      };
    }
    return {
      ...head,
      line_number: e.line,
      type: e.type,
      database: e.databases.map((t) => t.text),
      user_name: e.users.map((t) => t.text),
      ...addressColumns(e.address),
      auth_method: e.method,
      options: viewOptions(e.method, e.type, e.options),
      error: e.viewError ?? null,
    };
  });
}
