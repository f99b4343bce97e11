import { chmodSync, chownSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createOrm, loadConfig } from '@kit-db-test/schema';
import {
  createNetworkNamespace,
  makeTestCertificates,
  pgServers,
  startPostgres,
  startSite,
  tempProject,
  type NetworkNamespace,
  type PgCluster,
  type TempProject,
  type TestCertificates,
} from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const server = pgServers().find((s) => s.kind === 'system') ?? pgServers()[0]!;

describe(`the site, its database on its own host over TLS (${server.kind} PostgreSQL ${server.version})`, () => {
  let dbHost: NetworkNamespace;
  let cluster: PgCluster;
  let certs: TestCertificates;
  let project: TempProject;

  beforeAll(async () => {
    dbHost = await createNetworkNamespace();
    cluster = await startPostgres({ server, netns: dbHost.name, listenAddresses: dbHost.address, hba: `hostssl all all ${dbHost.hostAddress}/32 scram-sha-256` });
    certs = await makeTestCertificates(dbHost.address);
    const { uid, gid } = statSync(cluster.dataDir);
    for (const [from, to] of [[certs.server.cert, 'server.crt'], [certs.server.key, 'server.key']] as const) {
      copyFileSync(from, join(cluster.dataDir, to));
      chownSync(join(cluster.dataDir, to), uid, gid);
      chmodSync(join(cluster.dataDir, to), 0o600);
    }
    await cluster.admin('ALTER SYSTEM SET ssl = on');
    await cluster.setHba(`hostssl all all ${dbHost.hostAddress}/32 scram-sha-256`);
    project = tempProject();
    const orm = await createOrm(loadConfig({ root: project.root, env: { DATABASE_URL: url('verify-full', true) } }));
    await orm.schema.create();
    await orm.close();
  });
  afterAll(async () => {
    await cluster?.destroy();
    await dbHost?.destroy();
    certs?.remove();
    project?.remove();
  });

  const url = (sslmode: string, withCa: boolean) =>
    `${cluster.tcpUrl({}, dbHost.address)}?sslmode=${sslmode}${withCa ? `&sslrootcert=${encodeURIComponent(certs.ca)}` : ''}`;

  it('verify-full against a private CA by IP: the status panel shows TLS on, the protocol, and that the certificate was verified', async () => {
    await using site = await startSite({ KDT_ROOT: project.root, DATABASE_URL: url('verify-full', true) });
    const health = await fetch(`${site.url}health`);
    expect(health.status).toBe(200);
    const page = (await (await fetch(site.url)).text()).replace(/<!--.*?-->/g, '');
    expect(page).toMatch(/<dt>SSL<\/dt>\s*<dd>\s*on, TLSv1\.3, certificate verified \(chain and name\)\s*<\/dd>/);
  });

  it('require: encrypted, and the panel says the certificate was not verified', async () => {
    await using site = await startSite({ KDT_ROOT: project.root, DATABASE_URL: url('require', false) });
    const page = (await (await fetch(site.url)).text()).replace(/<!--.*?-->/g, '');
    expect(page).toMatch(/<dt>SSL<\/dt>\s*<dd>\s*on, TLSv1\.3, certificate not verified\s*<\/dd>/);
  });

  it('verify-full without the private CA: /health and the page answer 503 with the failure, the site keeps running', async () => {
    await using site = await startSite({ KDT_ROOT: project.root, DATABASE_URL: url('verify-full', false) });
    const health = await fetch(`${site.url}health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { db: { ok: boolean; error?: { kind: string } } };
    expect(body.db.ok).toBe(false);
    expect(body.db.error?.kind).toBe('tls');
    expect((await fetch(site.url)).status).toBe(503);
    expect((await fetch(`${site.url}health`)).status).toBe(503);
  });
});
