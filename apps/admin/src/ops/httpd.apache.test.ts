// The rendered httpd site as the real Apache httpd reads it (Debian's apache2 binary, from a
// private ServerRoot that loads only the modules the site needs), and once served for real: a
// short-lived apache2 in the foreground, in front of the built site, for the time of one test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createOrm, loadConfig, STUFF_MAX_LENGTH, THINGS_MAX_LENGTH } from '@kit-db-test/schema';
import { freePort, spawnProcess, startSite, tempProject, type TestProcess } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvironmentFile } from '../doctor/site/environment-file.js';
import { runAdmin } from '../test-support/run-admin.js';
import { databaseFacts, type DatabaseFacts } from './database-facts.js';
import { loadTemplates } from './load-templates.js';
import { renderFiles } from './render-files.js';
import { renderPlan } from './render-plan.js';
import { renderRequest, type RawRenderOptions } from './render-request.js';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const sqlite: DatabaseFacts = { driver: 'sqlite', path: '/srv/kit-db-test/data/kit-db-test.sqlite', profile: { kind: 'default' }, databaseUrl: null };

let dir: string;
beforeAll(() => {
  if (!existsSync(APACHE)) throw new Error(`${APACHE} not found: apt-get install apache2 (./run.sh test installs it as root)`);
  dir = mkdtempSync(join(tmpdir(), 'kdt-httpd-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Renders the site file for `raw` into a folder of its own; returns that file's path and the environment file's text. */
function renderSite(name: string, raw: RawRenderOptions, db: DatabaseFacts = sqlite): { site: string; env: string } {
  const plan = renderPlan(renderRequest(raw, { checkoutRoot: '/srv/kit-db-test', buildBasePath: '', envBasePath: undefined }), db, 'OUT');
  const files = renderFiles(plan, loadTemplates());
  const site = files.find((f) => f.template === 'httpd/kit-db-test.conf')!;
  const path = join(dir, name, site.outPath);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, site.text);
  return { site: path, env: files.find((f) => f.template === 'systemd/kit-db-test.env')!.text };
}

/** A ServerRoot of our own: the modules the site needs, a loopback port, the rendered site included. */
function serverConfig(name: string, site: string, port: number, modules = ['proxy', 'proxy_http', 'headers']): string {
  const root = join(dir, name, 'server');
  mkdirSync(join(root, 'run'), { recursive: true });
  const asRoot = process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : [];
  const lines = [
    `ServerRoot ${root}`,
    'ServerName 127.0.0.1',
    `DefaultRuntimeDir ${root}/run`,
    `PidFile ${root}/run/httpd.pid`,
    `ErrorLog ${root}/error.log`,
    ...asRoot,
    `LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so`,
    // Debian loads authz_core by default; without it httpd cannot decide any request.
    `LoadModule authz_core_module ${MODULES}/mod_authz_core.so`,
    ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    `Define KDT_HTTP_PORT ${port}`,
    `Listen 127.0.0.1:${port}`,
    `Include ${site}`,
  ];
  const file = join(root, 'httpd.conf');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function configTest(config: string) {
  const run = spawnSync(APACHE, ['-t', '-f', config], { encoding: 'utf8' });
  return { code: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** A self-signed pair for example.org under the test folder: mod_ssl's -t reads the files it names. */
function testCertificate(): { tlsCert: string; tlsKey: string } {
  const tlsCert = join(dir, 'example.org.pem');
  const tlsKey = join(dir, 'example.org.key');
  if (!existsSync(tlsCert)) {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=example.org', '-addext', 'subjectAltName=DNS:example.org', '-keyout', tlsKey, '-out', tlsCert], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
  }
  return { tlsCert, tlsKey };
}

describe('apache2 -t accepts the rendered site', () => {
  it('debian, TCP under a base path, https: the TLS host (mod_ssl) and the port-80 redirect (mod_alias)', async () => {
    const { site } = renderSite('debian-https', { layout: 'debian', port: '3000', basePath: '/kit-db-test', publicUrl: 'https://example.org/kit-db-test/', ...testCertificate(), hsts: true });
    const port = await freePort();
    const config = serverConfig('debian-https', site, port, ['proxy', 'proxy_http', 'headers', 'ssl', 'alias']);
    const tlsPort = await freePort();
    writeFileSync(config, readFileSync(config, 'utf8').replace(`Include ${site}`, `Define KDT_HTTPS_PORT ${tlsPort}\nListen 127.0.0.1:${tlsPort}\nInclude ${site}`));
    expect(configTest(config)).toEqual({ code: 0, output: 'Syntax OK' });
    // Without mod_ssl the same file is refused, naming the directive.
    const bare = serverConfig('debian-https-no-ssl', site, port, ['proxy', 'proxy_http', 'headers', 'alias']);
    expect(configTest(bare).output).toMatch(/Invalid command 'SSLEngine'/);
  });

  it.each([
    ['debian', 'TCP under a base path', { layout: 'debian', port: '3000', basePath: '/kit-db-test', publicUrl: 'http://example.org/kit-db-test/' }],
    ['debian', 'a unix socket, no base path', { layout: 'debian', socket: '/run/kit-db-test/site.sock', basePath: '' }],
    ['rhel', 'TCP under a base path', { layout: 'rhel', port: '3001', basePath: '/kit-db-test' }],
    ['rhel', 'a unix socket under a base path', { layout: 'rhel', socket: '/run/kit-db-test/site.sock', basePath: '/kit-db-test' }],
  ] as const)('%s, %s', async (layout, _what, raw) => {
    const name = `${layout}-${'socket' in raw ? 'socket' : 'tcp'}`;
    const { site } = renderSite(name, raw);
    const result = configTest(serverConfig(name, site, await freePort()));
    expect(result).toEqual({ code: 0, output: 'Syntax OK' });
  });

  it('and the check means something: without mod_proxy the same file is refused', async () => {
    const { site } = renderSite('no-proxy', { layout: 'debian', basePath: '/kit-db-test' });
    const result = configTest(serverConfig('no-proxy', site, await freePort(), ['headers']));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/Invalid command 'ProxyRequests'/);
  });
});

function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

describe('served by apache2 in front of the site, as rendered', () => {
  const apaches: TestProcess[] = [];
  afterAll(async () => {
    for (const apache of apaches) await apache.stop();
  });

  it('answers /health through the proxy, lets a form post from the public origin through, and refuses another origin', async () => {
    using project = tempProject();
    project.writeProfile('sqlite', { url: 'sqlite:data/site.sqlite' });
    mkdirSync(join(project.root, 'data'));
    const [sitePort, httpPort] = [await freePort(), await freePort()];
    const db = databaseFacts(loadConfig({ root: project.root, env: {}, profile: 'sqlite' }), project.root);
    const publicUrl = `http://127.0.0.1:${httpPort}/`;
    const { site, env } = renderSite('live', { layout: 'debian', port: String(sitePort), basePath: '', publicUrl }, db);
    const siteEnv = parseEnvironmentFile(env);
    expect(siteEnv).toEqual({ KDT_PROFILE: 'sqlite', HOST: '127.0.0.1', PORT: String(sitePort), WORKERS: '1', KDT_DETAILS: 'local', BODY_SIZE_LIMIT: '64K', NODE_OPTIONS: '--max-semi-space-size=8 --max-old-space-size=1024', ORIGIN: `http://127.0.0.1:${httpPort}` });

    // /health probes writes: the profile's table must exist, as the rendered steps make it (init-database).
    expect((await runAdmin(['init-database'], { env: { KDT_ROOT: project.root, KDT_PROFILE: 'sqlite' } })).code).toBe(0);
    await using app = await startSite({ ...siteEnv, KDT_ROOT: project.root });
    const config = serverConfig('live', site, httpPort);
    apaches.push(spawnProcess(APACHE, ['-X', '-f', config], { name: 'apache2', env: process.env }));
    await waitForPort(httpPort);

    const health = await fetch(`${publicUrl}health`);
    expect(health.status, await health.clone().text()).toBe(200);
    const direct = (await (await fetch(`http://127.0.0.1:${sitePort}/health`)).json()) as { app: { instance: string } };
    expect(((await health.json()) as { app: { instance: string } }).app.instance).toBe(direct.app.instance);

    const post = (origin: string) =>
      fetch(publicUrl, { method: 'POST', headers: { origin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: 'stuff=&things=' });
    // 400: the origin check let the post through to the form's validation (nothing stored).
    expect((await post(`http://127.0.0.1:${httpPort}`)).status).toBe(400);
    expect((await post('http://evil.example')).status).toBe(403);
    expect(app.output()).toContain(`origin from fixed ORIGIN http://127.0.0.1:${httpPort}`);
    expect(readFileSync(join(dir, 'live', 'server', 'error.log'), 'utf8')).not.toMatch(/\[proxy(_http)?:error\]/);
  });

  // httpd's LimitRequestBody does not apply to proxied requests: the rendered environment file's
  // BODY_SIZE_LIMIT is the bound (adapter-node's default would be 512 KiB).
  it('passes the largest post the form accepts, and answers 413 to a body over 64 KiB, declared or chunked', async () => {
    using project = tempProject();
    project.writeProfile('sqlite', { url: 'sqlite:data/site.sqlite' });
    mkdirSync(join(project.root, 'data'));
    const config = loadConfig({ root: project.root, env: {}, profile: 'sqlite' });
    const orm = await createOrm(config);
    await orm.schema.create();
    await orm.close();
    const [sitePort, httpPort] = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${httpPort}/`;
    const { site, env } = renderSite('limit', { layout: 'rhel', port: String(sitePort), basePath: '', publicUrl }, databaseFacts(config, project.root));
    await using app = await startSite({ ...parseEnvironmentFile(env), KDT_ROOT: project.root });
    apaches.push(spawnProcess(APACHE, ['-X', '-f', serverConfig('limit', site, httpPort)], { name: 'apache2', env: process.env }));
    await waitForPort(httpPort);

    const post = (body: string) =>
      fetch(publicUrl, { method: 'POST', redirect: 'manual', headers: { origin: `http://127.0.0.1:${httpPort}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body });
    // Every character 4 bytes of UTF-8, each byte 3 once percent-encoded: the worst case a browser sends.
    const largest = new URLSearchParams({ stuff: '😀'.repeat(STUFF_MAX_LENGTH), things: '😀'.repeat(THINGS_MAX_LENGTH) }).toString();
    expect(largest.length).toBeGreaterThan(50_000);
    expect((await post(largest)).status).toBe(303);
    const tooBig = `stuff=a&things=${'x'.repeat(64 * 1024)}`;
    expect((await post(tooBig)).status).toBe(413);
    const chunked = await fetch(publicUrl, {
      method: 'POST',
      headers: { origin: `http://127.0.0.1:${httpPort}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new Blob([tooBig]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(app.output()).not.toMatch(/error on POST/);
    const db = new Database(join(project.root, 'data', 'site.sqlite'), { readonly: true });
    try {
      expect(db.prepare('select count(*) as n from stuff').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});
