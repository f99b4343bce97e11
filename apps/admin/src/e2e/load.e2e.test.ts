import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthOf, postForm, startRenderedStack, type RenderedStack } from '../test-support/rendered-stack.js';

const POSTS = 200;

/**
 * Load through the deployed stack: 200 form posts at once through httpd to the site on PostgreSQL.
 * Every post that answered 303 stored exactly one row, and no row was stored without a 303.
 */
describe('load: 200 concurrent form posts through httpd on PostgreSQL', () => {
  let stack: RenderedStack;
  beforeAll(async () => {
    stack = await startRenderedStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('stores exactly 200 rows, one per 303, and answers no 5xx', async () => {
    const before = await stack.count();
    const instance = (await healthOf(stack.publicUrl)).body.app.instance;
    const run = Math.random().toString(36).slice(2, 8);
    const results = await Promise.all(
      Array.from({ length: POSTS }, async (_, i) => {
        const stuff = `load ${run} #${i}`;
        const start = performance.now();
        try {
          const response = await postForm(stack.publicUrl, stack.publicOrigin, { stuff, things: `post ${i} of ${POSTS}` }, 20_000);
          await response.arrayBuffer();
          return { stuff, status: response.status, location: response.headers.get('location'), ms: performance.now() - start };
        } catch (error) {
          return { stuff, status: 0, location: null, ms: performance.now() - start, error: String(error) };
        }
      }),
    );
    const byStatus: Record<number, number> = {};
    for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    expect(byStatus, JSON.stringify(results.filter((r) => r.status !== 303).slice(0, 5))).toEqual({ 303: POSTS });

    const rows = (await stack.rows()).filter((r) => r.stuff.startsWith(`load ${run} `));
    expect(await stack.count()).toBe(before + POSTS);
    // Every 303 names the id of the row holding its own value, and every row is one post's.
    const stored = new Map(rows.map((r) => [r.stuff, r.id]));
    expect(stored.size).toBe(POSTS);
    for (const r of results) {
      expect(r.location).toBe(`./?saved=${stored.get(r.stuff)}`);
    }
    expect(new Set(results.map((r) => r.stuff))).toEqual(new Set(stored.keys()));

    expect((await healthOf(stack.publicUrl)).body.app.instance).toBe(instance);
    // httpd writes a proxy error to its log before it answers; what the site printed is complete
    // only once its output has closed.
    await stack.site.stop();
    expect(stack.site.output()).not.toMatch(/error on |Internal error/);
    expect(stack.apache.errorLog()).not.toMatch(/proxy/i);
  });
});
