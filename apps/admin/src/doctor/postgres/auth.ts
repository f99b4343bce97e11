import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { fail, pass, type Check } from '../types.js';
import { diagnoseAuth } from './auth-diagnosis.js';
import { reloadCommand } from './hba-verdict.js';
import { readHbaVerdict } from './read-hba.js';
import { readRefusal } from './read-server-log.js';
import { diagnoseSessionStart } from './session-start.js';

export const authCheck: Check<DoctorContext> = {
  id: 'pg.auth',
  title: 'Authentication',
  needs: ['pg.server'],
  async run(context) {
    const target = context.config.target as PostgresTarget;
    const attempt = context.login!;
    if ('passwordMissing' in attempt) {
      return fail(`the server asks for a password (${attempt.passwordMissing.method}) and the configuration has none`, [
        `neither DATABASE_URL nor DATABASE_PASSWORD_FILE gives a password for "${target.user}"`,
      ], ['put the password in a file only the service user can read, and set DATABASE_PASSWORD_FILE to its path (or give it in DATABASE_URL, percent-encoded)']);
    }
    // The server opens the session after the login: a missing database, ALLOW_CONNECTIONS false or a
    // missing CONNECT privilege do not mean the login failed; the database check names them.
    if (attempt.ok || ('serverError' in attempt && diagnoseSessionStart(target, attempt.serverError))) {
      const hba = await readHbaVerdict(context);
      const line = hba.verdict?.matched ? ` via ${hba.verdict.file} line ${hba.verdict.matched.line} (${hba.verdict.matched.method})` : '';
      return pass(`logged in as "${target.user}"${line}`);
    }
    if (!('serverError' in attempt)) throw new Error('no login result');
    const hba = await readHbaVerdict(context);
    const log = readRefusal(context, target.user);
    return diagnoseAuth({
      logFix: log.fix,
      target,
      error: attempt.serverError,
      refusal: log.refusal,
      refusalOfAttempt: log.ofAttempt,
      logProblem: log.problem,
      hba: hba.verdict,
      hbaProblem: hba.problem,
      reload: reloadCommand(context.serverPlace),
      ...(context.serverPlace && !context.serverPlace.local ? { remoteHost: context.serverPlace.host } : {}),
    });
  },
};
