import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempProject, type TempProject } from '@kit-db-test/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAdmin } from '../test-support/run-admin.js';

let project: TempProject;
let dbFile: string;
beforeEach(() => {
  project = tempProject();
  dbFile = join(project.root, 'data', 'kit-db-test.sqlite');
});
afterEach(() => project.remove());

const init = (...args: string[]) => runAdmin(['init-database', ...args], { env: { KDT_ROOT: project.root } });

function rows(): { stuff: string }[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('select stuff from stuff order by id').all() as { stuff: string }[];
  } finally {
    db.close();
  }
}

function insert(...values: string[]): void {
  const db = new Database(dbFile);
  for (const v of values) db.prepare("insert into stuff (stuff, things) values (?, 'x')").run(v);
  db.close();
}

describe('init-database on the embedded SQLite default', () => {
  it('creates the folder, the file and the table, printing profile, driver, target and SQL', async () => {
    const run = await init();
    expect(run.code).toBe(0);
    expect(existsSync(dbFile)).toBe(true);
    expect(rows()).toEqual([]);
    expect(run.stdout).toContain('profile  default');
    expect(run.stdout).toContain('driver   sqlite');
    expect(run.stdout).toContain(`target   sqlite:${dbFile}`);
    expect(run.stdout).toContain(`created folder ${join(project.root, 'data')}`);
    expect(run.stdout).toMatch(/create table `stuff`/);
  });

  it('says it is up to date on a second run and changes nothing, keeping existing rows', async () => {
    await init();
    insert('kept one', 'kept two');
    const before = statSync(dbFile).mtimeMs;
    const run = await init();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✓ up to date: table stuff matches the entity (2 row(s)); nothing to do');
    expect(run.stdout).not.toContain('SQL:');
    expect(rows()).toEqual([{ stuff: 'kept one' }, { stuff: 'kept two' }]);
    expect(statSync(dbFile).mtimeMs).toBe(before);
  });

  it('--dry-run prints the SQL and creates neither the folder nor the file', async () => {
    const run = await init('--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/create table `stuff`/);
    expect(run.stdout).toContain('dry run: 2 statement(s) above not run; nothing changed');
    expect(existsSync(join(project.root, 'data'))).toBe(false);
  });

  it('adds a missing column to an old table without losing its rows', async () => {
    mkdirSync(join(project.root, 'data'));
    const db = new Database(dbFile);
    db.exec("create table stuff (id integer primary key autoincrement, stuff varchar(255) not null, things text not null); insert into stuff (stuff, things) values ('from 2015', 'old')");
    db.close();
    const run = await init();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/created_at/);
    expect(rows()).toEqual([{ stuff: 'from 2015' }]);
    expect((await init()).stdout).toContain('up to date');
  });

  it('many runs at once on no file yet: every one exits 0, exactly one creates the table, the others find it up to date', async () => {
    for (let round = 1; round <= 3; round++) {
      rmSync(join(project.root, 'data'), { recursive: true, force: true });
      const runs = await Promise.all(Array.from({ length: 8 }, () => init()));
      const failed = runs.filter((r) => r.code !== 0).map((r) => r.stderr.trim());
      expect(failed, `round ${round}`).toEqual([]);
      expect(runs.filter((r) => r.stdout.includes('✓ done: ran ')), `round ${round}`).toHaveLength(1);
      expect(runs.filter((r) => r.stdout.includes('✓ up to date')), `round ${round}`).toHaveLength(7);
      expect(rows()).toEqual([]);
      expect(statSync(dbFile).mode & 0o777).toBe(0o640);
    }
  }, 180_000);

  it('--reset without --yes refuses on a non-terminal, exit 2, rows intact', async () => {
    await init();
    insert('precious');
    const run = await init('--reset');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--reset drops table stuff (1 row(s)) and standard input is not a terminal to confirm it; add --yes (nothing changed)');
    expect(rows()).toEqual([{ stuff: 'precious' }]);
  });

  it('--reset --yes drops and re-creates the table', async () => {
    await init();
    insert('a', 'b');
    const run = await init('--reset', '--yes');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('drop table `stuff`;');
    expect(run.stdout).toContain('table stuff has 0 row(s), 2 row(s) deleted');
    expect(rows()).toEqual([]);
  });

  it('a folder the service user cannot write: one line naming it and the fix, exit 1', async () => {
    const data = join(project.root, 'data');
    mkdirSync(data, { mode: 0o755 });
    // root may write anywhere: run as an unprivileged user, as the service would run.
    const asRoot = process.getuid?.() === 0;
    const as = asRoot ? { uid: 65534, gid: 65534 } : undefined;
    if (!asRoot) chmodSync(data, 0o555);
    else chownSync(project.root, 0, 0);
    chmodSync(project.root, 0o755);
    const run = await runAdmin(['init-database'], { env: { KDT_ROOT: project.root }, ...(as ? { as } : {}) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `✗ SQLite folder ${data} is not writable (EACCES). Next: make it writable by the user running kit-db-test (e.g. chown -R USER ${data}) or point the profile elsewhere`,
    ]);
    expect(existsSync(dbFile)).toBe(false);
  });
});

