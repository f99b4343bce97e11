import { query, waitFor, type PgCluster } from '@kit-db-test/testing';
import { serverVerdict, type LogVerdict } from './server-verdict.js';

/**
 * How long the server may take to log its decision on a login. It answers the client first and
 * its logging collector writes the file afterwards, which on a busy machine takes more than a moment.
 */
export const SERVER_LOG_BUDGET_MS = 15_000;

/** Tries to log in with `url`, then reads what the server decided from its log; `what` names the attempt in an error. */
export async function loginVerdict(cluster: PgCluster, url: string, what: string): Promise<LogVerdict> {
  const offset = cluster.log().length;
  await query(url, 'select 1').catch(() => undefined);
  try {
    return await waitFor(`the server's verdict in its log`, () => serverVerdict(cluster.log().slice(offset)), SERVER_LOG_BUDGET_MS);
  } catch {
    throw new Error(`no verdict in the server log within ${SERVER_LOG_BUDGET_MS} ms for ${what}:\n${cluster.log().slice(offset)}`);
  }
}
