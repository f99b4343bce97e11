import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createOrm, loadConfig } from '@kit-db-test/schema';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from './support/processes.js';
import { getHtml, postForm } from './support/requests.js';

const NOBODY = { uid: 65534, gid: 65534 };

async function healthOf(site: ServerProcess) {
  const response = await fetch(`${site.url}health`);
  return { status: response.status, body: await response.json() };
}

function storedRows(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('select stuff from stuff order by id').all() as { stuff: string }[]).map((r) => r.stuff);
  } finally {
    db.close();
  }
}

/** Writes into `folder` until its filesystem has no room left; the file to remove to give it back. */
function fillUp(folder: string): string {
  const filler = join(folder, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe('the site on SQLite when the disk fills up', () => {
  let project: TempProject;
  let data: string;
  let site: ServerProcess;
  let mounted = false;

  beforeAll(async () => {
    project = tempProject();
    data = join(project.root, 'data');
    mkdirSync(data);
    // A filesystem of its own, small enough to fill in a moment.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', data]);
    mounted = true;
    site = await spawnServer({ KDT_ROOT: project.root });
    await site.listening();
  });
  afterAll(async () => {
    await site?.stop();
    if (mounted) execFileSync('umount', [data]);
    project?.remove();
  });

  it('says "disk full" on the page and /health, and writes again by itself once space returns', async () => {
    expect((await postForm(site.url, { stuff: 'before', things: 'fits' })).status).toBe(303);
    const filler = fillUp(data);
    // As large as the form takes (4000 characters): more than the WAL has room for on a full disk.
    const big = { stuff: 'on a full disk', things: 'x'.repeat(4000) };

    for (let attempt = 1; attempt <= 2; attempt++) {
      // The second post once hung until the page's bound, and so did everything after it.
      const started = performance.now();
      const post = await postForm(site.url, big);
      expect(post.status).toBe(503);
      const html = await post.text();
      expect(html).toContain('What failed: disk full.');
      expect(html).toContain('(code SQLITE_FULL)');
      expect(html).toContain(`df -h ${data}`);
      expect(performance.now() - started).toBeLessThan(2000);
    }
    const page = await getHtml(site.url);
    expect(page.status).toBe(503);
    expect(page.html).toContain('Reads OK');
    expect(page.html).toContain('What failed: disk full.');
    const full = await healthOf(site);
    expect(full.status).toBe(503);
    expect(full.body.db).toMatchObject({ ok: false, driver: 'sqlite', error: { kind: 'disk-full' } });

    rmSync(filler);
    expect((await postForm(site.url, { stuff: 'after', things: 'room again' })).status).toBe(303);
    expect((await getHtml(site.url)).status).toBe(200);
    expect((await healthOf(site)).status).toBe(200);
    expect(storedRows(join(data, 'kit-db-test.sqlite'))).toEqual(['before', 'after']);
  });
});

describe('the site on a SQLite file it cannot write', () => {
  let project: TempProject | undefined;
  afterEach(() => project?.remove());

  it('/health is not ok and says why; once the file is writable the running site writes, without a restart', async () => {
    project = tempProject();
    chmodSync(project.root, 0o755);
    const data = join(project.root, 'data');
    const file = join(data, 'kit-db-test.sqlite');
    mkdirSync(data);
    const orm = await createOrm(loadConfig({ root: project.root, env: {} }));
    await orm.schema.create();
    await orm.close();
    // The folder is the service user's (SQLite may create its -wal and -shm there); the file is
    // root's and only readable by it: SQLite opens it read-only, reads work and writes fail.
    chownSync(data, NOBODY.uid, NOBODY.gid);
    chmodSync(file, 0o644);

    await using site = await spawnServer({ KDT_ROOT: project.root }, { as: NOBODY });
    await site.listening();
    const health = await healthOf(site);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'error', db: { ok: false, error: { kind: 'sqlite-file', code: 'SQLITE_READONLY' } } });
    expect(health.body.db.error.summary).toBe(`cannot write the SQLite file ${file}: it or its folder is read-only for the user running kit-db-test`);
    const page = await getHtml(site.url);
    expect(page.status).toBe(503);
    expect(page.html).toContain('Reads OK');
    expect(page.html).toContain('What failed: SQLite file not writable.');
    expect((await postForm(site.url, { stuff: 'refused', things: 'read-only' })).status).toBe(503);

    chownSync(file, NOBODY.uid, NOBODY.gid);
    expect((await healthOf(site)).status).toBe(200);
    expect((await postForm(site.url, { stuff: 'written', things: 'after chown' })).status).toBe(303);
    expect(storedRows(file)).toEqual(['written']);
  });
});

describe('the files the site creates for its SQLite database', () => {
  let project: TempProject | undefined;
  afterEach(() => project?.remove());

  for (const umask of ['000', '022']) {
    it(`are closed to other users under umask ${umask}: the folder, the file, its -wal and -shm`, async () => {
      project = tempProject();
      const data = join(project.root, 'data');
      const file = join(data, 'kit-db-test.sqlite');
      await using site = await spawnServer({ KDT_ROOT: project.root }, { umask });
      await site.listening();
      expect((await postForm(site.url, { stuff: 'private', things: 'rows' })).status).toBe(303);
      // While the site runs, SQLite keeps its write-ahead log and its index beside the file.
      const modes = Object.fromEntries(
        [data, file, `${file}-wal`, `${file}-shm`].map((path) => [path, `0${(statSync(path).mode & 0o777).toString(8)}`]),
      );
      expect(modes).toEqual({ [data]: '0750', [file]: '0640', [`${file}-wal`]: '0640', [`${file}-shm`]: '0640' });
    });
  }
});
