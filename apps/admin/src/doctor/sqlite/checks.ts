import { dirname } from 'node:path';
import { createOrm, type SqliteTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { localFiles } from '../system-files.js';
import { schemaOutcome } from '../schema-diff.js';
import { fail, pass, warn, type Check } from '../types.js';
import { modeText, permits } from './permissions.js';
import { ownerText, serviceAccount } from './service-account.js';

const target = (context: DoctorContext) => context.config.target as SqliteTarget;

export const sqliteFolderCheck: Check<DoctorContext> = {
  id: 'sqlite.folder',
  title: 'SQLite folder',
  needs: ['config.valid'],
  async run(context) {
    const folder = dirname(target(context).path);
    const account = serviceAccount(context);
    if ('problem' in account) return warn(`cannot tell who runs the site: ${account.problem}`, [], ['give --service-user NAME']);
    if (!localFiles.exists(folder)) {
      return fail(`${folder} does not exist`, [], [`install -d -o ${account.name} -m 750 ${folder}   (or: pnpm admin init-database, as ${account.name})`]);
    }
    const s = localFiles.stat(folder)!;
    const facts = `${folder} is ${ownerText(context, s.uid, s.gid)} ${modeText(s.mode)}`;
    // SQLite writes its journal (or WAL) beside the file: a folder it cannot write blocks every write.
    if (!permits(s, account, 'w') || !permits(s, account, 'x')) {
      return fail(`${account.name} cannot write ${folder}`, [facts, 'SQLite creates its journal and WAL files in this folder: without write access every write fails, even when the file itself is writable'], [
        `chown ${account.name} ${folder} && chmod 750 ${folder}`,
      ]);
    }
    return pass(`${account.name} may write ${folder}`, [facts]);
  },
};

export const sqliteFileCheck: Check<DoctorContext> = {
  id: 'sqlite.file',
  title: 'SQLite file',
  needs: ['sqlite.folder'],
  async run(context) {
    const path = target(context).path;
    const account = serviceAccount(context);
    if ('problem' in account) return warn(`cannot tell who runs the site: ${account.problem}`);
    if (!localFiles.exists(path)) return fail(`${path} does not exist yet`, [], [`pnpm admin init-database (as ${account.name})`]);
    const s = localFiles.stat(path);
    if (!s) return fail(`cannot stat ${path}`);
    const facts = `${path} is ${ownerText(context, s.uid, s.gid)} ${modeText(s.mode)}`;
    if (!permits(s, account, 'r') || !permits(s, account, 'w')) {
      return fail(`${account.name} cannot read and write ${path}`, [facts], [`chown ${account.name} ${path} && chmod 640 ${path}`]);
    }
    return pass(`${account.name} may read and write it`, [facts]);
  },
};

export const sqliteSchemaCheck: Check<DoctorContext> = {
  id: 'sqlite.schema',
  title: 'Schema matches the entity',
  needs: ['sqlite.file'],
  run: (context) =>
    schemaOutcome(context.config, async (orm) => {
      const [journal] = await orm.em.getConnection().execute<{ journal_mode: string }[]>('pragma journal_mode');
      context.journalMode = journal?.journal_mode;
      return ` (journal mode ${journal?.journal_mode})`;
    }),
};

export const sqliteRoundTripCheck: Check<DoctorContext> = {
  id: 'sqlite.roundtrip',
  title: 'Write-read round trip',
  needs: ['sqlite.schema'],
  async run(context) {
    const orm = await createOrm(context.config);
    const start = performance.now();
    try {
      const connection = orm.em.getConnection();
      await connection.execute('begin');
      try {
        await connection.execute("insert into stuff (stuff, things) values ('kit-db-test doctor', 'rolled back')");
        const rows = await connection.execute<{ n: number }[]>("select count(*) as n from stuff where stuff = 'kit-db-test doctor'");
        if (!rows[0]?.n) return fail('the row written could not be read back');
      } finally {
        await connection.execute('rollback');
      }
      return pass(`wrote and read back a row in ${Math.round((performance.now() - start) * 10) / 10} ms (rolled back; journal mode ${context.journalMode ?? '?'})`);
    } catch (error) {
      return fail(`the round trip failed: ${(error as Error).message}`, [], ['pnpm admin doctor --verbose; check the folder and file permissions above']);
    } finally {
      await orm.close();
    }
  },
};
