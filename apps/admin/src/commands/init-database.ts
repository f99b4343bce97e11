import { existsSync } from 'node:fs';
import { createOrm, describeConfig, findOverlongThings, Stuff, withSchemaLock, type Orm, type OverlongThings, type ResolvedConfig } from '@kit-db-test/schema';
import { CliError, UsageError } from '../cli/cli-error.js';
import { confirmByTyping } from '../cli/confirm.js';
import { columns, type Output } from '../cli/output.js';
import { resolveConfig } from '../cli/resolve-config.js';
import { databaseFailure } from '../database/failure-line.js';
import { overlongAdvice } from '../database/overlong-things-advice.js';
import { meaningfulStatements } from '../database/schema-sql.js';
import { prepareSqliteFolder } from '../database/sqlite-folder.js';

export interface InitDatabaseOptions {
  profile?: string;
  dryRun?: boolean;
  reset?: boolean;
  yes?: boolean;
}

/** What a run found to do. */
interface Plan {
  /** the SQL the run executes, as printed */
  sql: string;
  statements: string[];
  /** rows the reset would delete */
  rowsLost: number;
  /** the rows already in the table stay: they must fit the new schema */
  keepsRows: boolean;
}

async function countRows(orm: Orm): Promise<number> {
  const rows = await orm.em.getConnection().execute<{ n: number | string }[]>('select count(*) as n from stuff');
  return Number(rows[0]?.n ?? 0);
}

