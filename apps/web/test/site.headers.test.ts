import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite, type Site } from '@kit-db-test/testing';
import { sqliteBackend, type Backend } from './support/backends.js';

/** Security headers the site sets itself, so that a deployment without httpd in front has them too. */
describe('security headers on every answer', () => {
  let backend: Backend;
  let site: Site;
  beforeAll(async () => {
    backend = await sqliteBackend();
    site = await startSite(backend.env);
  });
  afterAll(async () => {
    await site?.stop();
    await backend?.destroy();
  });

  const expectCommon = (headers: Headers) => {
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('same-origin');
  };

  it("the page: a Content-Security-Policy with SvelteKit's nonce, own scripts, styles and requests only, framed by nobody", async () => {
    const response = await fetch(site.url, { headers: { accept: 'text/html' } });
    const html = await response.text();
    expectCommon(response.headers);
    const csp = response.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    const directives = csp.split('; ');
    expect(directives).toHaveLength(9);
    expect(directives).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        `script-src 'self' 'nonce-${nonce}'`,
        "style-src 'self'",
        expect.stringMatching(/^style-src-attr 'unsafe-hashes' 'sha256-[A-Za-z0-9+/]+=*'$/),
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ]),
    );
    // Every inline script carries the nonce; no style attribute is left in the markup.
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
    expect(html).not.toMatch(/\sstyle="/);
    // A fresh nonce for every page.
    const again = (await fetch(site.url)).headers.get('content-security-policy')!;
    expect(again).not.toContain(nonce);
  });

  it('/health, a static asset, a 404 and an error page have them too', async () => {
    const html = await (await fetch(site.url)).text();
    const asset = /(?:href|src)="([^"]*_app\/immutable\/[^"]+\.js)"/.exec(html)![1]!;
    for (const path of ['health', new URL(asset, site.url).pathname.slice(1), 'no-such-page', '_app/no-such-file.js']) {
      const response = await fetch(new URL(path, site.url));
      expectCommon(response.headers);
      expect(response.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
    }
  });
});
