import { DEFAULT_HBA, pgServers, query, startSite, SUPERUSER, type PgCluster, type Site } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITE_PROBE_TTL_MS } from '../src/lib/server/write-probe.js';
import { postgresBackend, type Backend } from './support/backends.js';
import { decodeEntities, getHtml } from './support/requests.js';

// The page's write probe (a rolled-back insert) on PostgreSQL: a success is remembered for
// WRITE_PROBE_TTL_MS and then shown with its age; a failure is never remembered.

interface Verdict {
  ok: boolean;
  text: string;
}

function verdict(html: string, check: 'reads' | 'writes'): Verdict {
  const m = new RegExp(`<span class="verdict" data-check="${check}" data-ok="(true|false)">([^<]*)</span>`).exec(html);
  if (!m) throw new Error(`no ${check} verdict on the page:\n${html}`);
  return { ok: m[1] === 'true', text: decodeEntities(m[2]!) };
}

const FRESH_WRITES = /^Writes OK \((\d+(?:\.\d+)?) ms\)$/;
const REMEMBERED_WRITES = /^Writes OK \((\d+(?:\.\d+)?) ms\) · checked (\d+) ms ago$/;
const FRESH_READS = /^Reads OK \(\d+(?:\.\d+)? ms\)$/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `attempt` (which forgets any remembered probe, then makes one, and returns when it sent that
 * first request) until its last answer came within WRITE_PROBE_TTL_MS of that moment: only then is
 * the success it saw remembered for certain. On a busy machine a try can take longer, which proves
 * nothing either way; `undo` puts things back before the next try.
 */
async function insideOneTtl<T>(attempt: () => Promise<{ sent: number; value: T }>, undo: () => Promise<void> = async () => undefined): Promise<T> {
  const tries = 3;
  for (let i = 1; ; i++) {
    const { sent, value } = await attempt();
    const took = performance.now() - sent;
    if (took < WRITE_PROBE_TTL_MS) return value;
    await undo();
    if (i === tries) throw new Error(`${tries} tries in a row took ${Math.round(took)} ms or more, longer than the ${WRITE_PROBE_TTL_MS} ms a probe is remembered: the machine is too busy to tell`);
  }
}

/** Lets any remembered success expire, then views the page: its probe is fresh. */
async function freshView(site: Site): Promise<{ sent: number; page: { status: number; html: string } }> {
  await sleep(WRITE_PROBE_TTL_MS + 200);
  const sent = performance.now();
  return { sent, page: await getHtml(site.url) };
}

