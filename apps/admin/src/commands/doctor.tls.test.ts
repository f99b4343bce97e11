import { chmodSync, chownSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createNetworkNamespace,
  makeTestCertificates,
  pgServers,
  startPostgres,
  tempProject,
  type CertificateFiles,
  type NetworkNamespace,
  type PgCluster,
  type TempProject,
  type TestCertificates,
} from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor, type DoctorReport } from '../test-support/doctor-report.js';
import { runAdmin } from '../test-support/run-admin.js';

const server = pgServers().find((s) => s.kind === 'system') ?? pgServers()[0]!;

describe(`pnpm admin doctor, TLS to a database on its own host (${server.kind} PostgreSQL ${server.version})`, () => {
  let dbHost: NetworkNamespace;
  let cluster: PgCluster;
  let project: TempProject;
  let certs: TestCertificates;
  let passwordFile: string;
  let hba: string;

  beforeAll(async () => {
    dbHost = await createNetworkNamespace();
    hba = `host    all   all   ${dbHost.hostAddress}/32   scram-sha-256`;
    cluster = await startPostgres({ server, netns: dbHost.name, listenAddresses: dbHost.address, hba });
    certs = await makeTestCertificates(dbHost.address);
    project = tempProject();
    passwordFile = project.writeFile('db-password', `${cluster.app.password}\n`);
    const init = await runAdmin(['init-database'], { env: env('disable') });
    if (init.code !== 0) throw new Error(`init-database failed: ${init.all}`);
  });
  afterAll(async () => {
    await cluster?.destroy();
    await dbHost?.destroy();
    certs?.remove();
    project?.remove();
  });

  /** Gives the server this certificate (ssl_cert_file/ssl_key_file in its data folder) and ssl = on, reloaded. */
  async function serve(files: CertificateFiles | null): Promise<void> {
    const { uid, gid } = statSync(cluster.dataDir);
    if (files) {
      for (const [from, to] of [[files.cert, 'server.crt'], [files.key, 'server.key']] as const) {
        copyFileSync(from, join(cluster.dataDir, to));
        chownSync(join(cluster.dataDir, to), uid, gid);
        chmodSync(join(cluster.dataDir, to), 0o600);
      }
    }
    await cluster.admin(`ALTER SYSTEM SET ssl = ${files ? 'on' : 'off'}`);
    await cluster.setHba(hba); // reloads, and waits for it
  }
  const url = (sslmode: string, extra = '') => `${cluster.tcpUrl({ password: undefined }, dbHost.address)}?sslmode=${sslmode}${extra}`;
  const env = (sslmode: string, extra = '') => ({ KDT_ROOT: project.root, DATABASE_URL: url(sslmode, extra), DATABASE_PASSWORD_FILE: passwordFile });
  const run = (sslmode: string, extra = ''): Promise<DoctorReport> => doctor([], { env: env(sslmode, extra) });
  const withCa = () => `&sslrootcert=${encodeURIComponent(certs.ca)}`;
  function expectHealthy(report: DoctorReport): void {
    expect(report.with('fail'), JSON.stringify(report.checks, null, 1)).toEqual([]);
    expect(report.run.code).toBe(0);
  }

  it('the server with ssl = off: says so and how to turn it on, on the database host; turning it on fixes it, and require is flagged as unverified', async () => {
    await serve(null);
    const answers = (await run('require')).check('pg.server');
    expect(answers).toMatchObject({ status: 'fail', summary: 'the server does not offer TLS (ssl = off) and sslmode=require requires it' });
    expect(answers.fix[0]).toMatch(new RegExp(`^on ${dbHost.address.replace(/\./g, '\\.')}: set ssl = on, ssl_cert_file and ssl_key_file in postgresql\\.conf`));
    expect(JSON.stringify(answers)).not.toContain('not PostgreSQL');
    await serve(certs.server);
    const report = await run('require');
    expectHealthy(report);
    expect(report.check('pg.tls')).toMatchObject({ status: 'warn', summary: 'encrypted (TLSv1.3), but the certificate is not verified: sslmode=require accepts any server that answers' });
    expect(report.check('pg.tls').evidence[0]).toMatch(new RegExp(`^server certificate: subject CN=db\\.kdt\\.test; names IP Address:${dbHost.address.replace(/\./g, '\\.')}, DNS:db\\.kdt\\.test; issuer CN=ca; valid `));
  });

  it('verify-full without the private CA: untrusted issuer, give sslrootcert; with it, verified, by the IP address in the certificate', async () => {
    await serve(certs.server);
    const answers = (await run('verify-full')).check('pg.server');
    expect(answers).toMatchObject({ status: 'fail', summary: "the server's certificate is issued by CN=ca that this machine does not trust" });
    expect(answers.fix[0]).toMatch(/^give the CA certificate that signed it: sslrootcert=/);
    const report = await run('verify-full', withCa());
    expectHealthy(report);
    expect(report.check('pg.tls')).toMatchObject({ status: 'pass', summary: `encrypted (TLSv1.3), certificate verified for ${dbHost.address}` });
  });

  it('a certificate for another name: verify-full names both; verify-ca checks the chain only and passes', async () => {
    await serve(certs.otherName);
    const answers = (await run('verify-full', withCa())).check('pg.server');
    expect(answers).toMatchObject({ status: 'fail', summary: `the server's certificate is for DNS:other.kdt.test, not ${dbHost.address} (the host in the URL)` });
    const chainOnly = await run('verify-ca', withCa());
    expectHealthy(chainOnly);
    expect(chainOnly.check('pg.tls').summary).toMatch(/^encrypted \(TLSv1\.3\), certificate chain verified \(not its names/);
    await serve(certs.server);
    expectHealthy(await run('verify-full', withCa()));
  });

  it('an expired certificate: when it expired, and renewing ssl_cert_file (then a reload) fixes it', async () => {
    await serve(certs.expired);
    const answers = (await run('verify-full', withCa())).check('pg.server');
    expect(answers).toMatchObject({ status: 'fail', summary: "the server's certificate expired on 2020-02-01T00:00:00.000Z" });
    expect(answers.fix[0]).toMatch(new RegExp(`^on ${dbHost.address.replace(/\./g, '\\.')}: renew the certificate in ssl_cert_file, then reload: on ${dbHost.address.replace(/\./g, '\\.')} \\(the database host\\)`));
    await serve(certs.server);
    expectHealthy(await run('verify-full', withCa()));
  });

  it('a certificate from a CA the given sslrootcert does not vouch for: untrusted, even under require (libpq checks the chain when a root certificate is given)', async () => {
    await serve(certs.untrusted);
    expect((await run('verify-ca', withCa())).check('pg.server').summary).toBe("the server's certificate is issued by CN=rogue that this machine does not trust");
    expect((await run('require', withCa())).check('pg.server').summary).toBe("the server's certificate is issued by CN=rogue that this machine does not trust");
    expect((await run('require')).check('pg.server').status).toBe('pass');
  });

  it('an sslrootcert that cannot be read stops at the configuration, in one line', async () => {
    const result = await runAdmin(['doctor'], { env: env('verify-full', '&sslrootcert=/nonexistent/ca.crt') });
    expect(result.code).not.toBe(0);
    expect(result.all).toContain('DATABASE_URL: sslrootcert: cannot read /nonexistent/ca.crt (ENOENT); give a readable file (the CA certificate that signed the server\'s), or system');
  });

  it('a hostssl line and a client without TLS, a hostnossl line and a TLS client: the line named, and the client-side fix works', async () => {
    await serve(certs.server);
    const file = ['--hba-file', cluster.hbaFile];
    try {
      hba = `hostssl   all   all   ${dbHost.hostAddress}/32   scram-sha-256`;
      await cluster.setHba(hba);
      const plain = await doctor(file, { env: env('disable') });
      expect(plain.check('pg.auth')).toMatchObject({ status: 'fail', summary: 'line 1 is hostssl: the app connects without TLS, so it does not match' });
      expect(plain.check('pg.auth').fix[0]).toBe('connect with TLS: sslmode=verify-full (with sslrootcert=CA-FILE) in the URL; the server must have ssl = on');
      expect(plain.check('pg.hba').summary).toBe('line 1 is hostssl: the app connects without TLS, so it does not match');
      expectHealthy(await doctor(file, { env: env('verify-full', withCa()) }));

      hba = `hostnossl all   all   ${dbHost.hostAddress}/32   scram-sha-256`;
      await cluster.setHba(hba);
      const encrypted = await doctor(file, { env: env('verify-full', withCa()) });
      expect(encrypted.check('pg.auth')).toMatchObject({ status: 'fail', summary: 'line 1 is hostnossl: it never matches a TLS client, and the app connects with TLS' });
      expect(encrypted.check('pg.auth').evidence[0]).toContain(`no pg_hba.conf entry for host "${dbHost.hostAddress}", user "kdt_app", database "kdt_app", SSL encryption`);
      expect(encrypted.check('pg.auth').fix[0]).toBe(`connect without TLS (sslmode=disable in the URL), or in ${cluster.hbaFile} add for the app: hostssl   kdt_app   kdt_app   ${dbHost.hostAddress}/32   scram-sha-256`);
      expectHealthy(await doctor(file, { env: env('disable') }));
    } finally {
      hba = `host    all   all   ${dbHost.hostAddress}/32   scram-sha-256`;
      await cluster.setHba(hba);
    }
  });
});
