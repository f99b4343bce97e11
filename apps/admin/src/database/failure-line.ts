import { classifyDatabaseError, type ResolvedConfig } from '@kit-db-test/schema';
import { CliError } from '../cli/cli-error.js';

/** A database error as the one line an operator reads: what failed, the server's words, the next step. */
export function databaseFailure(error: unknown, config: ResolvedConfig): unknown {
  const f = classifyDatabaseError(error, config);
  // Without a code it is not the database talking but a bug: keep the error and its stack.
  if (f.kind === 'other' && f.code === undefined) return error;
  const code = f.code ? ` [${f.code}]` : '';
  return new CliError(`${f.summary}: ${f.message}${code}. Next: ${f.next}`);
}
