import Database from 'better-sqlite3';
import { createOrm, loadConfig } from '@kit-db-test/schema';
import { query, startPostgres, tempProject, type PgCluster, type PgServer } from '@kit-db-test/testing';
import { join } from 'node:path';

export interface StoredRow {
  id: number;
  stuff: string;
  things: string;
}

/** A real database for the site, and the test's own view of its table (not through the site). */
export interface Backend {
  driver: 'sqlite' | 'postgresql';
  /** variables that point the site at it */
  env: Record<string, string>;
  rows(): Promise<StoredRow[]>;
  count(): Promise<number>;
  /** inserts n rows named "seed 1".."seed n" straight into the table */
  seed(n: number): Promise<void>;
  /** deletes all but the newest n rows */
  keepNewest(n: number): Promise<void>;
  /** empties the table (the table stays) */
  clear(): Promise<void>;
  destroy(): Promise<void>;
}

/** The embedded default: no profile at all, a project folder of its own; the site creates the file. */
export async function sqliteBackend(): Promise<Backend> {
  const project = tempProject();
  const file = join(project.root, 'data', 'kit-db-test.sqlite');
  const open = () => new Database(file);
  const run = <T>(work: (db: Database.Database) => T): T => {
    const db = open();
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    driver: 'sqlite',
    env: { KDT_ROOT: project.root },
    rows: async () => run((db) => db.prepare('select id, stuff, things from stuff order by id').all() as StoredRow[]),
    count: async () => run((db) => (db.prepare('select count(*) as n from stuff').get() as { n: number }).n),
    seed: async (n) =>
      run((db) => {
        db.prepare("with recursive g(i) as (select 1 union all select i + 1 from g where i < ?) insert into stuff (stuff, things) select 'seed ' || i, 'seeded' from g").run(n);
      }),
    keepNewest: async (n) => {
      run((db) => db.prepare('delete from stuff where id not in (select id from stuff order by id desc limit ?)').run(n));
    },
    clear: async () => {
      run((db) => db.exec('delete from stuff'));
    },
    destroy: async () => project.remove(),
  };
}

/** A throwaway cluster with the table created as init-database would; the site logs in with a password. */
export async function postgresBackend(server: PgServer): Promise<Backend & { cluster: PgCluster }> {
  const cluster = await startPostgres({ server });
  const project = tempProject();
  const url = cluster.socketUrl();
  const orm = await createOrm(loadConfig({ root: project.root, env: { DATABASE_URL: url } }));
  await orm.schema.create();
  await orm.close();
  return {
    driver: 'postgresql',
    cluster,
    env: { KDT_ROOT: project.root, DATABASE_URL: url },
    rows: () => query<StoredRow>(url, 'select id, stuff, things from stuff order by id'),
    count: async () => (await query<{ n: number }>(url, 'select count(*)::int as n from stuff'))[0]!.n,
    seed: async (n) => {
      await query(url, "insert into stuff (stuff, things) select 'seed ' || i, 'seeded' from generate_series(1, $1) as i", [n]);
    },
    keepNewest: async (n) => {
      await query(url, 'delete from stuff where id not in (select id from stuff order by id desc limit $1)', [n]);
    },
    clear: async () => {
      await query(url, 'delete from stuff');
    },
    destroy: async () => {
      await cluster.destroy();
      project.remove();
    },
  };
}
