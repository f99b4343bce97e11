import { existsSync } from 'node:fs';
import { createNetworkNamespace, pgServers, startPostgres, tempProject, type NetworkNamespace, type PgCluster, type TempProject } from '@kit-db-test/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { doctor, type DoctorReport } from '../test-support/doctor-report.js';
import { runAdmin } from '../test-support/run-admin.js';

// Two hosts: PostgreSQL 15 on a private database host (a network namespace), the doctor on this
// machine, which has its own Debian PostgreSQL files in /etc/postgresql: another cluster's.
const server = pgServers().find((s) => s.kind === 'system') ?? pgServers()[0]!;

describe(`pnpm admin doctor, the database on its own host (${server.kind} PostgreSQL ${server.version})`, () => {
  let dbHost: NetworkNamespace;
  let cluster: PgCluster;
  let project: TempProject;
  let passwordFile: string;
  let appLine: string;

  beforeAll(async () => {
    dbHost = await createNetworkNamespace();
    appLine = `host    all   all   ${dbHost.hostAddress}/32   scram-sha-256`;
    cluster = await startPostgres({ server, netns: dbHost.name, listenAddresses: dbHost.address, hba: appLine });
    project = tempProject();
    passwordFile = project.writeFile('db-password', `${cluster.app.password}\n`);
    const init = await runAdmin(['init-database'], { env: env() });
    if (init.code !== 0) throw new Error(`init-database failed: ${init.all}`);
  });
  afterAll(async () => {
    await cluster?.destroy();
    await dbHost?.destroy();
    project?.remove();
  });
  beforeEach(async () => {
    await dbHost.exec('nft', ['flush', 'ruleset']);
    await cluster.setHba(appLine);
  });

  const url = () => cluster.tcpUrl({ password: undefined }, dbHost.address);
  const env = () => ({ KDT_ROOT: project.root, DATABASE_URL: url(), DATABASE_PASSWORD_FILE: passwordFile });
  const run = (args: string[] = []): Promise<DoctorReport> => doctor(args, { env: env() });
  function expectHealthy(report: DoctorReport): void {
    expect(report.with('fail'), JSON.stringify(report.checks, null, 1)).toEqual([]);
    expect(report.run.code).toBe(0);
  }

  it('a healthy remote setup passes, and no file of this machine\'s own PostgreSQL is taken for the server\'s', async () => {
    const report = await run();
    expectHealthy(report);
    expect(report.check('pg.reachable').status).toBe('pass');
    const hba = report.check('pg.hba');
    expect(hba.status).toBe('skip');
    expect(hba.summary).toContain(`${dbHost.address} is not an address of this machine: the server runs on another host`);
    expect(hba.evidence[0]).toContain(`on ${dbHost.address}, find the file with SHOW hba_file as a superuser`);
    expect(hba.evidence[0]).toContain('--hba-file COPY');
    if (existsSync('/etc/postgresql')) expect(report.run.all).not.toMatch(/\/etc\/postgresql\/\d+\/main\/pg_hba\.conf/);
  });

  it('with a copy of the server\'s file (--hba-file), the line that lets the app in, by the address the server sees', async () => {
    const report = await run(['--hba-file', cluster.hbaFile]);
    expectHealthy(report);
    expect(report.check('pg.hba')).toMatchObject({
      status: 'pass',
      summary: `line 1 (${appLine}) takes the app's TCP connection to database "kdt_app" as "kdt_app" from ${dbHost.hostAddress}: scram-sha-256`,
    });
  });

  it('a superuser reads the server\'s rules from pg_hba_file_rules, with the server\'s line numbers', async () => {
    const superUrl = cluster.tcpUrl({ user: 'postgres', password: 'super-secret' }, dbHost.address);
    await cluster.admin("ALTER ROLE postgres PASSWORD 'super-secret'");
    await cluster.setHba(['# TYPE DATABASE USER ADDRESS METHOD', '', appLine].join('\n'));
    const report = await doctor([], { env: { KDT_ROOT: project.root, DATABASE_URL: superUrl } });
    expect(report.check('pg.hba')).toMatchObject({ status: 'pass' });
    expect(report.check('pg.hba').summary).toMatch(new RegExp(`^line 3 \\(host +all +all +${dbHost.hostAddress.replace(/\./g, '\\.')}/32 +scram-sha-256\\) takes the app's TCP connection`));
    expect(report.check('pg.hba').evidence[0]).toContain(`(found by pg_hba_file_rules on ${dbHost.address})`);
  });

  const reloadThere = () => `on ${dbHost.address} (the database host): systemctl reload postgresql, or as a superuser there: psql -h ${dbHost.address} -U postgres -d postgres -c "SELECT pg_reload_conf()"`;
  const lineForApp = () => `host   kdt_app   kdt_app   ${dbHost.hostAddress}/32   scram-sha-256`;
  const otherNetwork = 'host    all   all   198.51.100.0/24   scram-sha-256';

  it('no pg_hba.conf entry: the line for the address the server saw, with the reload on the database host; adding it fixes it', async () => {
    await cluster.setHba(otherNetwork);
    for (const args of [[], ['--hba-file', cluster.hbaFile]]) {
      const auth = (await run(args)).check('pg.auth');
      expect(auth).toMatchObject({ status: 'fail', summary: 'no pg_hba.conf line allows this connection' });
      expect(auth.evidence[0]).toContain(`no pg_hba.conf entry for host "${dbHost.hostAddress}"`);
      expect(auth.fix.join('\n')).toContain(lineForApp());
      expect(auth.fix.join('\n')).not.toContain('127.0.0.1');
      expect(auth.fix.at(-1)).toBe(reloadThere());
    }
    const noFile = (await run()).check('pg.auth');
    expect(noFile.fix[0]).toBe(`add a line for the app to the pg_hba.conf on ${dbHost.address}, above the catch-all lines, e.g. ${lineForApp()}`);
    expect(noFile.evidence).toContainEqual(expect.stringContaining(`the server log is on ${dbHost.address}, the database host`));
    expect(noFile.evidence.join('\n')).not.toMatch(/\/var\/log\/postgresql/);

    await cluster.setHba([otherNetwork, lineForApp()].join('\n'));
    expectHealthy(await run(['--hba-file', cluster.hbaFile]));
  });

  it('a reject catch-all: the app\'s line, for the address the server saw, goes above it; that fixes it', async () => {
    const catchAll = 'host    all   all   0.0.0.0/0   reject';
    await cluster.setHba([otherNetwork, catchAll].join('\n'));
    const report = await run(['--hba-file', cluster.hbaFile]);
    expect(report.check('pg.auth').fix).toEqual([`line 2 of ${cluster.hbaFile} rejects it: put the app's line (${lineForApp()}) above it`, reloadThere()]);
    expect(report.check('pg.hba').fix).toEqual([`put a line for the app above it: ${lineForApp()}`, reloadThere()]);
    await cluster.setHba([otherNetwork, lineForApp(), catchAll].join('\n'));
    expectHealthy(await run(['--hba-file', cluster.hbaFile]));
  });

  /** A firewall on the database host: one rule in an input chain of its own table. */
  async function firewall(rule: string): Promise<void> {
    await dbHost.exec('nft', ['add table inet kdt']);
    await dbHost.exec('nft', ['add chain inet kdt input { type filter hook input priority 0 ; }']);
    await dbHost.exec('nft', [`add rule inet kdt input ${rule}`]);
  }
  const port = () => cluster.port;

  it('a firewall that drops the port: no answer, the host answers ping, so the firewall, on the database host; removing the rule fixes it', async () => {
    await firewall(`tcp dport ${port()} drop`);
    const reachable = (await run()).check('pg.reachable');
    expect(reachable.status).toBe('fail');
    expect(reachable.summary).toBe(`no answer from ${dbHost.address}:${port()} within 3000 ms: a firewall drops the packets, or the host is down`);
    expect(reachable.evidence).toContain(`${dbHost.address} answers ping: the host is up, so a firewall drops the packets to port ${port()}`);
    expect(reachable.fix[0]).toBe(`on ${dbHost.address}: nft list ruleset, iptables -S, firewall-cmd --list-all or ufw status (whichever the host has) shows the rule that drops port ${port()}`);
    expect(reachable.fix.join('\n')).not.toMatch(/systemctl start/);
    const listed = (await dbHost.exec('nft', ['list', 'ruleset'])).stdout;
    expect(listed).toContain(`tcp dport ${port()} drop`);
    await dbHost.exec('nft', ['flush', 'ruleset']);
    expectHealthy(await run());
  });

  it('a host that drops everything, ping too: down or firewalled, and what to check first', async () => {
    await firewall('drop');
    const reachable = (await run()).check('pg.reachable');
    expect(reachable.evidence).toContain(`${dbHost.address} does not answer ping either: the host is down, or a firewall drops everything (ICMP too)`);
    expect(reachable.fix[0]).toBe(`check that ${dbHost.address} is running (its console or hypervisor) and that ${dbHost.address} is its address`);
  });

  it('a firewall that rejects with ICMP: told from a drop and from nothing listening; removing the rule fixes it', async () => {
    await firewall(`tcp dport ${port()} reject with icmpx type admin-prohibited`);
    const reachable = (await run()).check('pg.reachable');
    expect(reachable).toMatchObject({ status: 'fail', summary: `a firewall rejects the connection to ${dbHost.address}:${port()} (ICMP unreachable at once)` });
    expect(reachable.evidence[0]).toMatch(new RegExp(`^${dbHost.address.replace(/\./g, '\\.')}:${port()}: EHOSTUNREACH after \\d+ ms$`));
    expect(reachable.fix[0]).toContain(`on ${dbHost.address}: nft list ruleset`);
    await dbHost.exec('nft', ['flush', 'ruleset']);
    expectHealthy(await run());
  });

  it('nothing listens on the address: listen_addresses to set on the database host, and a reload is not enough, a restart is', async () => {
    await cluster.admin("ALTER SYSTEM SET listen_addresses = 'localhost'");
    await cluster.stop();
    await cluster.start();
    try {
      const reachable = (await run()).check('pg.reachable');
      expect(reachable).toMatchObject({ status: 'fail', summary: `nothing listens on ${dbHost.address}:${port()}: refused at once` });
      expect(reachable.fix[0]).toBe(
        `on ${dbHost.address}: set listen_addresses = '*' (or '${dbHost.address}') in postgresql.conf, then restart the server (systemctl restart postgresql): listen_addresses changes only at a restart, a reload does not apply it`,
      );
      expect(reachable.fix.join('\n')).not.toMatch(/systemctl start/);
      await cluster.admin(`ALTER SYSTEM SET listen_addresses = '${dbHost.address}'`);
      await cluster.admin('SELECT pg_reload_conf()');
      expect((await run()).check('pg.reachable').status).toBe('fail');
      await cluster.stop();
      await cluster.start();
      expectHealthy(await run());
    } finally {
      await cluster.admin('ALTER SYSTEM RESET listen_addresses');
      await cluster.stop();
      await cluster.start();
    }
  });
});
