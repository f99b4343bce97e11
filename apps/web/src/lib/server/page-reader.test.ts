import { createOrm, loadConfig, type Orm } from '@kit-db-test/schema';
import { pgServers, startPostgres, tempProject, type PgCluster, type TempProject } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageReader } from './page-reader.js';

// A transaction pooler (PgBouncer before 1.21) hands each transaction any server connection and
// keeps no named statement: the page reader must then leave none behind on the connection.
for (const server of pgServers()) {
  describe(`the page reader's statements on ${server.kind} PostgreSQL ${server.version}`, () => {
    let cluster: PgCluster;
    let project: TempProject;
    let orm: Orm;
    const prepared = async () => {
      const pool = (await orm.em.getConnection().getNativeClient()) as { query(sql: string): Promise<{ rows: { name: string }[] }> };
      return (await pool.query('select name from pg_prepared_statements order by name')).rows.map((r) => r.name);
    };

    beforeAll(async () => {
      cluster = await startPostgres({ server });
      project = tempProject();
      // One connection, so that what one read left on its connection is what the next query sees.
      project.writeProfile('one', { url: cluster.socketUrl(), pool: { max: 1 } });
      orm = await createOrm(loadConfig({ root: project.root, env: { KDT_PROFILE: 'one' } }));
      await orm.schema.create();
      await orm.em.getConnection().execute("insert into stuff (stuff, things) select 'row ' || i, 'x' from generate_series(1, 60) as i");
    });
    afterAll(async () => {
      await orm?.close();
      await cluster?.destroy();
      project?.remove();
    });

    it('unnamed: the same pages, and no statement kept on the connection', async () => {
      const reader = await pageReader(orm, { statements: 'unnamed' });
      const newest = await reader.read({ kind: 'newest' });
      expect(newest.rows.map((r) => r.stuff).slice(0, 2)).toEqual(['row 60', 'row 59']);
      expect(newest.summary).toMatchObject({ newest: 60, oldest: 1, bounded: 60 });
      expect((await reader.read({ kind: 'before', id: 11 })).rows.map((r) => r.id)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      expect(await reader.idAtOffset(50)).toBe(10);
      expect(await prepared()).toEqual([]);
    });

    it('named (a direct connection): each statement is prepared once on the connection', async () => {
      const reader = await pageReader(orm, { statements: 'named' });
      for (let i = 0; i < 3; i++) await reader.read({ kind: 'after', id: 20 });
      expect((await reader.read({ kind: 'after', id: 20 })).rows.map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => 60 - i));
      expect(await prepared()).toEqual(['kit-db-test page after']);
    });
  });
}
