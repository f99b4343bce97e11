import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { createOrm, type SqliteTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { localFiles } from '../system-files.js';
import { schemaOutcome } from '../schema-diff.js';
import { fail, pass, warn, type Check } from '../types.js';
import { modeText, parseAccount, permits, type Account } from './permissions.js';

const target = (context: DoctorContext) => context.config.target as SqliteTarget;

/** The account that runs the site: --service-user, else the unit's User=, else whoever runs the doctor. */
function serviceAccount(context: DoctorContext): Account | { problem: string } {
  const name = context.options.serviceUser ?? context.site.unit?.user ?? userInfo().username;
  const passwd = context.files.read('/etc/passwd');
  const group = context.files.read('/etc/group');
  if ('error' in passwd) return { problem: `cannot read /etc/passwd (${passwd.error})` };
  const account = parseAccount(passwd.text, 'text' in group ? group.text : '', name);
  return account ?? { problem: `no account "${name}" in /etc/passwd` };
}

function owner(context: DoctorContext, uid: number, gid: number): string {
  const names = (file: string, id: number) => {
    const read = context.files.read(file);
    return ('text' in read ? read.text.split('\n').map((l) => l.split(':')).find((f) => Number(f[2]) === id)?.[0] : undefined) ?? String(id);
  };
  return `${names('/etc/passwd', uid)}:${names('/etc/group', gid)}`;
}

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
    const facts = `${folder} is ${owner(context, s.uid, s.gid)} ${modeText(s.mode)}`;
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
    const facts = `${path} is ${owner(context, s.uid, s.gid)} ${modeText(s.mode)}`;
    if (!permits(s, account, 'r') || !permits(s, account, 'w')) {
      return fail(`${account.name} cannot read and write ${path}`, [facts], [`chown ${account.name} ${path} && chmod 640 ${path}`]);
    }
    if ((s.mode & 0o004) !== 0) return warn(`every user may read ${path}`, [facts], [`chmod 640 ${path}`]);
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
