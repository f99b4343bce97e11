import { request } from 'node:http';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend, type Backend } from './support/backends.js';

import { getHtml, postForm } from './support/requests.js';
import { buildSite, startSite } from '@kit-db-test/testing';

const BASE = '/kit-db-test';
const PUBLIC = 'https://public.example';
/** What httpd sends with `ProxyPreserveHost On` and `RequestHeader set X-Forwarded-Proto https`. */
const PROXIED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example' };
const PROXY_ENV = { PROTOCOL_HEADER: 'x-forwarded-proto', HOST_HEADER: 'x-forwarded-host' };

let buildDir: string;
let backend: Backend;
beforeAll(async () => {
  buildDir = buildSite(BASE);
  backend = await sqliteBackend();
});
afterAll(() => backend?.destroy());

describe(`built with BASE_PATH=${BASE}, behind a proxy`, () => {
  it('serves the page, its assets, links and form actions under the base path', async () => {
    await using site = await startSite({ ...backend.env, ...PROXY_ENV }, { buildDir, basePath: BASE });
    const { status, html } = await getHtml(site.url);
    expect(status).toBe(200);
    const assets = [...html.matchAll(/(?:href|src)="([^"]*_app\/[^"]+)"/g)].map((m) => new URL(m[1]!, site.url));
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset.pathname.startsWith(`${BASE}/_app/`)).toBe(true);
      expect((await fetch(asset)).status).toBe(200);
    }
    const roundTripAction = /<form method="POST" action="([^"]+)"/.exec(html)![1]!;
    expect(new URL(roundTripAction, site.url).pathname).toBe(`${BASE}/roundtrip`);
    expect((await fetch(`${site.origin}${BASE}`, { redirect: 'manual' })).status).toBe(308);
    expect((await fetch(`${site.origin}/`)).status).toBe(404);
  });

  it('accepts a post whose Origin matches the forwarded protocol and host, and redirects under the base path', async () => {
    await using site = await startSite({ ...backend.env, ...PROXY_ENV }, { buildDir, basePath: BASE });
    const response = await postForm(site.url, { stuff: 'via proxy', things: 'x' }, { origin: PUBLIC, ...PROXIED });
    expect(response.status).toBe(303);
    expect(new URL(response.headers.get('location')!, `${PUBLIC}${BASE}/`).pathname).toBe(`${BASE}/`);
    // The mark behind "Saved #id" is scoped to the page under the base path, and https-only behind an https proxy.
    const [mark] = response.headers.getSetCookie();
    expect(mark!.split('; ')).toEqual(expect.arrayContaining([`Path=${BASE}/`, 'Secure', 'HttpOnly', 'SameSite=Strict']));
    const page = await getHtml(new URL(response.headers.get('location')!, site.url).href, { cookie: mark!.split(';')[0]!, ...PROXIED });
    expect(page.html).toMatch(/Saved #\d+/);
    // The same post without the proxy's headers does not match the public origin.
    expect((await postForm(site.url, { stuff: 'direct', things: 'x' }, { origin: PUBLIC })).status).toBe(403);
    expect((await backend.rows()).map((r) => r.stuff)).toContain('via proxy');
    expect((await backend.rows()).map((r) => r.stuff)).not.toContain('direct');
  });

  it('with a run-time ORIGIN, accepts posts from that origin only', async () => {
    await using site = await startSite({ ...backend.env, ORIGIN: PUBLIC }, { buildDir, basePath: BASE });
    expect((await postForm(site.url, { stuff: 'from origin', things: 'x' }, { origin: PUBLIC })).status).toBe(303);
    expect((await postForm(site.url, { stuff: 'from elsewhere', things: 'x' })).status).toBe(403);
    // A client cannot talk its way in with forged proxy headers when ORIGIN is fixed.
    expect((await postForm(site.url, { stuff: 'forged', things: 'x' }, { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-kdt-origin-host': 'evil.example' })).status).toBe(403);
  });

  it('logs one start-up line: address, base path, origin policy, who sees details and profile, with the password masked', async () => {
    const password = 'log-secret-5521';
    await using site = await startSite({ ...backend.env, ...PROXY_ENV, DATABASE_URL: `postgresql://kdt:${password}@127.0.0.1:1/kdt` }, { buildDir, basePath: BASE });
    const lines = site.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `kit-db-test listening on ${site.origin}${BASE} (base path ${BASE}; origin from proxy headers (protocol from x-forwarded-proto, host from x-forwarded-host); details shown to loopback clients; profile default (postgresql://kdt:********@127.0.0.1:1/kdt))`,
    );
  });

  it('an invalid ORIGIN stops the start with one line', async () => {
    await expect(startSite({ ...backend.env, ORIGIN: 'public.example' }, { buildDir })).rejects.toThrow(
      'kit-db-test: ORIGIN: expected an origin such as https://example.org, got "public.example"',
    );
  });
});

describe('on a unix socket (SOCKET_PATH), as httpd may proxy to', () => {
  it('listens there, group-accessible, and serves the page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdt-sock-'));
    const socketPath = join(dir, 'site.sock');
    try {
      await using site = await startSite({ ...backend.env, SOCKET_PATH: socketPath });
      expect(site.output()).toContain(`listening on unix:${socketPath}/`);
      expect(statSync(socketPath).mode & 0o777).toBe(0o660);
      const status = await new Promise<number>((resolve, reject) => {
        request({ socketPath, path: '/', headers: { host: 'localhost', accept: 'text/html' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with WORKERS=2 as well: a stale socket file is replaced, one group-accessible socket, every answer from the same site', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdt-sock-'));
    const socketPath = join(dir, 'site.sock');
    writeFileSync(socketPath, ''); // left over from a previous run
    const health = () =>
      new Promise<{ status: number; instance: string }>((resolve, reject) => {
        // a new connection each time (no agent), so the primary hands them to both workers
        request({ socketPath, path: '/health', agent: false, headers: { host: 'localhost' } }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, instance: (JSON.parse(body) as { app: { instance: string } }).app.instance }));
        })
          .on('error', reject)
          .end();
      });
    try {
      await using site = await startSite({ ...backend.env, SOCKET_PATH: socketPath, WORKERS: '2' });
      expect(site.output()).toContain(`listening on unix:${socketPath}/ (2 processes;`);
      expect(statSync(socketPath).isSocket()).toBe(true);
      expect(statSync(socketPath).mode & 0o777).toBe(0o660);
      const answers = await Promise.all(Array.from({ length: 8 }, health));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      expect(new Set(answers.map((a) => a.instance)).size).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