async function tableExists(orm: Orm): Promise<boolean> {
  const sql = (await orm.schema.getUpdateSchemaSQL({ safe: true, dropTables: false })).toLowerCase();
  return !/create table\s+["`]?stuff/.test(sql);
}

/**
 * The SQL that brings the database to the entity's schema. `safe` keeps MikroORM from emitting
 * any drop: a column the entity no longer has stays, with its data.
 */
async function updatePlan(orm: Orm, config: ResolvedConfig): Promise<Plan> {
  // A SQLite file that does not exist yet is an empty database: no need to create it to know that.
  const sql =
    config.target.driver === 'sqlite' && !existsSync(config.target.path)
      ? await orm.schema.getCreateSchemaSQL()
      : await orm.schema.getUpdateSchemaSQL({ safe: true, dropTables: false });
  const statements = meaningfulStatements(sql);
  return { sql, statements, rowsLost: 0, keepsRows: !statements.some((s) => /^create table\s+["`]stuff["`]/i.test(s)) };
}

async function resetPlan(orm: Orm): Promise<Plan> {
  const exists = await tableExists(orm);
  const rowsLost = exists ? await countRows(orm) : 0;
  const drop = exists ? `drop table ${orm.em.getPlatform().quoteIdentifier(orm.getMetadata(Stuff).tableName)};\n` : '';
  const sql = `${drop}${await orm.schema.getCreateSchemaSQL()}`;
  return { sql, statements: meaningfulStatements(sql), rowsLost, keepsRows: false };
}

const NONE: OverlongThings = { count: 0, rows: [] };

/** Rows of the kept table that the `things` limit refuses: adding the limit would fail on them. */
function overlongRows(orm: Orm, plan: Plan): Promise<OverlongThings> {
  return plan.keepsRows ? findOverlongThings(orm) : Promise.resolve(NONE);
}

function refuseOverlong(found: OverlongThings, config: ResolvedConfig, io: Output): CliError {
  const advice = overlongAdvice(found, config);
  for (const line of advice.lines) io.out(line);
  return new CliError(advice.summary);
}

function printHeader(config: ResolvedConfig, io: Output): void {
  const d = describeConfig(config);
  io.out(io.colors.bold('kit-db-test init-database'));
  io.out(
    columns([
      ['profile', `${d.profile.name} (${d.profile.file ? `${d.profile.file}, ` : ''}chosen by ${d.profile.selectedBy})`],
      ['driver', d.driver],
      ['target', d.target],
    ]).join('\n'),
  );
  for (const warning of d.warnings) io.out(io.colors.yellow(`! ${warning}`));
}

async function printUpToDate(orm: Orm, io: Output): Promise<void> {
  io.out(io.colors.green(`✓ up to date: table stuff matches the entity (${await countRows(orm)} row(s)); nothing to do`));
}

function printSql(plan: Plan, io: Output): void {
  io.out();
  io.out(io.colors.bold('SQL:'));
  for (const statement of plan.statements) io.out(`  ${statement};`);
  io.out();
}

async function confirmReset(plan: Plan, config: ResolvedConfig, options: InitDatabaseOptions, io: Output): Promise<boolean> {
  if (options.yes) return true;
  if (!process.stdin.isTTY) {
    throw new UsageError(
      `--reset drops table stuff (${plan.rowsLost} row(s)) and standard input is not a terminal to confirm it; add --yes (nothing changed)`,
    );
  }
  io.out(io.colors.red(`This drops table stuff with its ${plan.rowsLost} row(s) in ${describeConfig(config).target}.`));
  return confirmByTyping('Continue?', 'reset');
}

/**
 * `pnpm admin init-database`: brings the database to the entity's schema. Idempotent; never drops
 * a table or column, nor deletes a row, unless --reset (confirmed on a terminal, or --yes).
 */
export async function initDatabaseCommand(options: InitDatabaseOptions, io: Output): Promise<void> {
  const config = resolveConfig(options.profile);
  const dryRun = Boolean(options.dryRun);
  printHeader(config, io);

  if (config.target.driver === 'sqlite') {
    const { created } = prepareSqliteFolder(config.target, dryRun);
    if (created) io.out(`${dryRun ? 'would create' : 'created'} folder ${config.target.path.replace(/\/[^/]*$/, '')}`);
  }

  // The migration lock holds one PostgreSQL connection while the schema is read on another.
  const orm = await createOrm(config.target.driver === 'postgresql' ? { ...config, poolMax: Math.max(config.poolMax, 2) } : config);
  try {
    // Connect first: MikroORM's schema calls would otherwise try CREATE DATABASE on a missing
    // database, turning "it does not exist" into a confusing permission error (or a side effect).
    if (config.target.driver === 'postgresql') await orm.em.getConnection().execute('select 1');
    if (dryRun) {
      const plan = options.reset ? await resetPlan(orm) : await updatePlan(orm, config);
      if (plan.statements.length === 0) {
        await printUpToDate(orm, io);
        return;
      }
      printSql(plan, io);
      const overlong = await overlongRows(orm, plan);
      if (overlong.count > 0) for (const line of overlongAdvice(overlong, config).lines) io.out(line);
      io.out(`dry run: ${plan.statements.length} statement(s) above not run; nothing changed`);
      return;
    }
    let confirmed: Plan | undefined;
    if (options.reset) {
      // Asked before the lock is taken: on SQLite the lock would stop the site's writes while the
      // operator reads the question. The plan is made again under the lock.
      confirmed = await resetPlan(orm);
      printSql(confirmed, io);
      if (!(await confirmReset(confirmed, config, options, io))) throw new UsageError('reset not confirmed; nothing changed');
    }
    // Serialised with any other init-database on this database: each plans from the schema the
    // previous one left, so a second run finds it up to date instead of creating the table twice.
    // A SQLite file it creates is private (0640, and so are its -wal and -shm): createOrm sees to that.
    await withSchemaLock(
      orm,
      async (run) => {
        const plan = options.reset ? await resetPlan(orm) : await updatePlan(orm, config);
        if (plan.statements.length === 0) {
          await printUpToDate(orm, io);
          return;
        }
        if (confirmed?.sql !== plan.sql) printSql(plan, io);
        const overlong = await overlongRows(orm, plan);
        if (overlong.count > 0) throw refuseOverlong(overlong, config, io);
        try {
          // PostgreSQL and SQLite both roll DDL back, so a failure half-way changes nothing.
          await run(plan.statements);
        } catch (error) {
          // A long row written since the count above: the constraint refused it and nothing changed.
          const late = await overlongRows(orm, plan).catch(() => NONE);
          if (late.count > 0) throw refuseOverlong(late, config, io);
          throw error;
        }
        const rows = await countRows(orm);
        const lost = options.reset ? `, ${plan.rowsLost} row(s) deleted` : '';
        io.out(io.colors.green(`✓ done: ran ${plan.statements.length} statement(s); table stuff has ${rows} row(s)${lost}`));
      },
      { onWait: () => io.out('waiting for another init-database on this database to finish…') },
    );
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw databaseFailure(error, config);
  } finally {
    await orm.close();
  }
}
