import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend, type Backend } from './support/backends.js';
import { gotoHydrated, HYDRATED, launchChromium } from './support/chromium.js';
import { startSite, type Site } from '@kit-db-test/testing';

const ARTIFACTS = fileURLToPath(new URL('../.test-results/', import.meta.url));

describe('in a real browser (Chromium)', () => {
  let backend: Backend;
  let site: Site;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    backend = await sqliteBackend();
    site = await startSite(backend.env);
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await backend?.destroy();
  });

  it('with JavaScript: submits without a full reload, shows "Saved", the new row and the status panel', async () => {
    const page = await browser.newPage();
    await gotoHydrated(page, site.url);
    await expect(page.locator('.verdict[data-check="reads"]').textContent()).resolves.toMatch(/^Reads OK/);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.fill('#stuff', 'typed in Chromium');
    await page.fill('#things', 'with JavaScript <on>');
    await page.click('button:text("Save")');
    await page.locator('.saved').waitFor();
    expect(await page.locator('.saved').textContent()).toMatch(/^Saved #\d+$/);
    expect(await page.locator('tbody tr').first().locator('.stuff').textContent()).toBe('typed in Chromium');
    expect(await page.locator('tbody tr').first().locator('.things').textContent()).toBe('with JavaScript <on>');
    // Enhanced: the same document, not a new page load.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(await page.inputValue('#stuff')).toBe('');
    expect(await page.inputValue('#things')).toBe('');
    await page.screenshot({ path: `${ARTIFACTS}site-javascript.png`, fullPage: true });
    // The notice was for that save only: reloading its URL, or opening it in another browser, shows none.
    expect(page.url()).toMatch(/\?saved=\d+$/);
    await page.reload();
    await page.locator('tbody tr').first().waitFor();
    expect(await page.locator('.saved').count()).toBe(0);
    const other = await browser.newContext();
    const elsewhere = await other.newPage();
    await elsewhere.goto(page.url());
    expect(await elsewhere.locator('tbody tr').first().locator('.stuff').textContent()).toBe('typed in Chromium');
    expect(await elsewhere.locator('.saved').count()).toBe(0);
    await other.close();
    await page.close();
  });

  it('with JavaScript: the same text saved twice on purpose is two rows (each save gets a new submission token)', async () => {
    const page = await browser.newPage();
    await gotoHydrated(page, site.url);
    const before = await backend.count();
    const tokens: string[] = [];
    for (let i = 1; i <= 2; i++) {
      tokens.push(await page.locator('input[name="submission"]').inputValue());
      await page.fill('#stuff', 'the same twice');
      await page.fill('#things', 'on purpose');
      await page.click('button:text("Save")');
      await page.locator('tbody tr', { hasText: 'the same twice' }).nth(i - 1).waitFor();
    }
    expect(tokens[1]).not.toBe(tokens[0]);
    expect(await backend.count()).toBe(before + 2);
    await page.close();
  });

  it('with JavaScript: a rejected post keeps what was typed and shows the error next to the field', async () => {
    const page = await browser.newPage();
    await gotoHydrated(page, site.url);
    const before = await backend.count();
    await page.fill('#stuff', 'y'.repeat(256));
    await page.fill('#things', 'kept');
    await page.click('button:text("Save")');
    await page.locator('#stuff-error').waitFor();
    expect(await page.locator('#stuff-error').textContent()).toBe('Stuff is at most 255 characters; this is 256.');
    expect(await page.inputValue('#stuff')).toBe('y'.repeat(256));
    expect(await page.inputValue('#things')).toBe('kept');
    expect(await backend.count()).toBe(before);
    await page.close();
  });

  it('with JavaScript: "Check round trip" shows each step in place', async () => {
    const page = await browser.newPage();
    await gotoHydrated(page, site.url);
    await page.click('button:text("Check round trip")');
    await page.locator('.roundtrip ol').waitFor();
    expect(await page.locator('.roundtrip li').allTextContents()).toEqual([
      expect.stringMatching(/^insert: [\d.]+ ms$/),
      expect.stringMatching(/^read back: [\d.]+ ms$/),
      expect.stringMatching(/^delete: [\d.]+ ms$/),
      expect.stringMatching(/^commit: [\d.]+ ms$/),
    ]);
    expect(page.url()).toBe(site.url);
    await page.close();
  });

  it('without JavaScript: the form still posts, redirects and shows the row', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(site.url);
    await page.fill('#stuff', 'no script here');
    await page.fill('#things', 'plain HTML form');
    await Promise.all([page.waitForURL(/\?saved=\d+$/), page.click('button:text("Save")')]);
    expect(await page.locator(HYDRATED).count()).toBe(0); // no script ran: the plain form did this
    expect(await page.locator('.saved').textContent()).toMatch(/^Saved #\d+$/);
    expect(await page.locator('tbody tr').first().locator('.stuff').textContent()).toBe('no script here');
    // Reloading the page after a post does not post again.
    const count = await backend.count();
    await page.reload();
    expect(await backend.count()).toBe(count);
    expect(await page.locator('.saved').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}site-no-javascript.png`, fullPage: true });
    await context.close();
  });

  it('under its Content-Security-Policy: hydrates, posts without a reload, reports no violation; an injected inline script is refused; no frame may hold it', async () => {
    const page = await browser.newPage();
    const console: string[] = [];
    page.on('console', (message) => console.push(message.text()));
    // Collected in the page itself: every violation the browser reports fires this event.
    await page.addInitScript(() => {
      const seen: string[] = ((window as unknown as { violations: string[] }).violations = []);
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await gotoHydrated(page, site.url);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self' 'nonce-");
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    await page.fill('#stuff', 'under the CSP');
    await page.fill('#things', 'still enhanced');
    await page.click('button:text("Save")');
    await page.locator('.saved').waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    await page.click('button:text("Check round trip")');
    await page.locator('.roundtrip ol').waitFor();
    // SvelteKit's route announcer (its one style attribute) is in place and hidden, as its hash allows.
    expect(await page.locator('#svelte-announcer').evaluate((el) => getComputedStyle(el).position)).toBe('absolute');
    const violations = () => page.evaluate(() => (window as unknown as { violations: string[] }).violations);
    expect(await violations()).toEqual([]);
    expect(console.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);

    // The policy is enforced: a script injected without the nonce does not run, and is reported.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = '(window).injected = true';
      document.body.append(script);
    });
    await page.waitForFunction(() => (window as unknown as { violations: string[] }).violations.length > 0);
    expect(await violations()).toEqual([expect.stringMatching(/^script-src-elem inline$/)]);
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    await page.close();

    // frame-ancestors 'none' / X-Frame-Options: another page cannot frame the site.
    const framer = await browser.newPage();
    const framerConsole: string[] = [];
    framer.on('console', (message) => framerConsole.push(message.text()));
    // setContent waits for the load event, which waits for the frame.
    await framer.setContent(`<iframe src="${site.url}"></iframe>`);
    expect(await framer.frames()[1]!.locator('h1', { hasText: 'kit-db-test' }).count()).toBe(0);
    expect(framerConsole).toEqual(expect.arrayContaining([expect.stringMatching(/frame-ancestors 'none'/)]));
    await framer.close();
  });
});
