import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createNetworkNamespace } from '../network-namespace.js';
import { startPostgres } from './cluster.js';
import { pgServers } from './servers.js';

// Debian's PostgreSQL 15, as on a database host; the registry's build where the machine has none.
const server = pgServers().find((s) => s.kind === 'system') ?? pgServers()[0]!;

describe('a PostgreSQL on a private database host', () => {
  it('listens on that host\'s address, sees this machine\'s end of the link as the client, and not on loopback here', async () => {
    await using host = await createNetworkNamespace();
    await using cluster = await startPostgres({
      server,
      netns: host.name,
      listenAddresses: host.address,
      hba: `host all all ${host.hostAddress}/32 scram-sha-256`,
    });
    const client = new pg.Client({ connectionString: cluster.tcpUrl({}, host.address), connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      const { rows } = await client.query<{ addr: string }>('select host(inet_client_addr()) as addr');
      expect(rows[0]!.addr).toBe(host.hostAddress);
    } finally {
      await client.end();
    }
    // The superuser's socket connection still works from this machine.
    expect((await cluster.admin<{ one: number }>('select 1 as one'))[0]!.one).toBe(1);
    const local = new pg.Client({ connectionString: cluster.tcpUrl(), connectionTimeoutMillis: 5000 });
    await expect(local.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
