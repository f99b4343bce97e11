import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { freezeCluster, openSession, pgServers, query } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend, type Backend } from './support/backends.js';
import { fieldValue, getHtml, postForm, submissionToken } from './support/requests.js';
import { freePort, startSite, withMargin, type Site } from '@kit-db-test/testing';
import { HEALTH_TIMEOUT_MS } from '../src/lib/server/health.js';
import { PAGE_DB_TIMEOUT_MS } from '../src/lib/server/status.js';

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/** Polls `check` (a query of the server's own state) until it holds; fails after `ms`. */
async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function postHtml(site: Site, fields: Record<string, string>) {
  const response = await postForm(site.url, fields);
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

async function healthOf(site: Site) {
  const response = await fetch(`${site.url}health`);
  return { status: response.status, body: await response.json() };
}

for (const server of pgServers()) {
  describe(`when ${server.kind} PostgreSQL ${server.version} fails`, () => {
    let backend: Backend & Awaited<ReturnType<typeof postgresBackend>>;
    let site: Site;

    beforeAll(async () => {
      backend = await postgresBackend(server);
      site = await startSite(backend.env);
    });
    afterAll(async () => {
      await site?.stop();
      await backend?.destroy();
    });

    it('stopped: /health answers 503 within its bound, the page explains; restarted: 200 again from the same process', async () => {
      const before = await healthOf(site);
      expect(before.status).toBe(200);
      await backend.cluster.stop();

      const down = await timed(() => healthOf(site));
      expect(down.value.status).toBe(503);
      expect(down.ms).toBeLessThan(withMargin(HEALTH_TIMEOUT_MS));
      expect(down.value.body).toMatchObject({ status: 'error', db: { ok: false, driver: 'postgresql', error: { kind: 'connect' } } });

      const page = await getHtml(site.url);
      expect(page.status).toBe(503);
      expect(page.html).toContain('What failed: cannot connect.');
      expect(page.html).toMatch(/\(code (ENOENT|ECONNREFUSED)\)/);
      expect(page.html).toContain('Reads FAILED');
      expect(page.html).not.toMatch(/\bat [\w.<>]+ \(.*:\d+:\d+\)/); // no stack trace
      expect(page.html).not.toContain(backend.cluster.app.password);

      await backend.cluster.start();
      const up = await healthOf(site);
      expect(up.status).toBe(200);
      expect(up.body.app.instance).toBe(before.body.app.instance);
      expect((await getHtml(site.url)).status).toBe(200);
    });

    // A server that stops running (SIGSTOP: a frozen disk, a paused VM) after the site took a pooled
    // connection. statement_timeout cannot help: the server runs nothing, the BEGIN waits in its
    // socket. The site gives up within its bound and closes that connection, so that what the
    // server finds there when it resumes is a client gone mid-transaction: it rolls back.
    it('frozen (SIGSTOP) after the site took a pooled connection: the post answers 503 "not saved" in time, and its row never appears once the server resumes', async () => {
      // One pooled connection: the post surely runs on the session the page view just used.
      writeFileSync(join(backend.env.KDT_ROOT!, 'config', 'one-connection.json'), JSON.stringify({ url: backend.env.DATABASE_URL, pool: { max: 1 } }));
      const siteSessions = () =>
        backend.cluster.admin<{ pid: number; changed: string }>(
          "select pid, state_change::text as changed from pg_stat_activity where application_name = 'kit-db-test' and state = 'idle'",
        );
      const others = new Set((await siteSessions()).map((s) => s.pid)); // the suite's own site
      await using one = await startSite({ ...backend.env, KDT_PROFILE: 'one-connection' });
      expect((await getHtml(one.url)).status).toBe(200);
      const sessions = (await siteSessions()).filter((s) => !others.has(s.pid));
      expect(sessions).toHaveLength(1);
      const session = sessions[0]!;
      const stuff = `frozen ${Math.random().toString(36).slice(2, 8)}`;

      let post: { value: Awaited<ReturnType<typeof postHtml>>; ms: number };
      {
        using _frozen = freezeCluster(backend.cluster);
        post = await timed(() => postHtml(one, { stuff, things: 'sent to a stopped server' }));
      }
      expect(post.value.status).toBe(503);
      expect(post.ms).toBeLessThan(4500);
      expect(post.value.html).toContain('Not saved:');
      expect(post.value.html).toContain('What failed: no answer in time.');
      expect(fieldValue(post.value.html, 'stuff')).toBe(stuff);

      // Resumed: wait until the server is done with that session: gone (the site closed it), or
      // idle again after running what it found waiting (the BEGIN, INSERT and COMMIT of the post).
      await until(async () => {
        const [now] = await backend.cluster.admin<{ state: string; moved: boolean }>(
          'select state, state_change > $2::timestamptz as moved from pg_stat_activity where pid = $1',
          [session.pid, session.changed],
        );
        return now === undefined || (now.state === 'idle' && now.moved);
      }, 'the server finishing with the frozen session');
      expect((await backend.rows()).filter((r) => r.stuff === stuff)).toEqual([]);

      // The same process then saves posts again, on a new connection.
      expect((await postHtml(one, { stuff: `${stuff} after`, things: 'x' })).status).toBe(303);
    });

    // The server stops while it runs this post's COMMIT: the site cannot know whether the row is
    // stored. A deferred trigger holds the COMMIT on an advisory lock the test holds, so the
    // server is frozen exactly then; the page must say so, and the same form posted again must
    // not store a second row, whichever way the first one ended.
    it('frozen while the COMMIT is in flight: 503 "may have been saved" with the form kept; posting the same form again stores the row once', async () => {
      await using holder = await openSession(backend.env.DATABASE_URL!);
      const stuff = `commit in flight ${Math.random().toString(36).slice(2, 8)}`;
      try {
        await holder.query('create or replace function kdt_hold_commit() returns trigger language plpgsql as $$ begin perform pg_advisory_xact_lock_shared(4242); return null; end $$');
        await holder.query(
          "create constraint trigger kdt_hold_commit after insert on stuff deferrable initially deferred for each row when (new.stuff like 'commit in flight %') execute function kdt_hold_commit()",
        );
        await holder.query('select pg_advisory_lock(4242)');
        const token = submissionToken((await getHtml(site.url)).html)!;
        const fields = { stuff, things: 'committed or not?', submission: token };

        const posting = timed(() => postHtml(site, fields));
        await until(async () => {
          const waiting = await holder.query(
            "select 1 from pg_stat_activity where application_name = 'kit-db-test' and wait_event = 'advisory' and query ilike 'commit%'",
          );
          return waiting.length === 1;
        }, "the post's COMMIT waiting on the lock");
        let post: Awaited<typeof posting>;
        {
          using _frozen = freezeCluster(backend.cluster);
          post = await posting;
        }
        await holder.query('select pg_advisory_unlock(4242)');

        expect(post.value.status).toBe(503);
        expect(post.ms).toBeLessThan(4500);
        expect(post.value.html).toContain('May have been saved:');
        expect(post.value.html).not.toContain('Not saved:');
        expect(fieldValue(post.value.html, 'stuff')).toBe(stuff);
        expect(submissionToken(post.value.html)).toBe(token);

        const retry = await postHtml(site, fields);
        expect(retry.status).toBe(303);
        const stored = (await backend.rows()).filter((r) => r.stuff === stuff);
        expect(stored).toHaveLength(1);
        expect(retry.location).toContain(`saved=${stored[0]!.id}`);
      } finally {
        await holder.query('drop trigger if exists kdt_hold_commit on stuff');
      }
    });

    it('a wrong password: 503, "login refused", SQLSTATE 28P01 and the doctor as the next step, no password shown', async () => {
      const wrong = 'not-the-password-123';
      await using bad = await startSite({ ...backend.env, DATABASE_URL: backend.cluster.socketUrl({ password: wrong }) });
      const page = await getHtml(bad.url);
      expect(page.status).toBe(503);
      expect(page.html).toContain('What failed: login refused.');
      expect(page.html).toContain('password authentication failed for user "kdt_app"');
      expect(page.html).toContain('(SQLSTATE 28P01)');
      expect(page.html).toContain('pnpm admin doctor');
      expect(page.html + (await fetch(`${bad.url}health`).then((r) => r.text())) + bad.output()).not.toContain(wrong);
    });

    it('a missing table: 503, "table missing", next step pnpm admin init-database', async () => {
      await backend.cluster.admin('CREATE DATABASE empty_db OWNER kdt_app');
      await using bare = await startSite({ ...backend.env, DATABASE_URL: backend.cluster.socketUrl({ database: 'empty_db' }) });
      const page = await getHtml(bare.url);
      expect(page.status).toBe(503);
      expect(page.html).toContain('What failed: table missing.');
      expect(page.html).toContain('(SQLSTATE 42P01)');
      expect(page.html).toContain('Next step: <code>pnpm admin init-database</code>');
    });

    it('a table from before the submission key: the page reads and says writes fail, a post answers 503 "table out of date" with pnpm admin init-database next, nothing stored', async () => {
      await backend.cluster.admin('CREATE DATABASE old_db OWNER kdt_app');
      const url = backend.cluster.socketUrl({ database: 'old_db' });
      await query(url, "create table stuff (id serial primary key, stuff varchar(255) not null, things text not null, created_at timestamptz null default current_timestamp); insert into stuff (stuff, things) values ('kept', 'old')");
      await using old = await startSite({ ...backend.env, DATABASE_URL: url });
      // The rows read; the write probe, which writes a post's columns, says the table is out of date.
      const page = await getHtml(old.url);
      expect(page.status).toBe(503);
      expect(page.html).toContain('<td class="stuff">kept</td>');
      expect(page.html).toContain('table out of date');
      const post = await postHtml(old, { stuff: 'new', things: 'row' });
      expect(post.status).toBe(503);
      expect(post.html).toContain('Not saved:');
      expect(post.html).toContain('What failed: table out of date.');
      expect(post.html).toContain('(SQLSTATE 42703)');
      expect(post.html).toContain('Next step: <code>pnpm admin init-database</code>');
      expect(await query(url, 'select stuff from stuff')).toEqual([{ stuff: 'kept' }]);
    });
  });
}

describe('a database that accepts the connection and never answers', () => {
  let hung: Server;
  const sockets: Socket[] = [];
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    hung = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => hung.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => hung.close(resolve));
  });

  it('gives 503 from /health within its bound and a page within the page bound, instead of hanging', async () => {
    await using site = await startSite({ DATABASE_URL: `postgresql://kdt@127.0.0.1:${port}/kdt` });
    const health = await timed(() => healthOf(site));
    expect(health.value.status).toBe(503);
    expect(health.ms).toBeLessThan(withMargin(HEALTH_TIMEOUT_MS));
    expect(health.value.body.db.error.kind).toBe('timeout');
    const page = await timed(() => getHtml(site.url));
    expect(page.value.status).toBe(503);
    expect(page.ms).toBeLessThan(withMargin(PAGE_DB_TIMEOUT_MS));
    expect(page.value.html).toContain('What failed: no answer in time.');
  });
});
