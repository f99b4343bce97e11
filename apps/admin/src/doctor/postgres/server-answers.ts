import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { fail, pass, type Check } from '../types.js';
import { locateServer } from './locate-server.js';
import { login } from './login.js';
import { markServerLogs } from './read-server-log.js';
import { psql } from './sql-fix.js';
import { diagnoseTls, isTlsFailure } from './tls-failure.js';
import { probeTls } from './tls-probe.js';

/**
 * Like pg_isready: does a PostgreSQL server answer the protocol? The doctor logs in as the app
 * would; any answer from the server (a session, or an error with an SQLSTATE) means it does.
 */
export const serverAnswersCheck: Check<DoctorContext> = {
  id: 'pg.server',
  title: 'Server answers',
  needs: ['pg.reachable'],
  async run(context) {
    const target = context.config.target as PostgresTarget;
    markServerLogs(context);
    const attempt = await login(target, context.timeoutMs);
    context.login = attempt;
    if (attempt.ok) {
      context.session = attempt.client;
      const { rows } = await attempt.client.query<{ v: string }>("select current_setting('server_version') as v");
      return pass(`PostgreSQL ${rows[0]?.v} accepts connections (${attempt.ms} ms)`);
    }
    if ('serverError' in attempt) {
      if (attempt.serverError.code === '57P03') {
        return fail('the server is starting up or shutting down', [`server: ${attempt.serverError.message} (SQLSTATE 57P03)`], ['wait, then systemctl status postgresql']);
      }
      if (attempt.serverError.code === '53300' && !/for (database|role)/.test(attempt.serverError.message)) {
        return fail('the server has no connection slot left (max_connections)', [`server: ${attempt.serverError.message} (SQLSTATE 53300)`], [
          `see who holds them: ${psql('SELECT usename, application_name, client_addr, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC')}`,
          'end the idle ones, or raise max_connections in postgresql.conf and restart: systemctl restart postgresql',
        ]);
      }
      return pass(`PostgreSQL answers (it refused the login: see below) (${attempt.ms} ms)`);
    }
    if ('passwordMissing' in attempt) return pass(`PostgreSQL answers (it asks for a password: see below) (${attempt.ms} ms)`);
    const { code, message } = attempt.networkError;
    if (isTlsFailure(code, message)) {
      const probed = target.socket ? null : await probeTls(target.host, target.port, context.timeoutMs);
      const certificate = probed && 'offered' in probed && probed.offered ? probed.certificate : null;
      return diagnoseTls(target, { code, message }, certificate, context.serverPlace ?? (await locateServer(context)));
    }
    return fail(
      code === 'ETIMEDOUT' ? `no answer within ${context.timeoutMs} ms` : `the connection failed before the server answered (${code})`,
      [message],
      ['something that is not PostgreSQL listens there, or the server hangs: systemctl status postgresql'],
    );
  },
};
