import { Stuff, type Orm } from '@kit-db-test/schema';
import type { StuffInput } from '../stuff-form.js';
import { elapsed } from './with-timeout.js';

/** A row as the page shows it: only the columns it renders, as plain data. */
export interface StuffView {
  id: number;
  stuff: string;
  things: string;
  createdAt: string | null;
}

export async function countRows(orm: Orm): Promise<number> {
  return orm.em.fork().count(Stuff);
}

/** One page of rows, newest first; never "select all rows". */
export async function listRows(orm: Orm, offset: number, limit: number): Promise<StuffView[]> {
  const rows = await orm.em.fork().find(Stuff, {}, { orderBy: { id: 'desc' }, limit, offset });
  return rows.map((r) => ({ id: r.id, stuff: r.stuff, things: r.things, createdAt: r.createdAt ? r.createdAt.toISOString() : null }));
}

export async function insertRow(orm: Orm, input: StuffInput): Promise<number> {
  const em = orm.em.fork();
  const row = em.create(Stuff, { stuff: input.stuff, things: input.things });
  await em.flush();
  return row.id;
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
  try {
    em.create(Stuff, { id: -1, ...PROBE });
    await em.flush();
  } finally {
    await em.rollback();
  }
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
    await em.rollback().catch(() => undefined);
    throw error;
  }
  return steps;
}
