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
    await page.screenshot({ path: `${ARTIFACTS}site-no-javascript.png`, fullPage: true });
    await context.close();
  });
});
