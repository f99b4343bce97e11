import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetworkNamespace, freePort, pgServers, startSite, type NetworkNamespace, type Site } from '@kit-db-test/testing';
import { postgresBackend, sqliteBackend, type Backend } from './support/backends.js';
import { getHtml } from './support/requests.js';
import { spawnServer } from './support/processes.js';

/**
 * Who sees which database answered, as whom (KDT_DETAILS), told by the connection's real peer:
 * a visitor on this machine (loopback), and one on another host (a network namespace of the
 * test's own, whose requests come from a non-loopback address).
 */

/** A site another host can reach: listening on this machine's end of the namespace's link. */
async function siteForNamespace(ns: NetworkNamespace, env: Record<string, string>): Promise<Site & { nsUrl: string }> {
  const port = await freePort();
  const nsUrl = `http://${ns.hostAddress}:${port}/`;
  // Its Host header is not a loopback name: the origin must be configured, as for any public name.
  const site = await startSite({ HOST: ns.hostAddress, ORIGIN: nsUrl.slice(0, -1), ...env }, { port });
  return Object.assign(site, { nsUrl });
}

const IDENTITY_LABELS = ['<dt>server</dt>', '<dt>file</dt>', '<dt>OS user</dt>', '<dt>database</dt>', '<dt>user</dt>', '<dt>via</dt>', '<dt>profile</dt>'];

function expectNoIdentity(html: string, secrets: string[]) {
  for (const label of IDENTITY_LABELS) expect(html).not.toContain(label);
  for (const secret of secrets) expect(html).not.toContain(secret);
}

const PUBLIC_HEALTH = { status: 'ok', db: { ok: true, latencyMs: expect.any(Number) }, app: { instance: expect.stringMatching(/^[0-9a-f]{12}$/) } };

let ns: NetworkNamespace;
beforeAll(async () => {
  ns = await createNetworkNamespace();
});
afterAll(() => ns?.destroy());

