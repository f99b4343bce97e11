import type { PostgresTarget } from '@kit-db-test/schema';
import { hbaName } from './hba-name.js';

export { hbaName };

/** What the server says it saw in "no pg_hba.conf entry for host …" (or "rejects connection for host …"): the client as it arrived. */
export interface SeenClient {
  /** the address the server saw (after any NAT or proxy on the way) */
  address: string;
  user: string;
  database: string;
  /** whether the connection was encrypted with TLS */
  ssl: boolean;
}

// PG 14+: …, database "kdt", SSL encryption | GSS encryption | no encryption; before 14: SSL on | SSL off.
const ENCRYPTION = '(SSL encryption|GSS encryption|no encryption|SSL on|SSL off)';
const FOR_HOST = '(?:no pg_hba\\.conf entry|pg_hba\\.conf rejects connection) for host "([^"]*)"';
const REFUSAL = new RegExp(`${FOR_HOST}, user "(.*)", database "(.*)", ${ENCRYPTION}`);
const REPLICATION = new RegExp(`(?:no pg_hba\\.conf entry|pg_hba\\.conf rejects) (?:for )?replication connection (?:from|for) host "([^"]*)", user "(.*)", ${ENCRYPTION}`);

/** The client address and TLS state in a refusal message, or null when the message is another. */
export function parseHbaRefusal(message: string): SeenClient | null {
  const m = REFUSAL.exec(message);
  const r = m ? null : REPLICATION.exec(message);
  const encryption = m?.[4] ?? r?.[3];
  if (!encryption) return null;
  const ssl = encryption === 'SSL encryption' || encryption === 'SSL on';
  return m ? { address: m[1]!, user: m[2]!, database: m[3]!, ssl } : { address: r![1]!, user: r![2]!, database: 'replication', ssl };
}

/**
 * A line for the app when pg_hba.conf itself could not be read: from the address and TLS state
 * the server saw (`hostssl` for a TLS client), else this machine's loopback.
 */
export function lineForRefusal(target: PostgresTarget, seen: SeenClient | null): string {
  const [database, user] = [hbaName(target.database), hbaName(target.user)];
  if (target.socket) return `local   ${database}   ${user}   scram-sha-256`;
  const address = seen ? `${seen.address}${seen.address.includes(':') ? '/128' : '/32'}` : '127.0.0.1/32';
  return `${seen?.ssl ? 'hostssl' : 'host'}   ${database}   ${user}   ${address}   scram-sha-256`;
}
