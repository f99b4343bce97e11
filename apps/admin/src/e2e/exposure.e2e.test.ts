import { createNetworkNamespace, type NetworkNamespace } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, startRenderedStack, type RenderedStack } from '../test-support/rendered-stack.js';

/**
 * What the rendered stack (httpd → site → PostgreSQL, from `ops render`'s files) tells whom: the
 * operator on this machine sees who answered; a visitor from another host (a network namespace,
 * so httpd sees a non-loopback client and says so in X-Forwarded-For) sees the verdicts only.
 */
describe('the rendered stack, by audience', () => {
  let stack: RenderedStack;
  let ns: NetworkNamespace;
  let remoteUrl: string;
  const IDENTITY = ['<dt>server</dt>', '<dt>user</dt>', '<dt>via</dt>', '<dt>profile</dt>', '.s.PGSQL'];

  beforeAll(async () => {
    ns = await createNetworkNamespace();
    stack = await startRenderedStack();
    // The rendered site, with httpd also listening on the namespace's link (same port, same vhost).
    await stack.restartApache(`Listen ${ns.hostAddress}:${stack.apache.port}\n${stack.renderedSite}`);
    remoteUrl = `http://${ns.hostAddress}:${stack.apache.port}${BASE}/`;
  });
  afterAll(async () => {
    await stack?.stop();
    await ns?.destroy();
  });

  it('ops render writes KDT_DETAILS=local', () => {
    expect(stack.siteEnv.KDT_DETAILS).toBe('local');
    expect(stack.site.output()).toContain('; details shown to loopback clients;');
  });

  it('through httpd from this machine: who answered, on the page and in /health', async () => {
    const html = await (await fetch(stack.publicUrl, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('<dt>user</dt><dd>kdt</dd>');
    expect(html).toContain(`<dd>unix socket ${stack.cluster.socketDir}/.s.PGSQL.${stack.cluster.port}</dd>`);
    expect(await (await fetch(`${stack.publicUrl}health`)).json()).toMatchObject({ db: { driver: 'postgresql', database: 'kdt', user: 'kdt' } });
  });

  it('through httpd from another host: the verdicts and timings, not who answered; a forged X-Forwarded-For changes nothing', async () => {
    for (const headers of [{}, { 'x-forwarded-for': '127.0.0.1' }]) {
      const page = await ns.request(remoteUrl, { headers: { accept: 'text/html', ...headers } });
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/Reads OK \(\d+(\.\d)? ms\)/);
      for (const text of [...IDENTITY, stack.cluster.socketDir, 'PostgreSQL 1']) expect(page.body).not.toContain(text);
      const health = await ns.request(`${remoteUrl}health`, { headers });
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ status: 'ok', db: { ok: true, latencyMs: expect.any(Number) }, app: { instance: expect.stringMatching(/^[0-9a-f]{12}$/) } });
    }
    // The page's own requests still work for that visitor: a form post through httpd is stored.
    const post = await ns.request(remoteUrl, {
      method: 'POST',
      headers: { origin: stack.publicOrigin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'stuff=from+another+host&things=x',
    });
    expect(post.status).toBe(303);
    expect((await stack.rows()).map((r) => r.stuff)).toContain('from another host');
  });

  it('the database down: a visitor from another host gets 503, "cannot connect" and the next step, without the socket path', async () => {
    await stack.cluster.stop();
    try {
      const page = await ns.request(remoteUrl, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(503);
      expect(page.body).toContain('What failed: cannot connect.</strong> the database is unreachable.');
      expect(page.body).toContain("Next step, for the site's operator on the server: <code>pnpm admin doctor</code>");
      for (const text of [...IDENTITY, stack.cluster.socketDir, 'systemctl']) expect(page.body).not.toContain(text);
      const local = await (await fetch(stack.publicUrl, { headers: { accept: 'text/html' } })).text();
      expect(local).toContain(stack.cluster.socketDir); // the operator on this machine reads the server's words
    } finally {
      await stack.cluster.start();
    }
  });
});
