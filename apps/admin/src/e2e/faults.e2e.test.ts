import { query, waitFor, withMargin } from '@kit-db-test/testing';
import pg from 'pg';
import { freezeCluster } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthOf, postForm, startRenderedStack, timed, type RenderedStack } from '../test-support/rendered-stack.js';
import { SITE_BOUNDS } from '../test-support/site-bounds.js';

/** A page or a post answers within this, whatever the database does. */
const PAGE_LIMIT_MS = withMargin(SITE_BOUNDS.pageMs);
/** The promise under test: the site is usable again this soon after the database is back. */
const RECOVERY_MS = 5000;
/** How long a test client waits for an answer before it counts the request as hung. */
const CLIENT_TIMEOUT_MS = 2 * PAGE_LIMIT_MS;

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

  it('PostgreSQL restarted under a steady load: 503 within the page bound while down, recovery within 5 s, same process, rows == 303s', async () => {
    const before = await healthOf(stack.publicUrl);
    expect(before.status).toBe(200);
    const rowsBefore = await stack.count();
    const run = Math.random().toString(36).slice(2, 8);
    const samples: Sample[] = [];
    const t0 = performance.now();
    let stopping = false;
    let n = 0;

    // Four clients, each posting a unique value then reading the page, until told to stop.
    const client = async (c: number) => {
      while (!stopping) {
        const kind = n % 2 === 0 ? 'POST' : 'GET';
        const stuff = `restart ${run} ${c}-${n++}`;
        const start = performance.now();
        try {
          const response =
            kind === 'POST'
              ? await postForm(stack.publicUrl, stack.publicOrigin, { stuff, things: 'steady load' }, CLIENT_TIMEOUT_MS)
              : await fetch(stack.publicUrl, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
          await response.arrayBuffer();
          samples.push({ kind, ...(kind === 'POST' ? { stuff } : {}), start, end: performance.now(), status: response.status });
        } catch (error) {
          samples.push({ kind, ...(kind === 'POST' ? { stuff } : {}), start, end: performance.now(), status: 0, error: String(error) });
        }
      }
    };
    const clients = Promise.all([0, 1, 2, 3].map(client));
    /** Both kinds of request answered with success among `these`. */
    const bothServed = (these: Sample[]) => these.some((s) => s.status === 303) && these.some((s) => s.status === 200);

    let downAt = 0;
    let stoppedAt = 0;
    let upAt = 0;
    try {
      // Each phase lasts until its requests have been answered, however slow the machine is.
      await waitFor('the load to be served before the outage', () => (bothServed(samples) ? true : undefined), 30_000);
      downAt = performance.now();
      await stack.cluster.stop();
      stoppedAt = performance.now();
      await waitFor('4 answers during the outage', () => (samples.filter((s) => s.start >= stoppedAt).length >= 4 ? true : undefined), 30_000);
      await stack.cluster.start();
      upAt = performance.now();
      await waitFor('the load to be served after the recovery', () => (bothServed(samples.filter((s) => s.start >= upAt + withMargin(RECOVERY_MS))) ? true : undefined), 60_000);
    } finally {
      stopping = true;
      await clients;
    }

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
    expect(samples.filter((s) => s.status === 503 && s.end - s.start > PAGE_LIMIT_MS).map(show), timeline).toEqual([]);
    // The outage was seen: every request inside it answered 503, and there was at least one.
    const outage = samples.filter((s) => s.start >= stoppedAt && s.end <= upAt);
    expect(outage.length, timeline).toBeGreaterThan(0);
    expect(outage.filter((s) => s.status !== 503).map(show), timeline).toEqual([]);
    // Recovered by itself: everything started once the recovery bound had passed succeeded.
    const late = samples.filter((s) => s.start >= upAt + withMargin(RECOVERY_MS));
    expect(late.length, timeline).toBeGreaterThan(0);
    expect(late.filter((s) => s.status !== 200 && s.status !== 303).map(show), timeline).toEqual([]);
    const firstOk = samples.filter((s) => s.start >= upAt && (s.status === 200 || s.status === 303)).sort((a, b) => a.end - b.end)[0];
    expect(firstOk && firstOk.end - upAt, timeline).toBeLessThan(withMargin(RECOVERY_MS));
    console.info(`restart under load: ${samples.length} requests ${JSON.stringify(statusCounts)}; slowest 503 ${slowest503} ms; first success ${Math.round(firstOk!.end - upAt)} ms after the server was back`);

    // The same process answers, and every 303 stored its row, and nothing else was stored.
    const after = await healthOf(stack.publicUrl);
    expect(after.status).toBe(200);
    expect(after.body.app.instance).toBe(before.body.app.instance);
    const saved = samples.filter((s) => s.kind === 'POST' && s.status === 303).map((s) => s.stuff!);
    expect(saved.length).toBeGreaterThan(0);
    const rows = (await stack.rows()).filter((r) => r.stuff.startsWith(`restart ${run} `));
    expect(await stack.count()).toBe(rowsBefore + saved.length);
    expect(rows.map((r) => r.stuff).sort()).toEqual(saved.sort());

    // Everything the site printed through all that, complete once its output has closed: no request failed inside it.
    const served = stack.site;
    await stack.restartSite();
    expect(served.output()).not.toMatch(/error on /);
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
        // A /health that waited on the lock would hit its own bound and answer 503.
        const health = await healthOf(stack.publicUrl);
        expect(health.status).toBe(200);
        expect(health.ms).toBeLessThan(SITE_BOUNDS.healthMs);

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
        // Each waited for the lock until the server cancelled it, and none waited past the page's bound.
        expect(Math.min(...pages.map((p) => p.ms))).toBeGreaterThan(SITE_BOUNDS.statementMs * 0.8);
        expect(Math.max(...pages.map((p) => p.ms))).toBeLessThan(PAGE_LIMIT_MS);
        for (const p of pages) {
          expect(p.value.html).toContain('What failed: no answer in time.');
          expect(p.value.html).toContain('Reads FAILED');
        }
        // Nothing is left waiting on the server holding a pool connection: /health still answers.
        const during = await healthOf(stack.publicUrl);
        expect(during.status).toBe(200);
        expect(during.ms).toBeLessThan(SITE_BOUNDS.healthMs);
      } finally {
        await locker.query('rollback');
      }
      // Released: the waiting queries finish, the pool comes back, the same process answers.
      const after = await healthOf(stack.publicUrl);
      expect(after.status).toBe(200);
      expect(after.body.app.instance).toBe(before.body.app.instance);
      expect((await fetch(stack.publicUrl, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    });

    // The action gives up after its 3 s bound and the page it renders with the 503 does not wait
    // again. A post answered 503 must not store its row later: the site's statement_timeout (below
    // the page's bound) has the server cancel the INSERT that waited on the lock.
    it("a form post that waits for the lock answers 503 with the explanation within the action's bound, and its row is never stored", async () => {
      const rowsBefore = await stack.count();
      const siteSessions = (where: string) =>
        query<{ n: number }>(stack.appUrl, `select count(*)::int as n from pg_stat_activity where usename = current_user and pid <> pg_backend_pid() and backend_type = 'client backend' and ${where}`).then((r) => r[0]!.n);
      await locker.query('begin');
      await locker.query('lock table stuff in access exclusive mode');
      let post: { value: { status: number; html: string }; ms: number };
      let waitingOnTheLock: number;
      try {
        post = await timed(async () => {
          const response = await postForm(stack.publicUrl, stack.publicOrigin, { stuff: 'posted under a lock', things: 'x' });
          return { status: response.status, html: await response.text() };
        });
        waitingOnTheLock = await siteSessions(`wait_event_type = 'Lock'`);
      } finally {
        await locker.query('rollback');
      }
      expect(post.value.status).toBe(503);
      expect(post.ms).toBeLessThan(PAGE_LIMIT_MS);
      expect(post.value.html).toContain('What failed: no answer in time.');
      // Answered 503, nothing of it still waited on the lock; released, every session of the
      // app's role is idle (nothing left to commit), and the table is as it was.
      expect(waitingOnTheLock).toBe(0);
      await waitFor('every session of the app to be idle', async () => ((await siteSessions(`state <> 'idle'`)) === 0 ? true : undefined));
      expect(await stack.count()).toBe(rowsBefore);
    });
  });
});
