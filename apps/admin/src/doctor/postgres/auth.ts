import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { pass, type Check } from '../types.js';
import { diagnoseAuth } from './auth-diagnosis.js';
import { reloadCommand } from './hba-verdict.js';
import { readHbaVerdict } from './read-hba.js';
import { readRefusal } from './read-server-log.js';

export const authCheck: Check<DoctorContext> = {
  id: 'pg.auth',
  title: 'Authentication',
  needs: ['pg.server'],
  async run(context) {
    const target = context.config.target as PostgresTarget;
    const attempt = context.login!;
    // The database is checked after the login: a missing one does not mean the login failed.
    if (attempt.ok || ('serverError' in attempt && attempt.serverError.code === '3D000')) {
      const hba = await readHbaVerdict(context);
      const line = hba.verdict?.matched ? ` via ${hba.verdict.file} line ${hba.verdict.matched.line} (${hba.verdict.matched.method})` : '';
      return pass(`logged in as "${target.user}"${line}`);
    }
    if (!('serverError' in attempt)) throw new Error('no login result');
    const hba = await readHbaVerdict(context);
    const log = readRefusal(context, target.user);
    return diagnoseAuth({
      target,
      error: attempt.serverError,
      refusal: log.refusal,
      logProblem: log.problem,
      hba: hba.verdict,
      hbaProblem: hba.problem,
      reload: reloadCommand(context.serverPlace),
      ...(context.serverPlace && !context.serverPlace.local ? { remoteHost: context.serverPlace.host } : {}),
    });
  },
};
