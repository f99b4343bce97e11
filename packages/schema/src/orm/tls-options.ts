import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import type { PostgresTarget } from '../config/database-url.js';

/**
 * node-postgres' `ssl` option for a target, with libpq's meanings: `require` encrypts without
 * checking the certificate (but checks the chain when a root certificate is given, as libpq does);
 * `verify-ca` checks the chain and not the name; `verify-full` checks the chain and that the host
 * in the URL (a name, or an IP address against the certificate's IP SANs) is one of its names.
 * Without sslrootcert the chain is checked against the system's CAs (sslrootcert=system).
 */
export function tlsOptions(target: PostgresTarget, read: (path: string) => Buffer = readFileSync): ConnectionOptions | undefined {
  if (target.sslmode === 'disable' || target.socket) return undefined;
  const mode = target.sslmode === 'require' && target.sslrootcert && target.sslrootcert !== 'system' ? 'verify-ca' : target.sslmode;
  const client = target.sslcert && target.sslkey ? { cert: read(target.sslcert), key: read(target.sslkey) } : {};
  // node-postgres sends SNI only for a name; the name check below does not rely on it.
  const sni = isIP(target.host) ? {} : { servername: target.host };
  if (mode === 'require') return { rejectUnauthorized: false, ...client, ...sni };
  const ca = target.sslrootcert && target.sslrootcert !== 'system' ? { ca: read(target.sslrootcert) } : {};
  return {
    rejectUnauthorized: true,
    ...ca,
    ...client,
    ...sni,
    checkServerIdentity: mode === 'verify-full' ? (_host, cert) => checkServerIdentity(target.host, cert) : () => undefined,
  };
}
