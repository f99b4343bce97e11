import { startSite, type Site } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend, type Backend } from './support/backends.js';
import { postForm } from './support/requests.js';

const POSTS = 200;

/** The laptop set-up under load: 200 form posts at once to the site on its embedded SQLite file. */
describe('load: 200 concurrent form posts to the site on SQLite', () => {
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

  it('stores exactly 200 rows, one per 303; no 5xx, no "database is locked"', async () => {
    const first = await fetch(`${site.url}health`); // creates the file and the table
    expect(first.status).toBe(200);
    const { instance } = (await first.json()).app;
    const before = await backend.count();
    const results = await Promise.all(
      Array.from({ length: POSTS }, async (_, i) => {
        const stuff = `sqlite load #${i}`;
        try {
          const response = await postForm(site.url, { stuff, things: `post ${i}` });
          const body = await response.text();
          return { stuff, status: response.status, location: response.headers.get('location'), body };
        } catch (error) {
          return { stuff, status: 0, location: null, body: String(error) };
        }
      }),
    );
    const failed = results.filter((r) => r.status !== 303);
    expect(failed.length, JSON.stringify(failed.slice(0, 3).map((r) => [r.status, r.body.slice(0, 300)]))).toBe(0);

    const rows = await backend.rows();
    expect(rows.length).toBe(before + POSTS);
    const stored = new Map(rows.map((r) => [r.stuff, r.id]));
    for (const r of results) expect(r.location).toBe(`./?saved=${stored.get(r.stuff)}`);
    expect(new Set(rows.map((r) => r.stuff))).toEqual(new Set(results.map((r) => r.stuff)));

    expect((await (await fetch(`${site.url}health`)).json()).app.instance).toBe(instance);
    // What it logged, complete once its output has closed: no request failed inside the site.
    await site.stop();
    expect(site.output()).not.toMatch(/database is locked|SQLITE_BUSY|error on /i);
  });
});
