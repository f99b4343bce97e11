import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './cluster.js';
import { pgServers } from './servers.js';

async function login(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ user: string }>('select current_user as user');
    return rows[0]!.user;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('%s', (_name, server) => {
  it('starts with the app role able to log in over the socket and TCP, with a scram-sha-256 password', async () => {
    await using cluster = await startPostgres({ server });
    expect(await login(cluster.socketUrl())).toBe('kdt_app');
    expect(await login(cluster.tcpUrl())).toBe('kdt_app');
    const [role] = await cluster.admin<{ pw: string }>("select rolpassword as pw from pg_authid where rolname = 'kdt_app'");
    expect(role!.pw.startsWith('SCRAM-SHA-256$')).toBe(true);
    const [db] = await cluster.admin<{ owner: string }>(
      "select pg_get_userbyid(datdba) as owner from pg_database where datname = 'kdt_app'",
    );
    expect(db!.owner).toBe('kdt_app');
  });

  it("applies the caller's pg_hba.conf, and the server log names the deciding line", async () => {
    await using cluster = await startPostgres({ server, hba: 'local all all reject\nhost all all 127.0.0.1/32 scram-sha-256' });
    await expect(login(cluster.socketUrl())).rejects.toMatchObject({ code: '28000' });
    expect(await login(cluster.tcpUrl())).toBe('kdt_app');
    expect(cluster.log()).toMatch(/method=scram-sha-256 \(.*pg_hba\.conf:2\)/);
    await cluster.setHba('host all all 127.0.0.1/32 reject');
    await expect(login(cluster.tcpUrl())).rejects.toMatchObject({ code: '28000' });
  });

  it('stops and starts again on the same port, and destroy removes every file', async () => {
    const cluster = await startPostgres({ server });
    await cluster.stop();
    await expect(login(cluster.tcpUrl())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await cluster.start();
    expect(await login(cluster.tcpUrl())).toBe('kdt_app');
    await cluster.destroy();
    expect(existsSync(cluster.dir)).toBe(false);
  });
});
