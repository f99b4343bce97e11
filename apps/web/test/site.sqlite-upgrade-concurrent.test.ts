import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempProject } from '@kit-db-test/testing';
import { describe, expect, it } from 'vitest';
import { spawnServer } from './support/processes.js';
import { getHtml, postForm, submissionToken } from './support/requests.js';

// The embedded default upgrades its own table on first use. Adding the submission key rebuilds
// the table on SQLite (a copy under a new name, then a rename), so it must run once, atomically,
// even when every site process meets the old file at the same moment.
describe('an embedded SQLite default file from before the submission key, with rows', () => {
  it('two site processes (WORKERS=2) asked at once upgrade it in place: rows and ids kept, every page 200, then the same form posted twice stores one row', async () => {
    using project = tempProject();
    mkdirSync(join(project.root, 'data'));
    const file = join(project.root, 'data', 'kit-db-test.sqlite');
    const db = new Database(file);
    db.exec(
      "create table stuff (id integer not null primary key autoincrement, stuff text not null, things text not null, created_at datetime null default current_timestamp); insert into stuff (stuff, things) values ('one', 'old'), ('two', 'old'), ('three', 'old')",
    );
    db.close();

    await using site = await spawnServer({ KDT_ROOT: project.root, WORKERS: '2' });
    await site.listening();
    const pages = await Promise.all(Array.from({ length: 12 }, () => getHtml(site.url)));
    expect(pages.map((p) => p.status)).toEqual(Array(12).fill(200));

    const token = submissionToken(pages[0]!.html)!;
    const fields = { stuff: 'after the upgrade', things: 'new', submission: token };
    expect((await postForm(site.url, fields)).status).toBe(303);
    expect((await postForm(site.url, fields)).status).toBe(303);

    const after = new Database(file, { readonly: true });
    try {
      expect(after.prepare('select id, stuff from stuff order by id').all()).toEqual([
        { id: 1, stuff: 'one' },
        { id: 2, stuff: 'two' },
        { id: 3, stuff: 'three' },
        { id: 4, stuff: 'after the upgrade' },
      ]);
      expect(after.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'stuff' and sql is not null").all()).toEqual([
        { name: 'stuff_submission_key_unique' },
      ]);
    } finally {
      after.close();
    }
    expect(site.stderr()).toBe('');
  });
});
