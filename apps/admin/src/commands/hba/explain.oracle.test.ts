import { pgServers, startPostgres, type PgCluster } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginVerdict } from '../../hba/test-support/login-verdict.js';
import type { LogVerdict } from '../../hba/test-support/server-verdict.js';
import { runAdmin } from '../../test-support/run-admin.js';

/** Tries to log in, then reads what the server decided from its log. */
async function attempt(cluster: PgCluster, url: string): Promise<LogVerdict['verdict']> {
  return (await loginVerdict(cluster, url, url.replace(/:[^@/]*@/, ':********@'))).verdict;
}

// The oracle: `hba explain` names the line a real server uses for the same connection.
describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('%s: hba explain', (_name, server) => {
  let cluster: PgCluster;
  let major: string;

  beforeAll(async () => {
    cluster = await startPostgres({ server, listenAddresses: '127.0.0.1' });
    const [row] = await cluster.admin<{ v: string }>("select current_setting('server_version_num') as v");
    major = String(Math.floor(Number(row!.v) / 10_000));
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  async function explain(args: string[]) {
    const run = await runAdmin(['hba', 'explain', cluster.hbaFile, '--json', '--server-major', major, ...args]);
    return { code: run.code, json: JSON.parse(run.stdout) };
  }

  it('agrees with the server on a shadowed line, a reject line and no line at all', async () => {
    const { user, database, password } = cluster.app;
    await cluster.setHba(
      [`local all all peer`, `local ${database} ${user} scram-sha-256`, `host all nobody_here 127.0.0.1/32 reject`, `host ${database} ${user} 127.0.0.1/32 scram-sha-256`].join('\n'),
    );

    // The socket: line 1 (peer) takes the app's login, line 2 written for it is hidden.
    const socket = await attempt(cluster, cluster.socketUrl({ user, password, database }));
    const local = await explain(['--type', 'local', '--database', database, '--user', user]);
    expect(socket).toMatchObject({ kind: 'matched', line: 1 });
    expect(local.code).toBe(0);
    expect(local.json.match).toMatchObject({ line: 1, method: 'peer' });
    expect(local.json.shadowed).toEqual([expect.objectContaining({ line: 2, method: 'scram-sha-256' })]);

    // TCP: the app's own line.
    const tcp = await attempt(cluster, cluster.tcpUrl({ user, password, database }));
    const host = await explain(['--type', 'host', '--address', '127.0.0.1', '--database', database, '--user', user]);
    expect(tcp).toMatchObject({ kind: 'matched', line: 4 });
    expect(host.json.match).toMatchObject({ line: 4, method: 'scram-sha-256' });

    // A reject line.
    const rejected = await attempt(cluster, cluster.tcpUrl({ user: 'nobody_here', password: 'x', database }));
    const reject = await explain(['--type', 'host', '--database', database, '--user', 'nobody_here']);
    expect(rejected.kind).toBe('reject');
    expect(reject.code).toBe(1);
    expect(reject.json.match).toMatchObject({ line: 3, method: 'reject' });

    // No line.
    const none = await attempt(cluster, cluster.tcpUrl({ user, password, database: 'postgres' }));
    const noEntry = await explain(['--type', 'host', '--database', 'postgres', '--user', user]);
    expect(none.kind).toBe('no-entry');
    expect(noEntry.code).toBe(1);
    expect(noEntry.json.match).toBeNull();
  });
});
