// The site's production entry point: adapter-node's request handler in a small HTTP server that
// applies the origin policy at run time. adapter-node 6 no longer reads ORIGIN and, without a
// protocol header, assumes https, so a plain-HTTP server would refuse every form post.
//
// Variables (all optional):
//   PORT (3000), HOST (127.0.0.1), SOCKET_PATH (a unix socket instead of HOST:PORT)
//   ORIGIN               the public origin, e.g. https://example.org: posts must come from it
//   PROTOCOL_HEADER, HOST_HEADER, PORT_HEADER   take the origin from a trusted proxy's headers
//                        (e.g. x-forwarded-proto, x-forwarded-host), as adapter-node does
//   ADDRESS_HEADER, XFF_DEPTH   the header a proxy on this machine gives the client's address in
//                        (x-forwarded-for), and for it how far from the right to look (see server/visitor.js)
//   KDT_DETAILS          who sees the database's identity and the server's own messages: local
//                        (the default: loopback clients), all, none, or local and/or networks
//   BODY_SIZE_LIMIT, SHUTDOWN_TIMEOUT (seconds, 30); KDT_BUILD_DIR (build/) for another build
//   WORKERS              site processes sharing the address (node:cluster): a number, or auto
//                        (one per CPU core); 1 (the default) serves from this process alone
// With none of ORIGIN / PROTOCOL_HEADER / HOST_HEADER, the origin is the request's own:
// http://<Host header>, which is what a browser talking to this server directly sends; then only
// loopback names are served, so that a DNS-rebinding page (its own name, resolved to 127.0.0.1)
// can neither post nor read.
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { parseDetailsPolicy } from './server/details-policy.js';
import { isLoopbackHost } from './server/loopback.js';
import { SECURITY_HEADERS } from './server/security-headers.js';
import { visitorOf } from './server/visitor.js';
import { notifyReady } from './sd-notify.js';

// ps, top, ss -p and systemctl status name the process after the site, not Node's "MainThread".
process.title = 'kit-db-test';

const INTERNAL_PROTO = 'x-kdt-origin-proto';
const INTERNAL_HOST = 'x-kdt-origin-host';
const INTERNAL_ADDRESS = 'x-kdt-client-address';
// Whether this request's visitor sees the details (src/lib/server/audience.ts reads it): a
// property of the request, which no header a client sends can set.
const SHOWS_DETAILS = Symbol.for('kit-db-test.shows-details');
// Set by the primary for its workers: the site's instance id (see src/lib/server/app-info.ts).
const WORKER_INSTANCE = 'KIT_DB_TEST_INSTANCE';

/** @param {NodeJS.ProcessEnv} env */
function originPolicy(env) {
  if (env.ORIGIN) {
    let url;
    try {
      url = new URL(env.ORIGIN);
    } catch {
      throw new Error(`ORIGIN: expected an origin such as https://example.org, got "${env.ORIGIN}"`);
    }
    if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.username) {
      throw new Error(`ORIGIN: expected only scheme, host and port (e.g. https://example.org), got "${env.ORIGIN}"`);
    }
    return { describe: `fixed ORIGIN ${url.origin}`, proto: url.protocol.slice(0, -1), host: url.host };
  }
  if (env.PROTOCOL_HEADER || env.HOST_HEADER) {
    const from = [env.PROTOCOL_HEADER && `protocol from ${env.PROTOCOL_HEADER}`, env.HOST_HEADER && `host from ${env.HOST_HEADER}`];
    return { describe: `proxy headers (${from.filter(Boolean).join(', ')})`, proxy: true };
  }
  return { describe: 'the request itself (http://<Host>, loopback names only)', request: true };
}

/** @param {NodeJS.ProcessEnv} env */
function forwardedFrom(env) {
  const depth = env.XFF_DEPTH;
  if (depth !== undefined && depth !== '' && !/^[1-9]\d{0,1}$/.test(depth)) {
    throw new Error(`XFF_DEPTH: expected how many X-Forwarded-For entries from the right the client's is (1, 2, …), got "${depth}"`);
  }
  return { header: (env.ADDRESS_HEADER || 'x-forwarded-for').toLowerCase(), depth: depth ? Number(depth) : null };
}

/**
 * The answer to a request whose Host is not a loopback name while the origin comes from it.
 * @param {string} host
 */
function foreignHostMessage(host) {
  const shown = host.replace(/[^\x21-\x7e]/g, '').slice(0, 100);
  return `kit-db-test: refused Host "${shown}": without ORIGIN the site answers only to localhost, 127.x.x.x and [::1] (against DNS rebinding); to serve this name set ORIGIN=http://${shown} (or PROTOCOL_HEADER and HOST_HEADER behind a proxy) and restart\n`;
}

/** @param {string | undefined} value */
function workerCount(value) {
  if (value === undefined || value === '') return 1;
  if (value === 'auto') return availableParallelism();
  if (!/^[1-9]\d{0,2}$/.test(value)) throw new Error(`WORKERS: expected a number of processes (1, 2, …) or auto, got "${value}"`);
  return Number(value);
}

