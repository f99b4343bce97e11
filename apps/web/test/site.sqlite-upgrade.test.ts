import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startSite, tempProject } from '@kit-db-test/testing';
import { describe, expect, it } from 'vitest';
import { getHtml, postForm } from './support/requests.js';

// The embedded SQLite default brings its own table up to date on first use. A file from before the
// things limit gains it in place; one with a row too long for it is left as it was, and working.
const OLD_TABLE = 'create table stuff (id integer primary key autoincrement, stuff varchar(255) not null, things text not null, created_at datetime null default current_timestamp)';

function oldFile(root: string, things: string): string {
  mkdirSync(join(root, 'data'));
  const file = join(root, 'data', 'kit-db-test.sqlite');
  const db = new Database(file);
  db.exec(OLD_TABLE);
  db.prepare("insert into stuff (stuff, things) values ('from before', ?)").run(things);
  db.close();
  return file;
}

function tableSql(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("select sql from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as { sql: string }[]).map((r) => r.sql);
  } finally {
    db.close();
  }
}

describe('the embedded SQLite default on a file from before the things limit', () => {
  it('adds the limit on first use, keeping the rows', async () => {
    using project = tempProject();
    const file = oldFile(project.root, 'fits');
    await using site = await startSite({ KDT_ROOT: project.root });
    expect((await fetch(`${site.url}health`)).status).toBe(200);
    expect(tableSql(file)).toEqual([expect.stringContaining('check (length(things) <= 4000)')]);
    expect((await getHtml(site.url)).html).toContain('<td class="stuff">from before</td>');
  });

  it('with a row longer than the limit: leaves the table as it was (no half-done rebuild); reads work, and writes say the table is out of date', async () => {
    using project = tempProject();
    const file = oldFile(project.root, 'x'.repeat(4500));
    const before = tableSql(file);
    await using site = await startSite({ KDT_ROOT: project.root });
    const page = await getHtml(site.url);
    expect(page.status).toBe(503);
    expect(page.html).toContain('<td class="stuff">from before</td>');
    expect(page.html).toMatch(/Writes FAILED/);
    expect(page.html).toContain('pnpm admin init-database');
    expect(tableSql(file)).toEqual(before);
    const post = await postForm(site.url, { stuff: 'after', things: 'new' });
    expect(post.status).toBe(503);
    expect(await post.text()).toContain('table out of date');
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('select stuff, length(things) as n from stuff order by id').all()).toEqual([{ stuff: 'from before', n: 4500 }]);
    } finally {
      db.close();
    }
  });
});