for (const server of pgServers()) {
  describe(`the write probe on ${server.kind} PostgreSQL ${server.version}`, () => {
    let backend: Backend & { cluster: PgCluster };
    let site: Site;
    /** Superuser SQL in the application's database (cluster.admin() is connected to "postgres"). */
    let asSuperuser: (sql: string) => Promise<unknown>;

    beforeAll(async () => {
      backend = await postgresBackend(server);
      // The superuser logs in over the socket without a password, the application role as before.
      await backend.cluster.setHba(`local ${backend.cluster.app.database} ${SUPERUSER} trust\n${DEFAULT_HBA}`);
      const superuserUrl = backend.cluster.socketUrl({ user: SUPERUSER, password: undefined });
      asSuperuser = (sql) => query(superuserUrl, sql);
      await backend.seed(2);
      site = await startSite(backend.env);
    });
    afterAll(async () => {
      await site?.stop();
      await backend?.destroy();
    });

    it('a success is remembered for a second and says how old it is; after that the page probes again', async () => {
      const { first, second } = await insideOneTtl(async () => {
        const { sent, page: first } = await freshView(site);
        return { sent, value: { first, second: await getHtml(site.url) } };
      });
      expect(first.status).toBe(200);
      const fresh = verdict(first.html, 'writes');
      expect(fresh.ok).toBe(true);
      expect(fresh.text).toMatch(FRESH_WRITES);

      expect(second.status).toBe(200);
      const remembered = verdict(second.html, 'writes');
      expect(remembered.ok).toBe(true);
      const [, ms, age] = REMEMBERED_WRITES.exec(remembered.text) ?? [];
      expect(remembered.text).toMatch(REMEMBERED_WRITES);
      // The same probe as the first view's: its duration, not a new one; its age below the TTL.
      expect(ms).toBe(FRESH_WRITES.exec(fresh.text)![1]);
      expect(Number(age)).toBeGreaterThan(0);
      expect(Number(age)).toBeLessThan(WRITE_PROBE_TTL_MS);
      // Reads are never remembered.
      expect(verdict(second.html, 'reads')).toEqual({ ok: true, text: expect.stringMatching(FRESH_READS) });

      await sleep(WRITE_PROBE_TTL_MS + 200);
      const later = verdict((await getHtml(site.url)).html, 'writes');
      expect(later.ok).toBe(true);
      expect(later.text).toMatch(FRESH_WRITES);
      expect(await backend.count()).toBe(2); // every probe was rolled back
    });

    it('INSERT revoked: the remembered success shows until it expires, then writes FAILED, 503 and the permission error; granted back: OK at once', async () => {
      // A fresh success in memory, then the privilege goes, and the page is viewed again inside the TTL.
      const { before, stale } = await insideOneTtl(
        async () => {
          const { sent, page: before } = await freshView(site);
          await asSuperuser(`REVOKE INSERT ON stuff FROM ${backend.cluster.app.user}`);
          return { sent, value: { before, stale: await getHtml(site.url) } };
        },
        () => asSuperuser(`GRANT INSERT ON stuff TO ${backend.cluster.app.user}`).then(() => undefined),
      );
      expect(verdict(before.html, 'writes').text).toMatch(FRESH_WRITES);
      expect(stale.status).toBe(200);
      expect(verdict(stale.html, 'writes').text).toMatch(REMEMBERED_WRITES); // told as old, not as new

      await sleep(WRITE_PROBE_TTL_MS + 200);
      const failed = await getHtml(site.url);
      expect(failed.status).toBe(503);
      expect(verdict(failed.html, 'writes')).toEqual({ ok: false, text: 'Writes FAILED' });
      expect(verdict(failed.html, 'reads')).toEqual({ ok: true, text: expect.stringMatching(FRESH_READS) });
      expect(failed.html).toContain('<td class="stuff">seed 1</td>');
      expect(failed.html).toContain('<td class="stuff">seed 2</td>');
      expect(failed.html).toContain('(2 in all, newest first)');
      expect(failed.html).toContain('data-kind="permission"');
      expect(failed.html).toContain('What failed: permission denied.');
      expect(decodeEntities(failed.html)).toContain(`"${backend.cluster.app.user}" lacks a privilege on stuff in "${backend.cluster.app.database}"`);
      expect(failed.html).toContain('permission denied for table stuff');
      expect(failed.html).toContain('(SQLSTATE 42501)');
      // the next step grants on the table, not CREATE on the schema (that is for a missing table)
      expect(decodeEntities(failed.html)).toContain(`GRANT SELECT, INSERT, UPDATE, DELETE ON stuff TO "${backend.cluster.app.user}"`);
      expect(failed.html).not.toContain('ON SCHEMA public');
      expect(failed.html).not.toContain(backend.cluster.app.password);

      // Not remembered: at once, and again at once, the page probes and fails.
      const again = await getHtml(site.url);
      expect(again.status).toBe(503);
      expect(verdict(again.html, 'writes')).toEqual({ ok: false, text: 'Writes FAILED' });

      await asSuperuser(`GRANT INSERT ON stuff TO ${backend.cluster.app.user}`);
      const restored = await getHtml(site.url);
      expect(restored.status).toBe(200);
      expect(verdict(restored.html, 'writes').text).toMatch(FRESH_WRITES);
      expect(restored.html).not.toContain('What failed');
      expect(await backend.count()).toBe(2);
    });
  });
}
