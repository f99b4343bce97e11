import type { Orm } from '@kit-db-test/schema';
import type { StuffInput } from '../stuff-form.js';
import { withTimeout } from './with-timeout.js';

/**
 * The COMMIT was sent and no answer came (a timeout, a connection lost): the row may or may not be
 * stored, and no one can tell until the server answers again. The cause says what happened.
 */
export class CommitUnknownError extends Error {
  override readonly name = 'CommitUnknownError';
  constructor(cause: unknown) {
    super(`the database did not confirm the commit: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

interface PgResult {
  rows: { id: number | string }[];
}
interface PgClient {
  query(query: string | { name: string; text: string; values: unknown[] }): Promise<PgResult>;
  release(destroy?: boolean | Error): void;
}
interface PgPool {
  connect(): Promise<PgClient>;
}

// A retry of a submission whose row is already stored inserts nothing and finds that row; one still
// being stored by another session is waited for (ON CONFLICT waits for that transaction's end).
const INSERT = {
  name: 'kit-db-test insert',
  text: 'insert into stuff (stuff, things, submission_key) values ($1, $2, $3) on conflict (submission_key) do nothing returning id',
};
const EXISTING = { name: 'kit-db-test stored submission', text: 'select id from stuff where submission_key = $1' };

/** A reply from the server (pg's DatabaseError carries its severity and SQLSTATE), as opposed to silence or a lost connection. */
function answeredByServer(error: unknown): boolean {
  const { severity, code } = (error ?? {}) as { severity?: unknown; code?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * Stores a row on PostgreSQL within `ms`, on a pooled connection, in its own transaction. When
 * the time is up or the connection fails, that connection is closed, never returned to the pool:
 * a server that is merely stopped (a frozen disk, a paused VM) would otherwise run the queued
 * statements when it resumes and commit a row the user was told is not saved; finding its client
 * gone, it rolls back instead. Once the COMMIT has been sent that cannot be undone, so the error
 * is then a CommitUnknownError. With a `key`, posting the same submission again stores no second
 * row and returns the first one's id.
 */
export async function insertOnPostgres(orm: Orm, input: StuffInput, key: string | null, ms: number): Promise<number> {
  const started = performance.now();
  const left = () => Math.max(0, ms - (performance.now() - started));
  const step = <T>(work: Promise<T>) => withTimeout(work, left(), 'saving the row');

  const pool = (await step(orm.em.getConnection().getNativeClient())) as PgPool;
  const connecting = pool.connect();
  let client: PgClient;
  try {
    client = await step(connecting);
  } catch (error) {
    // pg gives up connecting by itself (connectionTimeoutMillis); one that arrives late is not kept.
    connecting.then((late) => late.release(true), () => undefined);
    throw error;
  }

  let commitSent = false;
  try {
    await step(client.query('begin'));
    let id = (await step(client.query({ ...INSERT, values: [input.stuff, input.things, key] }))).rows[0]?.id;
    id ??= (await step(client.query({ ...EXISTING, values: [key] }))).rows[0]?.id;
    if (id === undefined) throw new Error('the row stored with this submission key is gone (deleted meanwhile)');
    commitSent = true;
    await step(client.query('commit'));
    client.release();
    return Number(id);
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    // An error the server sent (a refused COMMIT included) means it rolled back: not saved.
    if (commitSent && !answeredByServer(error)) throw new CommitUnknownError(error);
    throw error;
  }
}
