import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgServers, startPostgres, type PgCluster } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { Stuff } from '../entity/stuff.js';
import { classifyDatabaseError } from '../errors/classify-database-error.js';
import { createOrm, type Orm } from './create-orm.js';

const configFor = (url: string) => loadConfig({ root: tmpdir(), env: { DATABASE_URL: url } });

async function firstQueryError(orm: Orm): Promise<unknown> {
  try {
    await orm.em.getConnection().execute('select 1');
  } catch (error) {
    return error;
  } finally {
    await orm.close();
  }
  throw new Error('the query succeeded');
}

describe('SQLite, a real file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kdt-sqlite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('connects lazily: creating the ORM does not create the file', async () => {
    const path = join(dir, 'lazy.sqlite');
    const orm = await createOrm(configFor(`sqlite:${path}`));
    expect(existsSync(path)).toBe(false);
    await orm.close();
  });

  it('writes and reads a row, with created_at set by the database', async () => {
    const orm = await createOrm(configFor(`sqlite:${join(dir, 'rw.sqlite')}`));
    try {
      await orm.schema.create();
      const em = orm.em.fork();
      const row = em.create(Stuff, { stuff: 'a'.repeat(255), things: 'line one\nline two' });
      await em.flush();
      // A client that knows nothing of the ORM gets the timestamp too.
      await orm.em.getConnection().execute("insert into stuff (stuff, things) values ('raw', 'sql')");
      const rows = await orm.em.fork().find(Stuff, {}, { orderBy: { id: 'asc' } });
      expect(rows.map((r) => [r.id, r.stuff.length, r.things])).toEqual([
        [row.id, 255, 'line one\nline two'],
        [row.id + 1, 3, 'sql'],
      ]);
      for (const r of rows) expect(Math.abs(r.createdAt!.getTime() - Date.now())).toBeLessThan(60_000);
    } finally {
      await orm.close();
    }
  });

  it('classifies a folder that does not exist as a SQLite file problem', async () => {
    const config = configFor(`sqlite:${join(dir, 'missing', 'x.sqlite')}`);
    const failure = classifyDatabaseError(await firstQueryError(await createOrm(config)), config);
    expect(failure.kind).toBe('sqlite-file');
    expect(failure.next).toContain(join(dir, 'missing'));
  });
});

describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('%s', (_name, server) => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres({ server });
  });
  afterAll(() => cluster?.destroy());

  it('creates the table with the types the entity promises and round-trips a row', async () => {
    const orm = await createOrm(configFor(cluster.socketUrl()));
    try {
      await orm.schema.create();
      const columns = await orm.em.getConnection().execute<{ column_name: string; data_type: string; max: number | null; nullable: string; def: string | null }[]>(
        `select column_name, data_type, character_maximum_length as max, is_nullable as nullable, column_default as def
           from information_schema.columns where table_name = 'stuff' order by ordinal_position`,
      );
      expect(columns.map((c) => [c.column_name, c.data_type, c.max, c.nullable])).toEqual([
        ['id', 'integer', null, 'NO'],
        ['stuff', 'character varying', 255, 'NO'],
        ['things', 'text', null, 'NO'],
        ['created_at', 'timestamp with time zone', null, 'YES'],
        ['submission_key', 'character varying', 64, 'YES'],
      ]);
      expect(columns[3]!.def).toBe('CURRENT_TIMESTAMP');

      const em = orm.em.fork();
      const row = em.create(Stuff, { stuff: 'über', things: "it's <b>text</b>" });
      await em.flush();
      const back = await orm.em.fork().findOneOrFail(Stuff, row.id);
      expect([back.stuff, back.things]).toEqual(['über', "it's <b>text</b>"]);
      expect(back.createdAt).toBeInstanceOf(Date);

      const tooLong = orm.em.fork();
      tooLong.create(Stuff, { stuff: 'x'.repeat(256), things: '' });
      await expect(tooLong.flush()).rejects.toMatchObject({ code: '22001' });
    } finally {
      await orm.close();
    }
  });

  it('connects over TCP as well as the socket', async () => {
    const orm = await createOrm(configFor(cluster.tcpUrl()));
    try {
      const rows = await orm.em.getConnection().execute<{ u: string }[]>('select current_user as u');
      expect(rows[0]!.u).toBe('kdt_app');
    } finally {
      await orm.close();
    }
  });

  it.each([
    ['a wrong password', () => cluster.socketUrl({ password: 'wrong' }), 'authenticate', '28P01'],
    ['a missing database', () => cluster.socketUrl({ database: 'nope' }), 'database-missing', '3D000'],
  ])('classifies %s from the real server', async (_what, url, kind, code) => {
    const config = configFor(url());
    const failure = classifyDatabaseError(await firstQueryError(await createOrm(config)), config);
    expect([failure.kind, failure.code]).toEqual([kind, code]);
    expect(JSON.stringify(failure)).not.toContain(cluster.app.password);
  });

  it('classifies a missing table privilege from the real server, with a GRANT on the table as the fix', async () => {
    const config = configFor(cluster.socketUrl());
    const orm = await createOrm(config);
    try {
      const connection = orm.em.getConnection();
      await connection.execute('create table if not exists stuff_denied (id int)');
      // An owner may revoke its own privilege: the table stays, the role may no longer insert.
      await connection.execute('revoke insert on stuff_denied from current_user');
      const error = await connection.execute('insert into stuff_denied values (1)').then(
        () => new Error('the insert succeeded'),
        (e: unknown) => e,
      );
      const failure = classifyDatabaseError(error, config);
      expect([failure.kind, failure.code]).toEqual(['permission', '42501']);
      expect(failure.summary).toBe('"kdt_app" lacks a privilege on stuff_denied in "kdt_app"');
      expect(failure.next).toContain('GRANT SELECT, INSERT, UPDATE, DELETE ON stuff TO "kdt_app"');
      expect(failure.next).not.toContain('SCHEMA');
    } finally {
      await orm.em.getConnection().execute('drop table if exists stuff_denied');
      await orm.close();
    }
  });

  it('classifies a stopped server as unreachable, on the socket and over TCP', async () => {
    const stopped = await startPostgres({ server });
    await stopped.stop();
    try {
      for (const url of [stopped.socketUrl(), stopped.tcpUrl()]) {
        const config = configFor(url);
        const failure = classifyDatabaseError(await firstQueryError(await createOrm(config)), config);
        expect(failure.kind).toBe('connect');
        expect(failure.summary).toContain(String(stopped.port));
      }
    } finally {
      await stopped.destroy();
    }
  });
});
