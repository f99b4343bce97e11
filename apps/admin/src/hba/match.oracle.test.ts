import { lookup, lookupService } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { pgServers, startPostgres, type PgCluster } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MATCHER_ATTEMPTS, MATCHER_CORPUS, MATCHER_SUPPORT_FILES, type Attempt } from './test-support/fixtures/matcher-corpus.js';
import { matchHba } from './match.js';
import { nodeHbaFiles } from './node-files.js';
import { parseHba } from './parse.js';
import { lastReloadLoaded, serverSettings, writeServerFile } from './test-support/cluster-files.js';
import { loginVerdict } from './test-support/login-verdict.js';
import type { LogVerdict } from './test-support/server-verdict.js';
import type { HbaRequest, HbaServerSettings } from './types.js';

const ROLES: Record<string, string[]> = { kdt_app: ['kdt_group'], kdt_other: [] };

function url(cluster: PgCluster, a: Attempt): string {
  const password = encodeURIComponent(a.wrongPassword ? 'wrong' : cluster.app.password);
  const auth = `${encodeURIComponent(a.user)}:${password}`;
  const db = encodeURIComponent(a.database);
  switch (a.via) {
    case 'socket':
      return cluster.socketUrl({ user: a.user, password: a.wrongPassword ? 'wrong' : cluster.app.password, database: a.database });
    case 'tcp4':
      return cluster.tcpUrl({ user: a.user, password: a.wrongPassword ? 'wrong' : cluster.app.password, database: a.database });
    case 'tcp6':
      return `postgresql://${auth}@[::1]:${cluster.port}/${db}`;
    case 'localhost':
      return `postgresql://${auth}@localhost:${cluster.port}/${db}`;
  }
}

/** Tries to log in, then reads what the server decided from its log. */
function attempt(cluster: PgCluster, a: Attempt): Promise<LogVerdict> {
  return loginVerdict(cluster, url(cluster, a), JSON.stringify(a));
}

// The oracle: for each file and each connection attempt, the engine picks the line the server used.
describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('%s', (_name, server) => {
  let cluster: PgCluster;
  let settings: HbaServerSettings;
  const hostNames = new Map<string, string | null>();
  const forward = new Map<string, string[]>();
  const localAddresses = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined)
    .map((i) => ({ address: i.address, netmask: i.netmask }));

  beforeAll(async () => {
    cluster = await startPostgres({ server, listenAddresses: '127.0.0.1,::1' });
    await cluster.admin(`CREATE ROLE kdt_other LOGIN PASSWORD '${cluster.app.password}'`);
    await cluster.admin('CREATE ROLE kdt_group NOLOGIN');
    await cluster.admin('GRANT kdt_group TO kdt_app');
    await cluster.admin('CREATE DATABASE kdt_group');
    for (const [path, text] of Object.entries(MATCHER_SUPPORT_FILES)) writeServerFile(cluster, path, text);
    settings = await serverSettings(cluster);
    // The server resolves client host names with the same C library: ask it the same questions.
    for (const ip of ['127.0.0.1', '::1']) {
      const name = await lookupService(ip, 0).then((r) => r.hostname, () => null);
      hostNames.set(ip, name);
      if (name) forward.set(name, (await lookup(name, { all: true }).catch(() => [])).map((r) => r.address));
    }
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it.each(MATCHER_CORPUS.map((c) => [c.name, c] as const))('%s: the engine picks the line the server used', async (_case, { hba }) => {
    const offset = cluster.log().length;
    await cluster.setHba(hba);
    const parsed = parseHba(readFileSync(cluster.hbaFile, 'utf8'), { ...settings, ...nodeHbaFiles, file: cluster.hbaFile });
    const loaded = await lastReloadLoaded(cluster, offset);
    expect(parsed.loads).toBe(loaded);
    if (!loaded) return; // the server kept the previous file: nothing to compare

    for (const a of MATCHER_ATTEMPTS) {
      const { verdict, host } = await attempt(cluster, a);
      const address = a.via === 'socket' ? undefined : host;
      const request: HbaRequest = {
        type: a.via === 'socket' ? 'local' : 'host',
        ssl: false,
        database: a.database,
        user: a.user,
        userExists: a.user in ROLES,
        roles: ROLES[a.user] ?? [],
        localAddresses,
        resolveHost: (name) => forward.get(name) ?? [],
        ...(address ? { address, clientHostName: hostNames.get(address) ?? null } : {}),
      };
      const { rule } = matchHba(parsed, request);
      const label = `${JSON.stringify(a)} from ${host}`;
      if (verdict.kind === 'no-entry') {
        expect(rule, label).toBeNull();
        continue;
      }
      expect(rule, label).not.toBeNull();
      if (verdict.kind === 'reject') {
        expect(rule!.method, label).toBe('reject');
        continue;
      }
      if (verdict.line !== null) expect(rule!.line, label).toBe(verdict.line);
      if (verdict.file !== null) expect(rule!.file, label).toBe(verdict.file);
      if (verdict.method !== null) expect(rule!.method, label).toBe(verdict.method);
      if (verdict.failed === 'password') expect(['scram-sha-256', 'md5', 'password'], label).toContain(rule!.method);
      else if (verdict.failed) expect(rule!.method, label).toBe(verdict.failed);
    }
  });
});
