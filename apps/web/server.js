// The site's production entry point: adapter-node's request handler in a small HTTP server that
// applies the origin policy at run time. adapter-node 6 no longer reads ORIGIN and, without a
// protocol header, assumes https, so a plain-HTTP server would refuse every form post.
//
// Variables (all optional):
//   PORT (3000), HOST (127.0.0.1), SOCKET_PATH (a unix socket instead of HOST:PORT)
//   ORIGIN               the public origin, e.g. https://example.org: posts must come from it
//   PROTOCOL_HEADER, HOST_HEADER, PORT_HEADER   take the origin from a trusted proxy's headers
//                        (e.g. x-forwarded-proto, x-forwarded-host), as adapter-node does
//   ADDRESS_HEADER, XFF_DEPTH   the client address from a proxy header (adapter-node)
//   BODY_SIZE_LIMIT, SHUTDOWN_TIMEOUT (seconds, 30); KDT_BUILD_DIR (build/) for another build
// With none of ORIGIN / PROTOCOL_HEADER / HOST_HEADER, the origin is the request's own:
// http://<Host header>, which is what a browser talking to this server directly sends.
import { chmodSync, existsSync, rmSync } from 'node:fs';
import http from 'node:http';

const INTERNAL_PROTO = 'x-kdt-origin-proto';
const INTERNAL_HOST = 'x-kdt-origin-host';

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
  return { describe: 'the request itself (http://<Host>)', request: true };
}

let policy;
try {
  policy = originPolicy(process.env);
} catch (error) {
  console.error(`kit-db-test: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
// Only our own headers carry the origin when we set it; client-sent copies are overwritten below.
if (!policy.proxy) {
  process.env.PROTOCOL_HEADER = INTERNAL_PROTO;
  process.env.HOST_HEADER = INTERNAL_HOST;
  delete process.env.PORT_HEADER;
}

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
  if (policy.proto) {
    req.headers[INTERNAL_PROTO] = policy.proto;
    req.headers[INTERNAL_HOST] = policy.host;
  } else if (policy.request) {
    req.headers[INTERNAL_PROTO] = 'http';
    req.headers[INTERNAL_HOST] = req.headers.host ?? 'localhost';
  }
  handler(req, res, () => {
    res.statusCode = 404;
    res.end('Not found');
  });
});
server.keepAliveTimeout = 65_000; // longer than httpd's proxy keep-alive, so it never reuses a closed socket

const socketPath = process.env.SOCKET_PATH;
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);
const onListening = () => {
  if (socketPath) chmodSync(socketPath, 0o660); // the service's group (e.g. httpd's) may connect
  const where = socketPath ? `unix:${socketPath}` : `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  console.log(`kit-db-test listening on ${where}${base || '/'} (base path ${base || '(none)'}; origin from ${policy.describe}; ${profileSummary()})`);
};
if (socketPath) {
  if (existsSync(socketPath)) rmSync(socketPath); // a stale socket from a previous run
  server.listen(socketPath, onListening);
} else {
  server.listen(port, host, onListening);
}

const shutdownSeconds = Number(process.env.SHUTDOWN_TIMEOUT ?? 30);
function shutdown() {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), shutdownSeconds * 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
