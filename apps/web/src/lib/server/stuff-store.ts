import { Stuff, type Orm } from '@kit-db-test/schema';
import type { StuffInput } from '../stuff-form.js';
import { DIRECT, pageReader, type PageReaderOptions } from './page-reader.js';
import type { Cursor } from './page-sql.js';
import { MAX_ID, PAGE_SIZE, pageOf, type Page } from './pagination.js';
import { RollbackFailedError } from './reopen-policy.js';
import { elapsed } from './with-timeout.js';

/** A row as the page shows it: only the columns it renders, as plain data. */
export interface StuffView {
  id: number;
  stuff: string;
  things: string;
  createdAt: string | null;
}

// PostgreSQL's timestamptz text in a UTC session, or SQLite's current_timestamp (UTC, no zone).
const UTC_STAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:\+00)?$/;

/**
 * The database's timestamp as ISO 8601 UTC. Raw rows carry it as text: PostgreSQL's
 * "2026-11-25 13:46:40.348451+00", SQLite's current_timestamp "2026-11-25 13:46:40" (UTC).
 */
export function isoTimestamp(raw: string | Date | null): string | null {
  if (raw === null) return null;
  if (raw instanceof Date) return raw.toISOString();
  // The common case (every row of every page view) without Date: UTC already, only the fraction
  // to cut or pad to milliseconds.
  const utc = UTC_STAMP.exec(raw);
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d(?::?\d\d)?)?$/.exec(raw);
  if (!m) return raw;
  let zone = m[4] ?? 'Z';
  if (/^[+-]\d\d$/.test(zone)) zone += ':00';
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return new Date(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${zone}`).toISOString();
}

// The page's read path is plain SQL: hydrating 50 entities into the unit of work on every view cost
// more than the rest of the page (measured with --cpu-prof). See page-reader.ts.

/**
 * One page of rows, newest first, with the links to the pages around it and the table's total:
 * one round trip whatever the table holds, at a cost that does not grow with it (keyset
 * pagination, and a total counted only while the table is small). Never "select all rows".
 */
export async function readPage(orm: Orm, cursor: Cursor, options: PageReaderOptions = DIRECT): Promise<{ page: Page; rows: StuffView[] }> {
  const { rows: raw, summary } = await (await pageReader(orm, options)).read(cursor);
  const rows = raw.map((r) => ({ id: r.id, stuff: r.stuff, things: r.things, createdAt: isoTimestamp(r.created_at) }));
  return { page: pageOf(rows.map((r) => r.id), summary), rows };
}

/**
 * Where an old `?page=N` link's rows are now: the cursor of the page that starts with the row N-1
 * pages below the newest (found by OFFSET, bounded by LEGACY_PAGE_LIMIT), the oldest page past
 * the end, the newest page when the table is empty.
 */
export async function legacyPageCursor(orm: Orm, number: number, options: PageReaderOptions = DIRECT): Promise<Cursor> {
  const reader = await pageReader(orm, options);
  const id = await reader.idAtOffset((number - 1) * PAGE_SIZE);
  if (id !== null) return id >= MAX_ID ? { kind: 'newest' } : { kind: 'before', id: id + 1 };
  const { summary } = await reader.read({ kind: 'newest' });
  return summary.oldest === null || summary.oldest <= 0 ? { kind: 'newest' } : { kind: 'after', id: summary.oldest - 1 };
}

const INSERT = 'insert into stuff (stuff, things, submission_key) values (?, ?, ?) on conflict (submission_key) do nothing returning id';

/**
 * Stores a row (the SQLite write; PostgreSQL's is insertOnPostgres). With a `key`, posting the same
 * submission again (a double click) stores no second row and returns the first one's id: SQLite
 * runs one write at a time, so a conflict means that row is stored.
 */
export async function insertRow(orm: Orm, input: StuffInput, key: string | null): Promise<number> {
  const connection = orm.em.getConnection();
  const [row] = await connection.execute<{ id: number }[]>(INSERT, [input.stuff, input.things, key], 'all');
  if (row) return Number(row.id);
  const [stored] = await connection.execute<{ id: number }[]>('select id from stuff where submission_key = ?', [key], 'all');
  if (!stored) throw new Error('the row stored with this submission key is gone (deleted meanwhile)');
  return Number(stored.id);
}

const PROBE = { stuff: 'kit-db-test probe', things: 'inserted and removed by a status check' };

/**
 * Can we write? Inserts a probe row inside a transaction that is rolled back: nothing is kept. The
 * id is given (-1, never a real row's) so that the probe does not take a value from the id
 * sequence: sequences are not rolled back, and every page view would otherwise skip an id.
 */
export async function probeWrite(orm: Orm): Promise<void> {
  const em = orm.em.fork();
  await em.begin();
  let failure: unknown;
  try {
    // The columns a post writes: a table too old for the site's insert fails here too, not only on a post.
    await em.getConnection().execute('insert into stuff (id, stuff, things, submission_key) values (-1, ?, ?, null)', [PROBE.stuff, PROBE.things], 'run', em.getTransactionContext());
  } catch (error) {
    failure = error;
  }
  try {
    await em.rollback();
  } catch (rollbackError) {
    throw new RollbackFailedError(failure, rollbackError);
  }
  if (failure !== undefined) throw failure;
}

export interface RoundTripStep {
  step: 'insert' | 'read back' | 'delete' | 'commit';
  ms: number;
}

/**
 * Inserts a probe row, reads it back and deletes it, in one transaction (the table is left as it
 * was, even if a step fails: the transaction is then rolled back); the time of each step.
 */
export async function roundTrip(orm: Orm): Promise<RoundTripStep[]> {
  const steps: RoundTripStep[] = [];
  const timed = async <T>(step: RoundTripStep['step'], work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await work();
    steps.push({ step, ms: elapsed(start) });
    return result;
  };
  const em = orm.em.fork();
  await em.begin();
  try {
    const row = em.create(Stuff, PROBE);
    await timed('insert', () => em.flush());
    em.clear(); // read from the database, not the identity map
    const back = await timed('read back', () => em.findOne(Stuff, row.id));
    if (!back || back.stuff !== PROBE.stuff) throw new Error('the probe row did not read back as written');
    await timed('delete', () => em.nativeDelete(Stuff, { id: row.id }));
    await timed('commit', () => em.commit());
  } catch (error) {
    try {
      await em.rollback();
    } catch (rollbackError) {
      throw new RollbackFailedError(error, rollbackError);
    }
    throw error;
  }
  return steps;
}
