import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite, type Site } from '@kit-db-test/testing';
import { sqliteBackend, type Backend } from './support/backends.js';
import { postForm } from './support/requests.js';

/**
 * With the default origin policy (no ORIGIN, no proxy headers) the origin is http://<Host>. A
 * DNS-rebinding page (its own name, resolved to 127.0.0.1) sends its own name as Host and as
 * Origin: the site must neither store its post nor let it read the page.
 */

/** A request with a Host header of our choosing (fetch would not send it). */
function send(site: Site, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, site.url), { method: body === undefined ? 'GET' : 'POST', headers, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

describe('the default origin policy serves loopback host names only', () => {
  let backend: Backend;
  let site: Site;
  let port: string;
  beforeAll(async () => {
    backend = await sqliteBackend();
    site = await startSite(backend.env);
    port = new URL(site.origin).port;
    await fetch(`${site.url}health`); // creates the SQLite table
  });
  afterAll(async () => {
    await site?.stop();
    await backend?.destroy();
  });

  it('a rebinding post (foreign Host, matching Origin) is refused with the fix, and stores nothing', async () => {
    const rebound = `attacker.example:${port}`;
    const post = await send(site, '/', { ...FORM, host: rebound, origin: `http://${rebound}` }, 'stuff=rebound&things=x');
    expect(post.status).toBe(403);
    expect(post.body).toBe(
      `kit-db-test: refused Host "${rebound}": without ORIGIN the site answers only to localhost, 127.x.x.x and [::1] (against DNS rebinding); to serve this name set ORIGIN=http://${rebound} (or PROTOCOL_HEADER and HOST_HEADER behind a proxy) and restart\n`,
    );
    expect(await backend.count()).toBe(0);
  });

  it('a rebinding page cannot read the page or /health either', async () => {
    const headers = { host: `attacker.example:${port}`, accept: 'text/html' };
    const page = await send(site, '/', headers);
    expect(page.status).toBe(403);
    expect(page.body).not.toContain('Reads');
    expect((await send(site, '/health', headers)).status).toBe(403);
  });

  it.each(['localhost', '127.0.0.1', '127.0.0.2', '[::1]'])('Host %s (with the port) is served, and its same-origin post stored', async (name) => {
    const host = `${name}:${port}`;
    expect((await send(site, '/', { host, accept: 'text/html' })).status).toBe(200);
    const post = await send(site, '/', { ...FORM, host, origin: `http://${host}` }, `stuff=${encodeURIComponent(name)}&things=x`);
    expect(post.status).toBe(303);
    expect((await backend.rows()).map((r) => r.stuff)).toContain(name);
  });

  it('with ORIGIN set, the Host header no longer matters: the origin is fixed', async () => {
    await using fixed = await startSite({ ...backend.env, ORIGIN: 'http://public.example' });
    expect((await send(fixed, '/', { host: 'public.example', accept: 'text/html' })).status).toBe(200);
    expect((await postForm(fixed.url, { stuff: 'fixed', things: 'x' }, { origin: 'http://public.example' })).status).toBe(303);
  });
});
