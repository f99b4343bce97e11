import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { pass, skip, warn, type Check } from '../types.js';
import { locateServer } from './locate-server.js';
import { certificateLine, probeTls } from './tls-probe.js';

/** Whether the app's connection is encrypted, how, and whether the certificate is verified. */
export const tlsCheck: Check<DoctorContext> = {
  id: 'pg.tls',
  title: 'TLS',
  needs: ['pg.auth'],
  async run(context) {
    const target = context.config.target as PostgresTarget;
    if (target.socket) return skip('a unix socket: TLS does not apply');
    const place = context.serverPlace ?? (await locateServer(context));
    if (target.sslmode === 'disable') {
      if (place.local) return skip('sslmode=disable on this machine: not encrypted, nothing crosses a network');
      return warn(`not encrypted: sslmode=disable to ${target.host}, across the network`, [place.why], [
        'set ssl = on on the server and sslmode=verify-full with sslrootcert=CA-FILE in the URL',
      ]);
    }
    const session = context.session;
    const row = session ? (await session.query<{ ssl: boolean; version: string | null }>('select ssl, version from pg_stat_ssl where pid = pg_backend_pid()')).rows[0] : undefined;
    const probed = await probeTls(target.host, target.port, context.timeoutMs);
    const evidence = 'offered' in probed && probed.offered && probed.certificate ? [certificateLine(probed.certificate)] : [];
    const protocol = row?.version ?? ('offered' in probed && probed.offered ? probed.protocol : null) ?? 'TLS';
    const verifyCa = target.sslmode === 'verify-ca' || (target.sslmode === 'require' && target.sslrootcert !== undefined && target.sslrootcert !== 'system');
    if (target.sslmode === 'require' && !verifyCa) {
      return warn(`encrypted (${protocol}), but the certificate is not verified: sslmode=require accepts any server that answers`, evidence, [
        'set sslmode=verify-full and sslrootcert=CA-FILE (the CA that issued the server\'s certificate) in the URL',
      ]);
    }
    if (verifyCa) return pass(`encrypted (${protocol}), certificate chain verified (not its names: verify-full also checks that ${target.host} is one of them)`, evidence);
    return pass(`encrypted (${protocol}), certificate verified for ${target.host}`, evidence);
  },
};
