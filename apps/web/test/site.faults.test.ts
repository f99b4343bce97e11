import { createServer, type Server, type Socket } from 'node:net';
import { pgServers } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend, type Backend } from './support/backends.js';
import { getHtml } from './support/requests.js';
import { freePort, startSite, withMargin, type Site } from '@kit-db-test/testing';
import { HEALTH_TIMEOUT_MS } from '../src/lib/server/health.js';
import { PAGE_DB_TIMEOUT_MS } from '../src/lib/server/status.js';

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

async function healthOf(site: Site) {
  const response = await fetch(`${site.url}health`);
  return { status: response.status, body: await response.json() };
}

for (const server of pgServers()) {
  describe(`when ${server.kind} PostgreSQL ${server.version} fails`, () => {
    let backend: Backend & Awaited<ReturnType<typeof postgresBackend>>;
    let site: Site;

    beforeAll(async () => {
      backend = await postgresBackend(server);
      site = await startSite(backend.env);
    });
    afterAll(async () => {
      await site?.stop();
      await backend?.destroy();
    });

    it('stopped: /health answers 503 within its bound, the page explains; restarted: 200 again from the same process', async () => {
      const before = await healthOf(site);
      expect(before.status).toBe(200);
      await backend.cluster.stop();

      const down = await timed(() => healthOf(site));
      expect(down.value.status).toBe(503);
      expect(down.ms).toBeLessThan(withMargin(HEALTH_TIMEOUT_MS));
      expect(down.value.body).toMatchObject({ status: 'error', db: { ok: false, driver: 'postgresql', error: { kind: 'connect' } } });

      const page = await getHtml(site.url);
      expect(page.status).toBe(503);
      expect(page.html).toContain('What failed: cannot connect.');
      expect(page.html).toMatch(/\(code (ENOENT|ECONNREFUSED)\)/);
      expect(page.html).toContain('Reads FAILED');
      expect(page.html).not.toMatch(/\bat [\w.<>]+ \(.*:\d+:\d+\)/); // no stack trace
      expect(page.html).not.toContain(backend.cluster.app.password);

      await backend.cluster.start();
      const up = await healthOf(site);
      expect(up.status).toBe(200);
      expect(up.body.app.instance).toBe(before.body.app.instance);
      expect((await getHtml(site.url)).status).toBe(200);
    });

    it('a wrong password: 503, "login refused", SQLSTATE 28P01 and the doctor as the next step, no password shown', async () => {
      const wrong = 'not-the-password-123';
      await using bad = await startSite({ ...backend.env, DATABASE_URL: backend.cluster.socketUrl({ password: wrong }) });
      const page = await getHtml(bad.url);
      expect(page.status).toBe(503);
      expect(page.html).toContain('What failed: login refused.');
      expect(page.html).toContain('password authentication failed for user "kdt_app"');
      expect(page.html).toContain('(SQLSTATE 28P01)');
      expect(page.html).toContain('pnpm admin doctor');
      expect(page.html + (await fetch(`${bad.url}health`).then((r) => r.text())) + bad.output()).not.toContain(wrong);
    });

    it('a missing table: 503, "table missing", next step pnpm admin init-database', async () => {
      await backend.cluster.admin('CREATE DATABASE empty_db OWNER kdt_app');
      await using bare = await startSite({ ...backend.env, DATABASE_URL: backend.cluster.socketUrl({ database: 'empty_db' }) });
      const page = await getHtml(bare.url);
      expect(page.status).toBe(503);
      expect(page.html).toContain('What failed: table missing.');
      expect(page.html).toContain('(SQLSTATE 42P01)');
      expect(page.html).toContain('Next step: <code>pnpm admin init-database</code>');
    });
  });
}

describe('a database that accepts the connection and never answers', () => {
  let hung: Server;
  const sockets: Socket[] = [];
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    hung = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => hung.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => hung.close(resolve));
  });

  it('gives 503 from /health within its bound and a page within the page bound, instead of hanging', async () => {
    await using site = await startSite({ DATABASE_URL: `postgresql://kdt@127.0.0.1:${port}/kdt` });
    const health = await timed(() => healthOf(site));
    expect(health.value.status).toBe(503);
    expect(health.ms).toBeLessThan(withMargin(HEALTH_TIMEOUT_MS));
    expect(health.value.body.db.error.kind).toBe('timeout');
    const page = await timed(() => getHtml(site.url));
    expect(page.value.status).toBe(503);
    expect(page.ms).toBeLessThan(withMargin(PAGE_DB_TIMEOUT_MS));
    expect(page.value.html).toContain('What failed: no answer in time.');
  });
});
