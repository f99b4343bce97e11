import pg from 'pg';

/** Runs one statement over a fresh connection (the test's view of the data, independent of the code under test). */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A connection the test keeps open (to hold a lock or a transaction across steps); end() it. */
export interface Session {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  end(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function openSession(url: string): Promise<Session> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  const end = () => client.end();
  return {
    query: async <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => (await client.query<R>(sql, params)).rows,
    end,
    [Symbol.asyncDispose]: end,
  };
}