describe('the folders and the file init-database creates', () => {
  for (const umask of ['000', '022']) {
    it(`are closed to other users under umask ${umask}`, async () => {
      const store = join(project.root, 'store');
      const nested = join(store, 'nested', 'kdt.sqlite');
      const run = await runAdmin(['init-database'], { env: { KDT_ROOT: project.root, DATABASE_URL: 'sqlite:store/nested/kdt.sqlite' }, umask });
      expect(run.code).toBe(0);
      const modes = Object.fromEntries([store, join(store, 'nested'), nested].map((p) => [p, `0${(statSync(p).mode & 0o777).toString(8)}`]));
      expect(modes).toEqual({ [store]: '0750', [join(store, 'nested')]: '0750', [nested]: '0640' });
    });
  }
});

describe('a bad profile', () => {
  it('stops with one line naming the file, the key and the problem, exit 1', async () => {
    project.writeProfile('postgres', { url: 'postgress://kdt@/kdt' });
    const run = await runAdmin(['init-database', '--profile', 'postgres'], { env: { KDT_ROOT: project.root } });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      '✗ configuration: config/postgres.json: url: expected postgresql:// or sqlite: URL, got "postgress://kdt@/kdt"',
    );
  });
});

describe('init-database and the things limit on SQLite', () => {
  const OLD_TABLE = 'create table stuff (id integer primary key autoincrement, stuff varchar(255) not null, things text not null, created_at datetime null default current_timestamp)';
  const oldTable = (things: string[]) => {
    mkdirSync(join(project.root, 'data'));
    const db = new Database(dbFile);
    db.exec(OLD_TABLE);
    for (const t of things) db.prepare("insert into stuff (stuff, things) values ('old', ?)").run(t);
    db.close();
  };
  const allThings = () => {
    const db = new Database(dbFile, { readonly: true });
    try {
      return (db.prepare('select things from stuff order by id').all() as { things: string }[]).map((r) => r.things);
    } finally {
      db.close();
    }
  };
  const tables = () => {
    const db = new Database(dbFile, { readonly: true });
    try {
      return (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as { name: string }[]).map((r) => r.name);
    } finally {
      db.close();
    }
  };

  it('adds the limit to a table with rows that fit, keeping them; then the column refuses a longer value', async () => {
    oldTable(['short', '€'.repeat(4000)]);
    const run = await init();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('check (length(things) <= 4000)');
    expect(allThings()).toEqual(['short', '€'.repeat(4000)]);
    expect((await init()).stdout).toContain('up to date');
    const db = new Database(dbFile);
    try {
      expect(() => db.prepare("insert into stuff (stuff, things) values ('x', ?)").run('x'.repeat(4001))).toThrow(/CHECK constraint failed/);
    } finally {
      db.close();
    }
  });

  it('a row already longer: exit 1, nothing changed, and the printed commands save and shorten it so that a second run succeeds', async () => {
    const long = 'ü'.repeat(4500);
    oldTable(['fits', long]);
    const dry = await init('--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('1 row(s) have things longer than 4000 characters, the limit the SQL above adds: #2 (4500).');

    const run = await init();
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      '✗ 1 row(s) of table stuff have things longer than 4000 characters, which the new limit refuses: nothing changed. Next: save and shorten them with the commands above, then run pnpm admin init-database again',
    );
    expect(allThings()).toEqual(['fits', long]);
    expect(tables()).toEqual(['stuff']);
    const db = new Database(dbFile);
    db.prepare("insert into stuff (stuff, things) values ('still', ?)").run('y'.repeat(5000)); // no limit added
    db.close();

    const again = await init();
    expect(again.stdout).toContain('2 row(s) have things longer than 4000 characters, the limit the SQL above adds: #2 (4500), #3 (5000).');
    const steps = again.stdout.split('\n').filter((l) => /^ {2}[12]\. /.test(l)).map((l) => l.replace(/^ {2}\d\. [^:]*: /, ''));
    expect(steps).toEqual([
      `sqlite3 -header -csv ${dbFile} 'select id, things from stuff where length(things) > 4000 order by id' > stuff-long-things.csv`,
      `sqlite3 ${dbFile} 'update stuff set things = substr(things, 1, 4000) where length(things) > 4000'`,
    ]);
    for (const step of steps) {
      const shell = spawnSync('sh', ['-c', step], { cwd: project.root, encoding: 'utf8' });
      expect(shell.status, shell.stderr).toBe(0);
    }
    // sqlite3 quotes non-ASCII text in CSV; the full text is there either way.
    const saved = readFileSync(join(project.root, 'stuff-long-things.csv'), 'utf8');
    expect(saved.startsWith('id,things\n2,"')).toBe(true);
    expect([saved.includes(long), saved.includes(`\n3,${'y'.repeat(5000)}\n`)]).toEqual([true, true]);
    expect((await init()).code).toBe(0);
    expect(allThings()).toEqual(['fits', 'ü'.repeat(4000), 'y'.repeat(4000)]);
  });
});
