import { chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { query, type PgCluster } from '@kit-db-test/testing';
import type { HbaServerSettings } from '../types.js';

/** Writes a file the server must read (an @file or include) into the data folder, owned by the server's account. */
export function writeServerFile(cluster: PgCluster, relative: string, text: string): string {
  const owner = statSync(cluster.dataDir);
  const path = join(cluster.dataDir, relative);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  chownSync(dir, owner.uid, owner.gid);
  writeFileSync(path, text);
  chownSync(path, owner.uid, owner.gid);
  return path;
}

/** The settings the engine needs to parse as this server does: its major, ssl and build options. */
export async function serverSettings(cluster: PgCluster): Promise<HbaServerSettings> {
  const [row] = await cluster.admin<{ configure: string; ssl: string; major: string }>(
    "select (select setting from pg_config where name = 'CONFIGURE') as configure, current_setting('ssl') as ssl, current_setting('server_version_num') as major",
  );
  const configure = row!.configure;
  const has = (flag: string) => configure.includes(`'${flag}'`);
  const sslBuilt = has('--with-openssl') || has('--with-ssl=openssl');
  return {
    serverMajor: Math.floor(Number(row!.major) / 10000),
    ssl: !sslBuilt ? 'unsupported' : row!.ssl === 'on' ? 'on' : 'off',
    build: { gssapi: has('--with-gssapi'), ldap: has('--with-ldap'), pam: has('--with-pam'), bsdAuth: has('--with-bsd-auth'), sspi: false },
  };
}

/** Whether the server loaded the pg_hba.conf it was just given (it logs "was not reloaded" when not). */
export async function lastReloadLoaded(cluster: PgCluster, logOffset: number): Promise<boolean> {
  // The postmaster finishes a reload before it starts the next connection: one attempt flushes it.
  await query(cluster.socketUrl({ user: 'kdt_nobody', password: 'x' }), 'select 1').catch(() => undefined);
  return !/pg_hba\.conf was not reloaded/.test(cluster.log().slice(logOffset));
}
