import type { PostgresTarget } from '@kit-db-test/schema';
import type { CheckOutcome } from '../types.js';
import { fail } from '../types.js';
import { lineRef, RELOAD, tlsMismatchFix, tlsMismatchSummary, type HbaVerdict } from './hba-verdict.js';
import type { ServerError } from './login.js';
import type { LoggedRefusal } from './server-log.js';
import { lineForRefusal, parseHbaRefusal } from './hba-refusal.js';

export interface AuthFacts {
  target: PostgresTarget;
  error: ServerError;
  /** the server log's account of the refusal, when the doctor could read it */
  refusal: LoggedRefusal | null;
  /** why there is no log account, e.g. "/var/log/postgresql/… is not readable (EACCES)" */
  logProblem: string | null;
  /** what pg_hba.conf does with this connection, when the doctor could read it */
  hba: HbaVerdict | null;
  hbaProblem: string | null;
  /** how to reload the server's configuration where it runs (default: this machine's) */
  reload?: string;
  /** the server's host, when it runs on another one */
  remoteHost?: string;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const psql = (sql: string) => `sudo -u postgres psql -c '${sql.replace(/'/g, "'\\''")}'`;

function moveFix(verdict: HbaVerdict): string[] {
  if (verdict.shadowed && verdict.matched) {
    return [
      `in ${verdict.file}, move line ${verdict.shadowed.line} (${verdict.shadowed.text.trim()}) above line ${verdict.matched.line} (${verdict.matched.text.trim()}): the first matching line decides`,
      verdict.reload,
    ];
  }
  const above = verdict.matched?.line ?? verdict.firstRuleLine;
  return [`in ${verdict.file}, ${above === null ? 'add' : `add above line ${above}`}: ${verdict.suggestedLine}`, verdict.reload];
}

function hbaEvidence(facts: AuthFacts): string[] {
  const evidence: string[] = [];
  if (facts.hba) {
    evidence.push(
      facts.hba.matched
        ? `pg_hba.conf: the ${facts.hba.request} matches ${lineRef(facts.hba.matched)}`
        : `pg_hba.conf: no line in ${facts.hba.file} matches the ${facts.hba.request}`,
    );
    if (facts.hba.shadowed) evidence.push(`the line meant for the app, ${lineRef(facts.hba.shadowed)}, comes after it and is never reached`);
  } else if (facts.refusal?.hbaLine) {
    evidence.push(`server log: the connection matched pg_hba.conf line ${facts.refusal.hbaLine.line}: ${facts.refusal.hbaLine.text}`);
  } else if (facts.hbaProblem) {
    evidence.push(facts.hbaProblem);
  }
  return evidence;
}

/**
 * Turns a refused login into a diagnosis: the server's message and SQLSTATE, what the server log
 * and pg_hba.conf add, and the fix. The client's message alone cannot tell a wrong password from a
 * missing role or an md5-hashed password under a scram-sha-256 line: the log's DETAIL can.
 */
export function diagnoseAuth(facts: AuthFacts): CheckOutcome {
  const { target, error, refusal } = facts;
  const said = `server: ${error.message} (SQLSTATE ${error.code})`;
  const detail = refusal?.details.join(' ') ?? '';
  const logged = refusal ? [`server log ${refusal.timestamp}: ${refusal.fatal}${detail ? ` DETAIL: ${detail}` : ''}`] : facts.logProblem ? [facts.logProblem] : [];
  const evidence = [said, ...hbaEvidence(facts), ...logged];
  const user = q(target.user);

  if (/no pg_hba\.conf entry/.test(error.message)) {
    if (facts.hba?.tlsMismatch) return fail(tlsMismatchSummary(facts.hba.tlsMismatch), [...evidence, lineRef(facts.hba.tlsMismatch.line)], tlsMismatchFix(facts.hba));
    const file = facts.remoteHost ? `the pg_hba.conf on ${facts.remoteHost}` : 'pg_hba.conf';
    const add = facts.hba ? moveFix(facts.hba) : [`add a line for the app to ${file}, above the catch-all lines, e.g. ${lineForRefusal(target, parseHbaRefusal(error.message))}`, facts.reload ?? RELOAD];
    return fail('no pg_hba.conf line allows this connection', evidence, add);
  }
  if (/pg_hba\.conf rejects connection/.test(error.message)) {
    const fix = facts.hba?.matched
      ? [`line ${facts.hba.matched.line} of ${facts.hba.file} rejects it: put the app's line (${facts.hba.shadowed?.text.trim() ?? facts.hba.suggestedLine}) above it`, facts.hba.reload]
      : ['a reject line in pg_hba.conf matches first: put a line for the app above it', facts.reload ?? RELOAD];
    return fail('a reject line in pg_hba.conf refuses this connection', evidence, fix);
  }
  if (/(Peer|Ident) authentication failed/i.test(error.message)) {
    const method = /Peer/i.test(error.message) ? 'peer' : 'ident';
    const fix = facts.hba?.shadowed ? moveFix(facts.hba) : [`give the app a password line above it: ${facts.hba?.suggestedLine ?? `local ${target.database} ${target.user} scram-sha-256`}`, facts.hba?.reload ?? facts.reload ?? RELOAD];
    fix.push(`or run the site as the OS user "${target.user}", or map the OS user to it with a pg_ident.conf map`);
    return fail(
      `${method} authentication: the OS user running the client is not the database user ${user}`,
      [...evidence, `${method} logs in only an OS user whose name equals the database user (without a pg_ident.conf map)`],
      fix,
    );
  }
  if (/is not permitted to log in/.test(error.message)) {
    return fail(`role ${user} exists but may not log in (NOLOGIN)`, evidence, [psql(`ALTER ROLE ${user} LOGIN`)]);
  }
  if (/password authentication failed|authentication failed/.test(error.message)) {
    if (/does not have a valid SCRAM secret/.test(detail)) {
      return fail(
        `the password of ${user} is stored as md5, but the pg_hba.conf line asks scram-sha-256`,
        evidence,
        [
          `store it again as SCRAM: sudo -u postgres psql -c "SET password_encryption = 'scram-sha-256'" -c "\\password ${target.user}" (type the app's password)`,
          'and set password_encryption = scram-sha-256 in postgresql.conf, so the next ALTER ROLE … PASSWORD keeps it',
        ],
      );
    }
    if (/Role .* does not exist/.test(detail)) {
      return fail(`role ${user} does not exist`, evidence, [
        `${psql(`CREATE ROLE ${user} LOGIN PASSWORD 'the-password'`)} (use the password in DATABASE_PASSWORD_FILE)`,
      ]);
    }
    if (/has no password assigned/.test(detail)) {
      return fail(`role ${user} has no password`, evidence, [`sudo -u postgres psql -c "\\password ${target.user}" (the password in DATABASE_PASSWORD_FILE)`]);
    }
    if (!target.password) {
      return fail('the server asks for a password and the configuration has none', evidence, [
        'put the password in a file only the service user can read, and set DATABASE_PASSWORD_FILE to it',
      ]);
    }
    // With SCRAM the server cannot tell a wrong password apart in its DETAIL (md5 and password
    // lines log "Password does not match"); a logged refusal with none of the reasons above is one.
    if (/Password does not match/.test(detail) || (refusal && !/does not exist|no password|SCRAM secret|expired/i.test(detail))) {
      return fail(`wrong password for ${user}`, evidence, [
        `make them agree: the password in DATABASE_PASSWORD_FILE (or the URL), or set it on the server: sudo -u postgres psql -c "\\password ${target.user}"`,
      ]);
    }
    return fail(
      `the password was refused for ${user}: a wrong password, a missing role, or a password stored as md5 under a scram-sha-256 line`,
      [...evidence, 'the server log says which; the doctor could not read it'],
      ['run the doctor as root or postgres (sudo), or give --server-log PATH, to let it read the server log'],
    );
  }
  return fail(`PostgreSQL refused the login: ${error.message}`, evidence, ['read the server log for the DETAIL line of this refusal']);
}
