import { appendFileSync, chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunAs } from './account.js';
import { run } from './run.js';

/** Where a data directory's server listens. */
export interface Listen {
  port: number;
  socketDir: string;
  /** `listen_addresses`, e.g. "127.0.0.1" or "127.0.0.1,::1"; "" for unix socket only. */
  addresses: string;
}

/** Settings that make a disposable cluster fast and make its log an oracle for pg_hba tests. */
const TEST_SETTINGS = [
  'fsync = off',
  'synchronous_commit = off',
  'full_page_writes = off',
  'log_connections = on',
  "password_encryption = 'scram-sha-256'",
  'max_connections = 40',
  "shared_buffers = '16MB'",
  "timezone = 'UTC'",
];

export function writeServerSettings(dataDir: string, listen: Listen): void {
  const lines = [
    '',
    '# kit-db-test throwaway cluster',
    `port = ${listen.port}`,
    `unix_socket_directories = '${listen.socketDir}'`,
    `listen_addresses = '${listen.addresses}'`,
    ...TEST_SETTINGS,
    '',
  ];
  appendFileSync(join(dataDir, 'postgresql.conf'), lines.join('\n'));
}

/** Replaces the port line written by writeServerSettings (the last one wins in postgresql.conf). */
export function setPort(dataDir: string, port: number): void {
  appendFileSync(join(dataDir, 'postgresql.conf'), `port = ${port}\n`);
}

export async function pgCtl(bin: string, account: RunAs | undefined, args: string[], netns?: string): Promise<void> {
  if (!netns) {
    await run(join(bin, 'pg_ctl'), args, account);
    return;
  }
  // `ip netns exec` needs root; the server then drops to its account (pg_ctl refuses root).
  const drop = account ? ['setpriv', `--reuid=${account.uid}`, `--regid=${account.gid}`, '--clear-groups'] : [];
  await run('ip', ['netns', 'exec', netns, ...drop, join(bin, 'pg_ctl'), ...args], undefined);
}

/** Starts the server; in `netns`, the network namespace of a private host, when given. */
export async function startServer(bin: string, account: RunAs | undefined, dataDir: string, logFile: string, netns?: string): Promise<void> {
  await pgCtl(bin, account, ['start', '-w', '-t', '30', '-D', dataDir, '-l', logFile], netns);
}

export async function stopServer(bin: string, account: RunAs | undefined, dataDir: string): Promise<void> {
  await pgCtl(bin, account, ['stop', '-w', '-t', '30', '-m', 'fast', '-D', dataDir]);
}

export function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return '';
  }
}

export function writeHba(dataDir: string, text: string, account: RunAs | undefined): void {
  const file = join(dataDir, 'pg_hba.conf');
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
  if (account) chownSync(file, account.uid, account.gid);
}
