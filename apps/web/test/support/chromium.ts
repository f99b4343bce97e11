import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';

/** Debian's Chromium; playwright's own browser download does not work on these machines. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}: install Debian's package (apt-get install chromium; ./run.sh test does it as root) or set CHROMIUM_PATH`);
  }
  return path;
}

/** Headless Chromium (playwright gives it a fresh, temporary profile) with no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The attribute the root layout sets on <body> once the page is hydrated (src/routes/+layout.svelte). */
export const HYDRATED = 'body[data-hydrated]';

/**
 * Goes to `url` and waits until the page is hydrated: before that, a click submits the plain HTML
 * form (a full page load instead of the enhanced post) and hydration may reset what was typed. As
 * SvelteKit's own browser tests do after every navigation. For a page with JavaScript on.
 */
export async function gotoHydrated(page: Page, url: string): Promise<Response | null> {
  const response = await page.goto(url);
  await page.locator(HYDRATED).waitFor({ state: 'attached' });
  return response;
}
