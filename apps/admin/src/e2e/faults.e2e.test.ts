import pg from 'pg';
import { freezeCluster } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthOf, postForm, startRenderedStack, timed, type RenderedStack } from '../test-support/rendered-stack.js';

interface Sample {
  kind: 'GET' | 'POST';
  stuff?: string;
  start: number;
  end: number;
  status: number;
  error?: string;
}

/** Faults under the deployed stack (httpd → site → PostgreSQL): the site answers, in time, and loses nothing. */
describe('faults through httpd on PostgreSQL', () => {
  let stack: RenderedStack;
  beforeAll(async () => {
    stack = await startRenderedStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('PostgreSQL restarted under a steady load: 503 within 2 s while down, recovery within 5 s, same process, rows == 303s', async () => {
    const before = await healthOf(stack.publicUrl);
    expect(before.status).toBe(200);
    const rowsBefore = await stack.count();
    const run = Math.random().toString(36).slice(2, 8);
    const samples: Sample[] = [];
    const t0 = performance.now();
    let stopAt = Infinity;
    let n = 0;

    // Four clients, each posting a unique value then reading the page, until told to stop.
    const client = async (c: number) => {
      while (performance.now() < stopAt) {
        const kind = n % 2 === 0 ? 'POST' : 'GET';
        const stuff = `restart ${run} ${c}-${n++}`;
        const start = performance.now();
        try {
          const response =
            kind === 'POST'
              ? await postForm(stack.publicUrl, stack.publicOrigin, { stuff, things: 'steady load' }, 5000)
              : await fetch(stack.publicUrl, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(5000) });
          await response.arrayBuffer();
          samples.push({ kind, ...(kind === 'POST' ? { stuff } : {}), start, end: performance.now(), status: response.status });
        } catch (error) {
          samples.push({ kind, ...(kind === 'POST' ? { stuff } : {}), start, end: performance.now(), status: 0, error: String(error) });
        }
      }
    };
    const clients = Promise.all([0, 1, 2, 3].map(client));

    await new Promise((r) => setTimeout(r, 1500));
    const downAt = performance.now();
    await stack.cluster.stop();
    const stoppedAt = performance.now();
    await new Promise((r) => setTimeout(r, 1500));
    await stack.cluster.start();
    const upAt = performance.now();
    stopAt = upAt + 6000;
    await clients;

    const at = (t: number) => Math.round(t - t0);
    const statusCounts: Record<number, number> = {};
    for (const s of samples) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
    const slowest503 = Math.round(Math.max(0, ...samples.filter((s) => s.status === 503).map((s) => s.end - s.start)));
    const show = (s: Sample) => `${s.kind} ${s.status} at ${at(s.start)}..${at(s.end)} ms${s.error ? ` ${s.error}` : ''}`;
    // For failure messages: when the server went and came back, and every request that did not succeed.
    const timeline = `down at ${at(downAt)}, stopped at ${at(stoppedAt)}, up at ${at(upAt)} ms; ${samples.length} requests; those that did not succeed:\n${samples
      .filter((s) => s.status !== 200 && s.status !== 303)
      .map(show)
      .join('\n')}`;

    // Every request answered: 200 or 303 when the database answered, 503 when not; never 500, never a hang.
    expect(samples.filter((s) => ![200, 303, 503].includes(s.status)).map(show), timeline).toEqual([]);
    expect(samples.filter((s) => s.status === 503 && s.end - s.start > 2000).map(show), timeline).toEqual([]);
    // The outage was seen: requests during it answered 503.
    const outage = samples.filter((s) => s.start >= stoppedAt && s.end <= upAt);
    expect(outage.length, timeline).toBeGreaterThan(5);
    expect(outage.every((s) => s.status === 503), timeline).toBe(true);
    // Recovered by itself within 5 s of the server's return: everything started after that succeeded.
    const late = samples.filter((s) => s.start >= upAt + 5000);
    expect(late.length, timeline).toBeGreaterThan(5);
    expect(late.every((s) => s.status === 200 || s.status === 303), timeline).toBe(true);
    const firstOk = samples.filter((s) => s.start >= upAt && (s.status === 200 || s.status === 303)).sort((a, b) => a.end - b.end)[0];
    expect(firstOk && firstOk.end - upAt, timeline).toBeLessThan(5000);
    console.info(`restart under load: ${samples.length} requests ${JSON.stringify(statusCounts)}; slowest 503 ${slowest503} ms; first success ${Math.round(firstOk!.end - upAt)} ms after the server was back`);

    // The same process answers, and every 303 stored its row, and nothing else was stored.
    const after = await healthOf(stack.publicUrl);
    expect(after.status).toBe(200);
    expect(after.body.app.instance).toBe(before.body.app.instance);
    const saved = samples.filter((s) => s.kind === 'POST' && s.status === 303).map((s) => s.stuff!);
    expect(saved.length).toBeGreaterThan(10);
    const rows = (await stack.rows()).filter((r) => r.stuff.startsWith(`restart ${run} `));
    expect(await stack.count()).toBe(rowsBefore + saved.length);
    expect(rows.map((r) => r.stuff).sort()).toEqual(saved.sort());
    expect(stack.site.output()).not.toMatch(/error on /);
  });

  // A stopped server (SIGSTOP: a frozen disk, a paused VM) under load: the site's pooled
  // connections hold statements the server has not read. When it resumes it must not commit a row
  // the user was told is not saved; a post whose COMMIT was in flight may say only "may have been saved".
  it('PostgreSQL frozen (SIGSTOP) under a steady load: every post answered in time; no post answered "not saved" stores its row when the server resumes; every 303 stored its row', async () => {
    const run = Math.random().toString(36).slice(2, 8);
    type Post = { stuff: string; status: number; ms: number; outcome: 'saved' | 'not saved' | 'may have been saved' | 'other'; error?: string };
    const posts: Post[] = [];
    let frozenAt = Infinity;
    let thawedAt = Infinity;
    let stop = false;
    let n = 0;
    const client = async (c: number) => {
      while (!stop) {
        const stuff = `frozen ${run} ${c}-${n++}`;
        const start = performance.now();
        try {
          const response = await postForm(stack.publicUrl, stack.publicOrigin, { stuff, things: 'under load' }, 10_000);
          const html = await response.text();
          const outcome =
            response.status === 303 ? 'saved' : html.includes('May have been saved:') ? 'may have been saved' : html.includes('Not saved:') ? 'not saved' : 'other';
          posts.push({ stuff, status: response.status, ms: performance.now() - start, outcome });
        } catch (error) {
          posts.push({ stuff, status: 0, ms: performance.now() - start, outcome: 'other', error: String(error) });
        }
      }
    };
    // Waits on the answers themselves: enough of them, of the kind the phase is about.
    const answered = (what: (p: Post) => boolean, count: number) =>
      new Promise<void>((resolve, reject) => {
        const deadline = performance.now() + 30_000;
        const look = () => {
          if (posts.filter(what).length >= count) resolve();
          else if (performance.now() > deadline) reject(new Error(`fewer than ${count} such answers in 30 s: ${JSON.stringify(posts.slice(-5))}`));
          else setTimeout(look, 20);
        };
        look();
      });
    const clients = Promise.all([0, 1, 2, 3].map(client));
    let done = false;
    try {
      await answered((p) => p.status === 303, 10);
      {
        using _frozen = freezeCluster(stack.cluster);
        frozenAt = posts.length;
        // At least one round of the four clients answered while the server is stopped.
        await answered((p) => p.status === 503, 8);
        thawedAt = posts.length;
      }
      await answered((p) => p.status === 303 && posts.indexOf(p) >= thawedAt, 10);
      done = true;
    } finally {
      stop = true;
      await clients;
    }
    expect(done).toBe(true);

    const summary = `${posts.length} posts (${frozenAt} before the freeze, ${thawedAt} by the thaw): ${JSON.stringify(
      posts.reduce<Record<string, number>>((counts, p) => ({ ...counts, [`${p.status} ${p.outcome}`]: (counts[`${p.status} ${p.outcome}`] ?? 0) + 1 }), {}),
    )}`;
    expect(posts.filter((p) => !(p.status === 303 || (p.status === 503 && p.outcome !== 'other'))), summary).toEqual([]);
    expect(posts.filter((p) => p.status === 503 && p.ms > 4500), summary).toEqual([]);

    // The server is done with what the frozen sessions held: none of the site's is in a transaction.
    const settle = performance.now() + 10_000;
    for (;;) {
      const busy = await stack.cluster.admin("select pid from pg_stat_activity where application_name = 'kit-db-test' and state in ('active', 'idle in transaction')");
      if (busy.length === 0) break;
      if (performance.now() > settle) throw new Error(`site sessions still busy: ${JSON.stringify(busy)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const stored = new Set((await stack.rows()).filter((r) => r.stuff.startsWith(`frozen ${run} `)).map((r) => r.stuff));
    const by = (outcome: Post['outcome']) => posts.filter((p) => p.outcome === outcome).map((p) => p.stuff);
    expect(by('not saved').filter((s) => stored.has(s)), summary).toEqual([]);
    expect(by('saved').filter((s) => !stored.has(s)), summary).toEqual([]);
    const maybe = by('may have been saved');
    expect(stored.size, summary).toBe(by('saved').length + maybe.filter((s) => stored.has(s)).length);
    console.info(`frozen under load: ${summary}; of ${maybe.length} "may have been saved", ${maybe.filter((s) => stored.has(s)).length} stored`);
    expect(stack.site.output()).not.toMatch(/error on /);
  });

  describe('a database that accepts the connection but does not answer: a transaction holds ACCESS EXCLUSIVE on stuff', () => {
    let locker: pg.Client;
    beforeAll(async () => {
      locker = new pg.Client({ connectionString: stack.appUrl });
      await locker.connect();
    });
    afterAll(async () => {
      await locker?.query('rollback').catch(() => undefined);
      await locker?.end();
    });

    it('/health (it reads no table) answers 200 at once; the page answers 503 "no answer in time" within its bound; the cancelled statements leave the pool free, so /health still answers; released, all recovers', async () => {
      const before = await healthOf(stack.publicUrl);
      expect(before.status).toBe(200);
      await locker.query('begin');
      await locker.query('lock table stuff in access exclusive mode');
      try {
        // /health asks the server who it is (catalog functions only): the lock on stuff does not touch it.
        const health = await healthOf(stack.publicUrl);
        expect(health.status).toBe(200);
        expect(health.ms).toBeLessThan(1000);

        // The page reads stuff: it waits for the lock until the server cancels the statement (the
        // site's statement and lock timeout, 2.5 s, below the page's 3 s bound) and says so. Eleven
        // at once, more than the pool's 10 connections: the cancelled statements give theirs back.
        const pages = await Promise.all(
          Array.from({ length: 11 }, () =>
            timed(async () => {
              const response = await fetch(stack.publicUrl, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(10_000) });
              return { status: response.status, html: await response.text() };
            }),
          ),
        );
        expect(pages.map((p) => p.value.status)).toEqual(Array(11).fill(503));
        expect(Math.min(...pages.map((p) => p.ms))).toBeGreaterThan(2000);
        expect(Math.max(...pages.map((p) => p.ms))).toBeLessThan(5500);
        for (const p of pages) {
          expect(p.value.html).toContain('What failed: no answer in time.');
          expect(p.value.html).toContain('Reads FAILED');
        }
        // Nothing is left waiting on the server holding a pool connection: /health still answers.
        const during = await healthOf(stack.publicUrl);
        expect(during.status).toBe(200);
        expect(during.ms).toBeLessThan(1000);
      } finally {
        await locker.query('rollback');
      }
      // Released: the waiting queries finish, the pool comes back, the same process answers.
      const after = await healthOf(stack.publicUrl);
      expect(after.status).toBe(200);
      expect(after.body.app.instance).toBe(before.body.app.instance);
      expect((await fetch(stack.publicUrl, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    });

    // The action gives up after its 3 s bound, then the page it renders (with the 503) reads the
    // table and gives up after its own 3 s: the answer comes within about 6 s.
    let rowsBefore = 0;
    it('a form post that waits for the lock answers 503 with the explanation within the action\'s and the page\'s bounds', async () => {
      rowsBefore = await stack.count();
      await locker.query('begin');
      await locker.query('lock table stuff in access exclusive mode');
      let post: { value: { status: number; html: string }; ms: number };
      try {
        post = await timed(async () => {
          const response = await postForm(stack.publicUrl, stack.publicOrigin, { stuff: 'posted under a lock', things: 'x' });
          return { status: response.status, html: await response.text() };
        });
      } finally {
        await locker.query('rollback');
      }
      expect(post.value.status).toBe(503);
      expect(post.ms).toBeLessThan(4500);
      expect(post.value.html).toContain('What failed: no answer in time.');
    });

    // A post answered 503 must not store its row later: the site's statement_timeout (below the
    // page's bound) has the server cancel the INSERT that waited on the lock.
    it('… and its row is not stored once the lock is released', async () => {
      await new Promise((r) => setTimeout(r, 500));
      expect(await stack.count()).toBe(rowsBefore);
    });
  });
});