/** @type {{ describe: string, proto?: string, host?: string, proxy?: boolean, request?: boolean }} */
let policy;
/** @type {number} */
let workers;
/** @type {import('./server/details-policy.js').DetailsPolicy} */
let details;
/** @type {import('./server/visitor.js').ForwardedFrom} */
let forwarded;
try {
  policy = originPolicy(process.env);
  workers = workerCount(process.env.WORKERS);
  details = parseDetailsPolicy(process.env.KDT_DETAILS);
  forwarded = forwardedFrom(process.env);
} catch (error) {
  console.error(`kit-db-test: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const socketPath = process.env.SOCKET_PATH;
const shutdownSeconds = Number(process.env.SHUTDOWN_TIMEOUT ?? 30);

if (workers > 1 && cluster.isPrimary) {
  superviseWorkers(workers);
} else {
  await serve();
}

/**
 * The primary of a multi-process site: it only forks the workers, which share the listening
 * address (the primary hands out connections in turn), and replaces one that dies. It loads
 * neither SvelteKit nor the ORM, so it costs one bare Node process of memory. Every worker
 * reports the primary's instance id in /health: the doctor's "same instance through httpd and
 * direct" then holds whichever worker answers.
 * @param {number} count
 */
function superviseWorkers(count) {
  if (socketPath && existsSync(socketPath)) rmSync(socketPath); // a stale socket from a previous run
  const instance = randomBytes(6).toString('hex');
  let stopping = false;
  /** @type {number[]} */
  const recentDeaths = [];
  /** @type {Set<import('node:cluster').Worker>} */
  const live = new Set();
  let announced = false;
  const fork = () => live.add(cluster.fork({ [WORKER_INSTANCE]: instance }));
  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    if (stopping) {
      if (live.size === 0) process.exit(0);
      return;
    }
    const now = Date.now();
    recentDeaths.push(now);
    while (now - (recentDeaths[0] ?? now) > 10_000) recentDeaths.shift();
    // A worker that dies over and over (a broken build, a port taken) is not worth restarting: exit
    // non-zero so that systemd's Restart= and the journal take over.
    if (recentDeaths.length > count * 3) {
      console.error(`kit-db-test: site processes keep exiting (${recentDeaths.length} in 10 s, the last with ${signal ?? `code ${code}`}); stopping`);
      for (const other of live) other.process.kill('SIGTERM');
      process.exit(1);
    }
    console.error(`kit-db-test: site process ${worker.process.pid} exited with ${signal ?? `code ${code}`}; starting another`);
    fork();
  });
  // One start-up line per site, not per process: the first worker to listen sends it here.
  cluster.on('message', (_worker, message) => {
    if (announced || typeof message?.kdtListening !== 'string') return;
    announced = true;
    console.log(message.kdtListening);
    notifyReady(message.kdtListening);
  });
  for (let i = 0; i < count; i++) fork();
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of live) worker.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), (shutdownSeconds + 1) * 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** One site process: adapter-node's handler behind the origin policy (the whole site when WORKERS is 1). */
async function serve() {
  // Only our own headers carry the origin when we set it; client-sent copies are overwritten below.
  if (!policy.proxy) {
    process.env.PROTOCOL_HEADER = INTERNAL_PROTO;
    process.env.HOST_HEADER = INTERNAL_HOST;
    delete process.env.PORT_HEADER;
  }
  // event.getClientAddress() is the visitor as visitorOf() found it, never a header a client chose.
  process.env.ADDRESS_HEADER = INTERNAL_ADDRESS;
  delete process.env.XFF_DEPTH;

  // handler.js reads the header variables when it loads, so import it after setting them.
  // KDT_BUILD_DIR (relative to this folder) selects another build, e.g. the tests' sub-path build.
  const buildDir = new URL(`${process.env.KDT_BUILD_DIR ?? 'build'}/`, import.meta.url);
  const { handler } = await import(new URL('handler.js', buildDir).href);
  const { base } = await import(new URL('adapter-node.js', buildDir).href);
  const { describeConfig, loadConfig } = await import('@kit-db-test/schema');

  function profileSummary() {
    try {
      const d = describeConfig(loadConfig());
      return `profile ${d.profile.name} (${d.target})`;
    } catch (error) {
      return `configuration error: ${error instanceof Error ? error.message : error}`;
    }
  }

  const server = http.createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (policy.proto) {
      req.headers[INTERNAL_PROTO] = policy.proto;
      req.headers[INTERNAL_HOST] = policy.host;
    } else if (policy.request) {
      const host = req.headers.host ?? 'localhost';
      if (!isLoopbackHost(host)) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end(foreignHostMessage(host));
        return;
      }
      req.headers[INTERNAL_PROTO] = 'http';
      req.headers[INTERNAL_HOST] = host;
    }
    const visitor = visitorOf(req.socket.remoteAddress, req.headers, forwarded);
    req.headers[INTERNAL_ADDRESS] = visitor.address ?? '';
    Object.defineProperty(req, SHOWS_DETAILS, { value: details.shows(visitor) });
    handler(req, res, () => {
      res.statusCode = 404;
      res.end('Not found');
    });
  });
  server.keepAliveTimeout = 65_000; // longer than httpd's proxy keep-alive, so it never reuses a closed socket

  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3000);
  const onListening = () => {
    if (socketPath) chmodSync(socketPath, 0o660); // the service's group (e.g. httpd's) may connect
    const where = socketPath ? `unix:${socketPath}` : `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const processes = workers > 1 ? `${workers} processes; ` : '';
    const line = `kit-db-test listening on ${where}${base || '/'} (${processes}base path ${base || '(none)'}; origin from ${policy.describe}; details shown to ${details.describe}; ${profileSummary()})`;
    if (cluster.isWorker) process.send?.({ kdtListening: line });
    else {
      console.log(line);
      notifyReady(line);
    }
  };
  if (socketPath) {
    if (cluster.isPrimary && existsSync(socketPath)) rmSync(socketPath); // a stale socket from a previous run
    server.listen(socketPath, onListening);
  } else {
    server.listen(port, host, onListening);
  }

  function shutdown() {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), shutdownSeconds * 1000).unref();
  }
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