describe('on SQLite, with the default policy (KDT_DETAILS unset: loopback clients)', () => {
  let backend: Backend;
  let local: Site;
  let remote: Site & { nsUrl: string };
  let file: string;
  beforeAll(async () => {
    backend = await sqliteBackend();
    file = `${backend.env.KDT_ROOT}/data/kit-db-test.sqlite`;
    local = await startSite(backend.env);
    remote = await siteForNamespace(ns, backend.env);
  });
  afterAll(async () => {
    await local?.stop();
    await remote?.stop();
    await backend?.destroy();
  });

  it('a visitor on this machine sees who answered: server, file, OS user, profile; /health with them', async () => {
    const { status, html } = await getHtml(local.url);
    expect(status).toBe(200);
    expect(html).toMatch(/<dt>server<\/dt><dd>SQLite 3\.[\d.]+<\/dd>/);
    expect(html).toContain(`<dt>file</dt><dd>${file}</dd>`);
    expect(html).toContain('<dt>OS user</dt>');
    const health = await (await fetch(`${local.url}health`)).json();
    expect(health).toMatchObject({ db: { driver: 'sqlite', database: file, serverVersion: expect.stringMatching(/^SQLite 3\./) }, app: { version: '0.1.0' } });
  });

  it('a visitor from another host sees the verdicts and timings, and not who answered', async () => {
    const page = await ns.request(remote.nsUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/Reads OK \(\d+(\.\d)? ms\)/);
    expect(page.body).toMatch(/Writes OK \(\d+(\.\d)? ms\)/);
    expect(page.body).toContain("Which database answered, as whom, is shown to the site's administrators only.");
    expectNoIdentity(page.body, [file, backend.env.KDT_ROOT!, 'SQLite 3.', 'journal']);
    const health = await ns.request(`${remote.nsUrl}health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual(PUBLIC_HEALTH);
  });

  it('a visitor from another host cannot claim to be local with a forged X-Forwarded-For', async () => {
    const forged = { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1', 'x-kdt-client-address': '127.0.0.1' };
    const page = await ns.request(remote.nsUrl, { headers: { accept: 'text/html', ...forged } });
    expect(page.status).toBe(200);
    expectNoIdentity(page.body, [file]);
    expect(JSON.parse((await ns.request(`${remote.nsUrl}health`, { headers: forged })).body)).toEqual(PUBLIC_HEALTH);
  });

  it("a proxy on this machine vouches with X-Forwarded-For: its client's address decides", async () => {
    const forwarded = await fetch(local.url, { headers: { accept: 'text/html', 'x-forwarded-for': `127.0.0.1, ${ns.address}` } });
    expectNoIdentity(await forwarded.text(), [file]);
    const forLocal = await fetch(`${local.url}health`, { headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(await forLocal.json()).toMatchObject({ db: { database: file } });
  });

  it('says the policy in its start-up line', () => {
    expect(local.output()).toContain('; details shown to loopback clients; profile default (sqlite:');
  });
});

describe('other policies', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await sqliteBackend();
  });
  afterAll(() => backend?.destroy());

  it('KDT_DETAILS=none: not even a visitor on this machine', async () => {
    await using site = await startSite({ ...backend.env, KDT_DETAILS: 'none' });
    expectNoIdentity((await getHtml(site.url)).html, [backend.env.KDT_ROOT!]);
    expect(await (await fetch(`${site.url}health`)).json()).toEqual(PUBLIC_HEALTH);
    expect(site.output()).toContain('; details shown to no client;');
  });

  it("KDT_DETAILS naming the visitor's network (an admin network): it sees them, another network does not", async () => {
    await using admin = await siteForNamespace(ns, { ...backend.env, KDT_DETAILS: `local,${ns.network}` });
    expect((await ns.request(admin.nsUrl, { headers: { accept: 'text/html' } })).body).toContain('<dt>file</dt>');
    expect(JSON.parse((await ns.request(`${admin.nsUrl}health`)).body)).toMatchObject({ db: { driver: 'sqlite' } });
    await admin.stop();
    await using other = await siteForNamespace(ns, { ...backend.env, KDT_DETAILS: 'local,192.0.2.0/24' });
    expectNoIdentity((await ns.request(other.nsUrl, { headers: { accept: 'text/html' } })).body, [backend.env.KDT_ROOT!]);
  });

  it('KDT_DETAILS=all: every visitor, as before', async () => {
    await using site = await siteForNamespace(ns, { ...backend.env, KDT_DETAILS: 'all' });
    expect((await ns.request(site.nsUrl, { headers: { accept: 'text/html' } })).body).toContain('<dt>OS user</dt>');
  });

  it.each([
    ['KDT_DETAILS', 'everyone', 'kit-db-test: KDT_DETAILS: expected all, none, local, or a comma-separated list of local and networks (e.g. local,10.0.0.0/8), got "everyone"'],
    ['XFF_DEPTH', 'two', 'kit-db-test: XFF_DEPTH: expected how many X-Forwarded-For entries from the right the client\'s is (1, 2, …), got "two"'],
  ])('%s=%s stops the start with one line', async (name, value, line) => {
    await using server = await spawnServer({ ...backend.env, [name]: value });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe(`${line}\n`);
    expect(server.stdout()).toBe('');
  });
});

describe('when the database fails, a visitor from another host learns what kind of failure and the next step', () => {
  const server = pgServers()[0]!;
  let backend: Awaited<ReturnType<typeof postgresBackend>>;
  beforeAll(async () => {
    backend = await postgresBackend(server);
  });
  afterAll(() => backend?.destroy());

  it(`login refused (PostgreSQL ${server.version}): no user, database, socket path nor the server's message`, async () => {
    const env = { ...backend.env, DATABASE_URL: backend.cluster.socketUrl({ password: 'not-the-password-77' }) };
    await using site = await siteForNamespace(ns, env);
    const secrets = ['kdt_app', backend.cluster.socketDir, 'password authentication failed', 'pg_hba', 'not-the-password-77'];
    const page = await ns.request(site.nsUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.body).toContain("What failed: login refused.</strong> the database refused the site's login.");
    expect(page.body).toContain('Reported as SQLSTATE 28P01.');
    expect(page.body).toContain("Next step, for the site's operator on the server: <code>pnpm admin doctor</code>");
    expectNoIdentity(page.body, secrets);
    const health = await ns.request(`${site.nsUrl}health`);
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toEqual({ status: 'error', db: { ok: false, latencyMs: expect.any(Number), error: { kind: 'authenticate', code: '28P01' } }, app: { instance: expect.any(String) } });
    // A form post and the round trip fail the same way, and say as little.
    const form = { method: 'POST', headers: { origin: site.nsUrl.slice(0, -1), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' } };
    const post = await ns.request(site.nsUrl, { ...form, body: 'stuff=a&things=b' });
    expect(post.status).toBe(503);
    expect(post.body).toContain('What failed: login refused.');
    const roundTrip = await ns.request(`${site.nsUrl}roundtrip`, { ...form, body: '' });
    expect(roundTrip.status).toBe(503);
    expect(roundTrip.body).toContain('Round trip failed');
    for (const body of [post.body, roundTrip.body]) expectNoIdentity(body, secrets);
  });

  it('database unreachable: the kind of failure, not the host and port it was looked for at', async () => {
    const closed = await freePort();
    await using site = await siteForNamespace(ns, { ...backend.env, DATABASE_URL: `postgresql://kdt_app@127.0.0.1:${closed}/kdt` });
    const page = await ns.request(site.nsUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.body).toContain('What failed: cannot connect.</strong> the database is unreachable.');
    expect(page.body).toContain('Reported as code ECONNREFUSED.');
    expectNoIdentity(page.body, [`127.0.0.1:${closed}`, String(closed), 'kdt_app', 'systemctl']);
  });
});
