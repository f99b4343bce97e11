import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from './backends.js';
import { cookiesOf, fieldValue, getHtml, postBytes, postForm, submissionToken } from './requests.js';
import { startSite, type Site } from '@kit-db-test/testing';

/**
 * What a user of the page notices, run against the built server (node server.js) on a real
 * database. Shared by the SQLite and PostgreSQL suites so both drivers meet the same promises.
 */
export function describeSiteBehaviour(name: string, makeBackend: () => Promise<Backend>): void {
  describe(name, () => {
    let backend: Backend;
    let site: Site;

    beforeAll(async () => {
      backend = await makeBackend();
      site = await startSite(backend.env);
    });
    afterAll(async () => {
      await site?.stop();
      await backend?.destroy();
    });
    beforeEach(async () => {
      // The SQLite default creates its table on the site's first request.
      await fetch(`${site.url}health`);
      await backend.clear();
    });

    it('a valid post stores exactly one row and answers 303 back to the page, which says "Saved #id"', async () => {
      const response = await postForm(site.url, { stuff: 'first', things: 'line 1\nline 2' });
      expect(response.status).toBe(303);
      const rows = await backend.rows();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ stuff: 'first', things: 'line 1\nline 2' });
      const location = new URL(response.headers.get('location')!, site.url);
      expect(location.href).toBe(`${site.url}?saved=${rows[0]!.id}`);
      const page = await getHtml(location.href, { cookie: cookiesOf(response) });
      expect(page.status).toBe(200);
      expect(page.html).toContain(`Saved #${rows[0]!.id}`);
      expect(page.html).toContain('<td class="stuff">first</td>');
    });

    it('"Saved #id" only for the row this browser just saved: an HttpOnly, SameSite=Strict mark, used up by the page', async () => {
      const response = await postForm(site.url, { stuff: 'mine', things: 'x' });
      const [row] = await backend.rows();
      const [mark] = response.headers.getSetCookie();
      expect(mark).toMatch(new RegExp(`^kdt-saved-${row!.id}=1; `));
      expect(mark!.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=120', 'Path=/', 'SameSite=Strict']);
      const saved = `${site.url}?saved=${row!.id}`;
      // The same link without the mark (another browser, a crafted link), or with another row's mark: no notice.
      for (const headers of [{}, { cookie: `kdt-saved-${row!.id + 1}=1` }]) {
        const page = await getHtml(saved, headers);
        expect(page.status).toBe(200);
        expect(page.html).not.toContain('Saved #');
        expect(page.html).toContain('<td class="stuff">mine</td>');
      }
      expect((await getHtml(`${site.url}?saved=999999`)).html).not.toContain('Saved #');
      const shown = await getHtml(saved, { cookie: cookiesOf(response) });
      expect(shown.html).toContain(`Saved #${row!.id}`);
      expect(shown.setCookie).toEqual([expect.stringMatching(new RegExp(`^kdt-saved-${row!.id}=; Max-Age=0; `))]);
    });

    it('the same form posted twice (a double click, a retry) stores one row: both answers go to it; edited, it is a new row', async () => {
      const token = submissionToken((await getHtml(site.url)).html);
      expect(token).toMatch(/^[0-9a-f-]{36}$/);
      const fields = { stuff: 'posted twice', things: 'once stored', submission: token! };
      const first = await postForm(site.url, fields);
      const second = await postForm(site.url, fields);
      expect([first.status, second.status]).toEqual([303, 303]);
      expect(second.headers.get('location')).toBe(first.headers.get('location'));
      expect((await backend.rows()).map((r) => r.stuff)).toEqual(['posted twice']);
      // The user changed the text before posting again: that is another row, not the same one.
      expect((await postForm(site.url, { ...fields, things: 'edited' })).status).toBe(303);
      expect((await backend.rows()).map((r) => r.things)).toEqual(['once stored', 'edited']);
    });

    it('a malformed submission token: 400, nothing stored, the input kept and a line that says to reload', async () => {
      const response = await postForm(site.url, { stuff: 'kept', things: 'also kept', submission: 'not-a-token' });
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain('The submission token of this form is not valid: reload the page and post again.');
      expect(fieldValue(html, 'stuff')).toBe('kept');
      expect(fieldValue(html, 'things')).toBe('also kept');
      expect(await backend.count()).toBe(0);
    });

    it.each([
      ['an empty stuff', { stuff: '', things: 'kept text' }, 'stuff', 'Stuff is required.'],
      ['a blank things', { stuff: 'kept', things: '   ' }, 'things', 'Things is required.'],
      ['256 characters', { stuff: 'x'.repeat(256), things: 'kept' }, 'stuff', 'Stuff is at most 255 characters; this is 256.'],
      ['a missing field', { stuff: 'only stuff' }, 'things', 'Things is required.'],
      ['4001 characters of things', { stuff: 'kept', things: 'y'.repeat(4001) }, 'things', 'Things is at most 4000 characters; this is 4001.'],
    ] as const)('%s: 400, nothing stored, the input kept and the error next to the field', async (_what, fields, field, message) => {
      const response = await postForm(site.url, fields);
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain(`<p class="field-error" id="${field}-error">${message}</p>`);
      expect(fieldValue(html, 'stuff')).toBe(fields.stuff);
      expect(fieldValue(html, 'things')).toBe('things' in fields ? fields.things : '');
      expect(await backend.count()).toBe(0);
    });

    it.each([
      ['percent-encoded', 'application/x-www-form-urlencoded', Buffer.from('stuff=kept+%C3%A9&things=caf%E9')],
      ['as raw bytes', 'application/x-www-form-urlencoded', Buffer.concat([Buffer.from('stuff=kept %C3%A9&things=caf'), Buffer.from([0xe9])])],
      [
        'in a multipart part',
        'multipart/form-data; boundary=kdt',
        Buffer.concat([
          Buffer.from('--kdt\r\nContent-Disposition: form-data; name="stuff"\r\n\r\nkept é\r\n--kdt\r\nContent-Disposition: form-data; name="things"\r\n\r\ncaf'),
          Buffer.from([0xe9]),
          Buffer.from('\r\n--kdt--\r\n'),
        ]),
      ],
    ] as const)('things that is not UTF-8 (Latin-1 é, %s): 400, nothing stored, the error next to it, stuff kept as sent', async (_how, contentType, body) => {
      const response = await postBytes(site.url, contentType, body);
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain('<p class="field-error" id="things-error">Things is not valid UTF-8 text (� marks what could not be read): send the form encoded as UTF-8.</p>');
      expect(html).not.toContain('id="stuff-error"');
      expect([fieldValue(html, 'stuff'), fieldValue(html, 'things')]).toEqual(['kept é', 'caf\uFFFD']);
      expect(await backend.count()).toBe(0);
    });

    it('255 characters are accepted, counted as characters: 255 emoji fit', async () => {
      expect((await postForm(site.url, { stuff: '🙂'.repeat(255), things: 'emoji' })).status).toBe(303);
      expect((await backend.rows())[0]!.stuff).toBe('🙂'.repeat(255));
    });

    it('things up to 4000 characters are accepted, counted as characters: 4000 emoji fit', async () => {
      expect((await postForm(site.url, { stuff: 'long', things: '🙂'.repeat(4000) })).status).toBe(303);
      expect((await backend.rows())[0]!.things).toBe('🙂'.repeat(4000));
    });

    it('renders <script> and quotes escaped, and stores them unchanged', async () => {
      const stuff = `<script>alert("x")</script> & 'quoted'`;
      const things = `"><img src=x onerror=alert(1)>\n</td></tr>`;
      await postForm(site.url, { stuff, things });
      expect(await backend.rows()).toMatchObject([{ stuff, things }]);
      const { html } = await getHtml(site.url);
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script>alert("x")&lt;/script> &amp; \'quoted\'');
    });

    it('unicode and emoji round-trip unchanged', async () => {
      const stuff = 'Grüße, 日本語, עברית, 👩🏽‍💻';
      const things = 'çà et là\n\ttab\r\nwindows line 🚀';
      await postForm(site.url, { stuff, things });
      // Browsers send \r\n in a textarea; HTML forms normalise to it, and the database keeps what came.
      expect(await backend.rows()).toMatchObject([{ stuff, things }]);
      expect((await getHtml(site.url)).html).toContain(`<td class="stuff">${stuff}</td>`);
    });

    const shownSeeds = (html: string) => [...html.matchAll(/<td class="stuff">seed (\d+)<\/td>/g)].map((m) => Number(m[1]));
    const seeds = (from: number, count: number) => Array.from({ length: count }, (_, i) => from - i);
    /** the href of the page's pagination link with this rel, resolved against the page */
    const link = (html: string, rel: 'first' | 'prev' | 'next' | 'last') => {
      const href = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html)?.[1];
      return href === undefined ? undefined : new URL(href.replaceAll('&amp;', '&'), site.url).href;
    };

    it('paginates 50 rows a page, newest first, with the total count, linked older and newer', async () => {
      await backend.seed(120);
      const first = (await getHtml(site.url)).html;
      expect(first).toContain('(120 in all, newest first)');
      expect(shownSeeds(first)).toEqual(seeds(120, 50));
      expect(link(first, 'prev')).toBeUndefined();
      const second = (await getHtml(link(first, 'next')!)).html;
      expect(shownSeeds(second)).toEqual(seeds(70, 50));
      const third = (await getHtml(link(second, 'next')!)).html;
      expect(shownSeeds(third)).toEqual(seeds(20, 20));
      expect(link(third, 'next')).toBeUndefined();
      expect(shownSeeds((await getHtml(link(third, 'prev')!)).html)).toEqual(seeds(70, 50));
      expect(shownSeeds((await getHtml(link(first, 'last')!)).html)).toEqual(seeds(50, 50));
      expect(shownSeeds((await getHtml(link(third, 'first')!)).html)).toEqual(seeds(120, 50));
    });

    it('links survive inserts: a row saved between two page views does not shift the older page', async () => {
      await backend.seed(120);
      const first = (await getHtml(site.url)).html;
      expect((await postForm(site.url, { stuff: 'seed 121', things: 'between two views' })).status).toBe(303);
      const older = (await getHtml(link(first, 'next')!)).html;
      expect(shownSeeds(older)).toEqual(seeds(70, 50));
      expect(older).toContain('(121 in all, newest first)');
      // And back: the newer page is the one first shown, and newer than it the row saved since.
      const newer = (await getHtml(link(older, 'prev')!)).html;
      expect(shownSeeds(newer)).toEqual(seeds(120, 50));
      expect(shownSeeds((await getHtml(link(newer, 'prev')!)).html)).toEqual([121]);
    });

    it('above 10 000 rows the total is "about N", and a deep page reads like the first', async () => {
      await backend.seed(12_000);
      const first = (await getHtml(site.url)).html;
      const about = /\(about ([\d,]+) in all, newest first\)/.exec(first);
      expect(about).not.toBeNull();
      // The planner's statistics (PostgreSQL) or the id range (SQLite): an estimate, not a count.
      const estimate = Number(about![1]!.replaceAll(',', ''));
      expect(estimate).toBeGreaterThanOrEqual(10_000);
      expect(estimate).toBeLessThanOrEqual(15_000);
      const oldest = await getHtml(link(first, 'last')!);
      expect(oldest.status).toBe(200);
      expect(shownSeeds(oldest.html)).toEqual(seeds(50, 50));
      const deep = (await getHtml(link(oldest.html, 'prev')!)).html;
      expect(shownSeeds(deep)).toEqual(seeds(100, 50));
      expect(shownSeeds((await getHtml(link(deep, 'prev')!)).html)).toEqual(seeds(150, 50));
      expect(shownSeeds((await getHtml(link(deep, 'next')!)).html)).toEqual(seeds(50, 50));
      // Back under the threshold, the total is counted again.
      await backend.keepNewest(100);
      expect((await getHtml(site.url)).html).toContain('(100 in all, newest first)');
    });

    it('an old ?page=N link redirects to the same rows, as a cursor; past the end, to the oldest rows', async () => {
      await backend.seed(120);
      const response = await fetch(`${site.url}?page=2`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      const target = new URL(response.headers.get('location')!, site.url);
      expect(target.search).toMatch(/^\?before=\d+$/);
      expect(shownSeeds((await getHtml(target.href)).html)).toEqual(seeds(70, 50));
      expect(shownSeeds((await getHtml(`${site.url}?page=99`)).html)).toEqual(seeds(50, 50));
      expect(shownSeeds((await getHtml(`${site.url}?page=1`)).html)).toEqual(seeds(120, 50));
    });

    it.each([
      ['before=abc', 'before: expected a row id'],
      ['after=-5', 'after: expected a row id'],
      ['before=99999999999', 'before: expected a row id'],
      ['before=1&after=2', 'before and after are given together'],
      ['page=abc', 'page: expected a page number'],
    ])('a malformed ?%s answers 400 with what to give instead', async (query, message) => {
      await backend.seed(3);
      const { status, html } = await getHtml(`${site.url}?${query}`);
      expect(status).toBe(400);
      expect(html).toContain(message);
      expect(await backend.count()).toBe(3);
    });

    it('the status panel says reads and writes work, with the identity the database reports', async () => {
      const { status, html } = await getHtml(site.url);
      expect(status).toBe(200);
      expect(html).toMatch(/Reads OK \(\d+(\.\d)? ms\)/);
      expect(html).toMatch(/Writes OK \(\d+(\.\d)? ms\)/);
      expect(html).toContain(`<dt>driver</dt><dd>${backend.driver}</dd>`);
      expect(await backend.count()).toBe(0); // the write probe was rolled back
    });

    it('page views take no ids: the next saved row follows the last one', async () => {
      await postForm(site.url, { stuff: 'first', things: 'x' });
      for (let i = 0; i < 3; i++) await getHtml(site.url);
      await postForm(site.url, { stuff: 'second', things: 'x' });
      const [a, b] = await backend.rows();
      expect(b!.id - a!.id).toBe(1);
    });

    it('/health is 200 with the driver, version, database and user', async () => {
      const response = await fetch(`${site.url}health`);
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ status: 'ok', db: { ok: true, driver: backend.driver }, app: { version: '0.1.0' } });
      expect(body.db.latencyMs).toBeGreaterThanOrEqual(0);
      expect(body.db.serverVersion).toMatch(backend.driver === 'sqlite' ? /^SQLite 3\./ : /^PostgreSQL \d+/);
      expect(body.app.instance).toMatch(/^[0-9a-f]{12}$/);
    });

    it('the round trip inserts, reads back and deletes a probe row, timing each step, leaving the table as it was', async () => {
      await backend.seed(3);
      const before = await backend.rows();
      const response = await postForm(`${site.url}roundtrip`, {});
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toMatch(/Round trip OK<\/strong> in [\d.]+ ms/);
      for (const step of ['insert', 'read back', 'delete', 'commit']) expect(html).toMatch(new RegExp(`<li>${step}: [\\d.]+ ms</li>`));
      expect(await backend.rows()).toEqual(before);
    });

    it('50 concurrent valid posts store exactly 50 rows', async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => postForm(site.url, { stuff: `concurrent ${i}`, things: 'load' })),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(50).fill(303));
      const rows = await backend.rows();
      expect(rows).toHaveLength(50);
      expect(new Set(rows.map((r) => r.stuff)).size).toBe(50);
    });

    it('refuses a form post from another origin (403), storing nothing', async () => {
      const response = await postForm(site.url, { stuff: 'csrf', things: 'x' }, { origin: 'http://evil.example' });
      expect(response.status).toBe(403);
      expect(await backend.count()).toBe(0);
    });
  });
}
