import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres/free-port.js';
import { spawnProcess, type TestProcess } from './process.js';

const MODULES = '/usr/lib/apache2/modules';

export interface Apache {
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  pid: number;
  /** the private ServerRoot: httpd.conf, logs/ */
  dir: string;
  /** its httpd.conf, for `apache2 -t -f` */
  config: string;
  errorLog(): string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartApacheOptions {
  /** Apache directives for the site (e.g. a rendered sites-available file's content), included after the core. */
  site: string;
  /** extra modules to load besides mpm_event, authz_core, proxy, proxy_http, headers */
  modules?: string[];
  /** the port to listen on (default: a free one) */
  port?: number;
  /** directives before the site, e.g. `Define KDT_HTTP_PORT 18080` */
  preamble?: string;
}

/** The smallest httpd.conf that runs Debian's apache2 as an unprivileged private instance on `port`. */
export function privateApacheConfig(dir: string, port: number, modules: string[], siteFile: string, preamble = ''): string {
  const load = ['mpm_event', 'authz_core', 'proxy', 'proxy_http', 'headers', ...modules]
    .map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`)
    .join('\n');
  return `# A private httpd for tests: loopback only, its own ServerRoot, logs and pid file.
ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "${dir}/httpd.pid"
Mutex file:${dir}
ErrorLog "${dir}/logs/error.log"
LogLevel warn
${load}
StartServers 1
ServerLimit 2
ThreadsPerChild 25
MaxRequestWorkers 50
${preamble}
Include "${siteFile}"
`;
}

function waitForPort(port: number, child: TestProcess, dir: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const exit = child.exitStatus();
      if (exit) {
        reject(new Error(`apache2 exited with ${exit.signal ?? exit.code}: ${readLog(dir)}`));
        return;
      }
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`apache2 did not listen on ${port} within ${timeoutMs} ms: ${readLog(dir)}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'logs', 'error.log'), 'utf8');
  } catch {
    return '';
  }
}

/**
 * Starts Debian's apache2 in the foreground from a private ServerRoot on a free loopback port,
 * with `site` included; stops it by its PID. As root it would switch to www-data: the config sets
 * no User, so it runs as whoever starts it (the tests), which apache2 allows for a private instance.
 */
export async function startApache(options: StartApacheOptions): Promise<Apache> {
  const dir = mkdtempSync(join(tmpdir(), 'kdt-httpd-'));
  mkdirSync(join(dir, 'logs'));
  const port = options.port ?? (await freePort());
  const siteFile = join(dir, 'site.conf');
  writeFileSync(siteFile, options.site);
  const conf = join(dir, 'httpd.conf');
  writeFileSync(conf, privateApacheConfig(dir, port, options.modules ?? [], siteFile, options.preamble));
  const child = spawnProcess('/usr/sbin/apache2', ['-f', conf, '-DFOREGROUND'], {
    name: 'apache2',
    env: { PATH: process.env.PATH, APACHE_RUN_DIR: dir, APACHE_LOCK_DIR: dir, APACHE_LOG_DIR: join(dir, 'logs'), APACHE_PID_FILE: join(dir, 'httpd.pid') },
  });
  try {
    await waitForPort(port, child, dir);
  } catch (error) {
    await child.stop(0);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${child.stderr()}`);
  }
  // SIGTERM: httpd stops its children and exits.
  const stop = async () => {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { origin: `http://127.0.0.1:${port}`, port, pid: child.pid, dir, config: conf, errorLog: () => readLog(dir), stop, [Symbol.asyncDispose]: stop };
}
