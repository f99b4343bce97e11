import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serverAccount, type RunAs } from './account.js';
import { freePort } from './free-port.js';
import { pgServers, type PgServer } from './servers.js';
import { readLog, setPort, startServer, stopServer, writeHba, writeServerSettings } from './server-process.js';
import { APP_DATABASE, APP_ROLE, copyTemplate, ensureTemplate, SUPERUSER } from './template.js';

/** What the tests usually want: the app role may log in with its password over the socket and TCP. */
export const DEFAULT_HBA = [
  '# TYPE  DATABASE  USER  ADDRESS       METHOD',
  'local   all       all                 scram-sha-256',
  'host    all       all   127.0.0.1/32  scram-sha-256',
  'host    all       all   ::1/128       scram-sha-256',
].join('\n');

export interface StartPostgresOptions {
  /** Which server build; the first of pgServers() when omitted. */
  server?: PgServer;
  /** pg_hba.conf text, applied once the cluster is up. */
  hba?: string;
  /** listen_addresses; defaults to 127.0.0.1. */
  listenAddresses?: string;
  /**
   * Run the server in this network namespace (a private database host, see createNetworkNamespace):
   * it listens on that host's addresses; its unix socket stays reachable from here (a socket file is
   * not bound to a network namespace), so admin() still works.
   */
  netns?: string;
}

export interface ConnectAs {
  user?: string;
  /** undefined: no password in the URL */
  password?: string | undefined;
  database?: string;
}

export interface PgCluster {
  readonly server: PgServer;
  readonly dir: string;
  readonly dataDir: string;
  readonly socketDir: string;
  readonly port: number;
  readonly hbaFile: string;
  readonly app: { user: string; password: string; database: string };
  /** postgresql:// URL through the unix socket (`?host=` the socket folder). */
  socketUrl(as?: ConnectAs): string;
  /** postgresql:// URL over TCP to 127.0.0.1, or to `host` (e.g. a private database host's address). */
  tcpUrl(as?: ConnectAs, host?: string): string;
  /** Runs SQL as the superuser over a connection opened before the caller's pg_hba.conf applied. */
  admin<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Writes pg_hba.conf and waits until the server has reloaded it. */
  setHba(text: string): Promise<void>;
  /** The server log so far (log_connections is on: it names the pg_hba.conf line of each login). */
  log(): string;
  /** Stops the server, keeping its files (a "server down" scenario). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same pg_hba.conf. */
  start(): Promise<void>;
  /** Stops the server and removes every file. Safe to call twice. */
  destroy(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const live = new Set<{ bin: string; dataDir: string; dir: string; account: RunAs | undefined }>();

// Last resort when a test run is interrupted: no cluster outlives the process that started it.
process.once('exit', () => {
  for (const c of live) {
    spawnSync(join(c.bin, 'pg_ctl'), ['stop', '-m', 'immediate', '-D', c.dataDir], {
      stdio: 'ignore',
      ...(c.account ? { uid: c.account.uid, gid: c.account.gid } : {}),
    });
    rmSync(c.dir, { recursive: true, force: true });
  }
});

function encode(s: string): string {
  return encodeURIComponent(s);
}

/**
 * Starts a throwaway PostgreSQL cluster in a temporary folder: a free port on 127.0.0.1, its socket
 * in that folder, log_connections on, an application role with a scram-sha-256 password owning its
 * database, and the caller's pg_hba.conf. Use with `await using` or call destroy() in afterAll.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PgCluster> {
  const server = options.server ?? pgServers()[0];
  if (!server) throw new Error('no PostgreSQL server binaries found');
  const account = serverAccount();
  const template = await ensureTemplate(server, account);

  const dir = mkdtempSync(join(tmpdir(), 'kdt-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  const logFile = join(dir, 'server.log');
  mkdirSync(socketDir);
  if (account) {
    chownSync(dir, account.uid, account.gid);
    chownSync(socketDir, account.uid, account.gid);
  }
  copyTemplate(template, dataDir);
  let port = await freePort();
  writeServerSettings(dataDir, { port, socketDir, addresses: options.listenAddresses ?? '127.0.0.1' });
  const record = { bin: server.bin, dataDir, dir, account };
  live.add(record);

  let hba = options.hba ?? DEFAULT_HBA;
  let adminClient: pg.Client | undefined;
  let running = false;
  let destroyed = false;

  async function waitForReload(logOffset: number): Promise<void> {
    // The postmaster logs this line, then loads pg_hba.conf before it accepts another connection,
    // so a connection opened after the line is seen is judged by the new file.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const tail = readLog(logFile).slice(logOffset);
      if (tail.includes('received SIGHUP, reloading configuration files')) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`PostgreSQL did not reload its configuration; log: ${logFile}`);
  }

  async function applyHba(): Promise<void> {
    const offset = readLog(logFile).length;
    writeHba(dataDir, hba, account);
    await adminClient!.query('SELECT pg_reload_conf()');
    await waitForReload(offset);
  }

  async function boot(): Promise<void> {
    // Bootstrap with a file that only lets the superuser in over the socket, open the admin
    // connection, then put the caller's file in place: established connections outlive a reload.
    writeHba(dataDir, `local all ${SUPERUSER} trust\n`, account);
    for (let attempt = 1; ; attempt++) {
      try {
        await startServer(server!.bin, account, dataDir, logFile, options.netns);
        break;
      } catch (error) {
        // Another process may have taken the port between freePort() and the start: pick another.
        if (attempt >= 3 || !/could not bind|already in use/i.test(readLog(logFile))) throw error;
        port = await freePort();
        setPort(dataDir, port);
      }
    }
    running = true;
    adminClient = new pg.Client({ host: socketDir, port, user: SUPERUSER, database: 'postgres' });
    await adminClient.connect();
    await applyHba();
  }

  async function halt(): Promise<void> {
    if (!running) return;
    await adminClient?.end().catch(() => undefined);
    adminClient = undefined;
    await stopServer(server!.bin, account, dataDir);
    running = false;
  }

  const app = { user: APP_ROLE, password: template.appPassword, database: APP_DATABASE };
  const userInfo = (as: ConnectAs) => {
    const user = as.user ?? app.user;
    const password = 'password' in as ? as.password : user === app.user ? app.password : undefined;
    return password === undefined ? encode(user) : `${encode(user)}:${encode(password)}`;
  };

  const cluster: PgCluster = {
    server,
    dir,
    dataDir,
    socketDir,
    get port() {
      return port;
    },
    hbaFile: join(dataDir, 'pg_hba.conf'),
    app,
    socketUrl: (as = {}) =>
      `postgresql://${userInfo(as)}@/${encode(as.database ?? app.database)}?host=${encode(socketDir)}&port=${port}`,
    tcpUrl: (as = {}, host = '127.0.0.1') =>
      `postgresql://${userInfo(as)}@${host.includes(':') ? `[${host}]` : host}:${port}/${encode(as.database ?? app.database)}`,
    async admin(sql, params) {
      if (!adminClient) throw new Error('the cluster is stopped');
      return (await adminClient.query(sql, params)).rows;
    },
    async setHba(text) {
      hba = text;
      if (running) await applyHba();
    },
    log: () => readLog(logFile),
    stop: halt,
    start: async () => {
      if (!running) await boot();
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        await halt();
      } finally {
        live.delete(record);
        rmSync(dir, { recursive: true, force: true });
      }
    },
    [Symbol.asyncDispose]() {
      return this.destroy();
    },
  };

  try {
    await boot();
  } catch (error) {
    await cluster.destroy().catch(() => undefined);
    throw error;
  }
  return cluster;
}
