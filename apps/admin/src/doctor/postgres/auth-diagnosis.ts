import type { PostgresTarget } from '@kit-db-test/schema';
import type { CheckOutcome } from '../types.js';
import { fail } from '../types.js';
import { hbaName } from './hba-name.js';
import { lineForRefusal, parseHbaRefusal } from './hba-refusal.js';
import { lineRef, RELOAD, tlsMismatchFix, tlsMismatchSummary, type HbaVerdict } from './hba-verdict.js';
import type { ServerError } from './login.js';
import type { LoggedRefusal } from './server-log.js';
import { psql, q } from './sql-fix.js';

export interface AuthFacts {
  target: PostgresTarget;
  error: ServerError;
  /** the server log's account of the refusal, when the doctor could read it */
  refusal: LoggedRefusal | null;
  /** the refusal was logged during the doctor's own attempt (not an older one) */
  refusalOfAttempt?: boolean;
  /** why there is no log account, e.g. "/var/log/postgresql/… is not readable (EACCES)" */
  logProblem: string | null;
  /** what the operator can run to see the server's lines, when the doctor could not */
  logFix?: string[];
  /** what pg_hba.conf does with this connection, when the doctor could read it */
  hba: HbaVerdict | null;
  hbaProblem: string | null;
  /** how to reload the server's configuration where it runs (default: this machine's) */
  reload?: string;
  /** the server's host, when it runs on another one */
  remoteHost?: string;
}

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

const words = (text: string) => text.trim().replace(/\s+/g, ' ');

/**
 * The server refused by rules other than the file's: it was edited and not reloaded. The log's
 * "Connection matched … line N" quotes the line as the server loaded it; the file may now say
 * something else there, or the file's own verdict lets the connection in where the server did not.
 */
function staleRules(facts: AuthFacts): string[] | null {
  const disk = facts.hba;
  if (!disk || disk.invalid.length > 0) return null;
  const logged = facts.refusalOfAttempt ? facts.refusal?.hbaLine : undefined;
  if (logged) {
    if (disk.matched && disk.matched.line === logged.line && words(disk.matched.text) === words(logged.text)) return null;
    return [
      `the server decided by line ${logged.line} as it loaded it: ${logged.text}`,
      disk.matched ? `the file now gives the connection to ${lineRef(disk.matched)}` : `the file now has no line for the connection`,
    ];
  }
  const accepts = disk.matched !== null && disk.matched.method !== 'reject';
  if (/no pg_hba\.conf entry/.test(facts.error.message) && accepts) return [`the file now gives the connection to ${lineRef(disk.matched!)}, which the server does not have`];
  if (/pg_hba\.conf rejects connection/.test(facts.error.message) && accepts) return [`the file now gives the connection to ${lineRef(disk.matched!)}, not to a reject line`];
  return null;
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
  const logged = refusal
    ? [`server log ${refusal.timestamp}${refusal.pid ? ` [${refusal.pid}]` : ''}: ${refusal.fatal}${detail ? ` DETAIL: ${detail}` : ''}`, ...refusal.hints.map((h) => `server log: HINT: ${h}`)]
    : facts.logProblem
      ? [facts.logProblem]
      : [];
  const evidence = [said, ...hbaEvidence(facts), ...logged];
  const user = q(target.user);

  const stale = staleRules(facts);
  if (stale) {
    return fail(`pg_hba.conf was changed and not reloaded: the server still refuses by its old rules`, [said, ...stale, ...logged], [RELOAD]);
  }
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
    const fix = facts.hba?.shadowed ? moveFix(facts.hba) : [`give the app a password line above it: ${facts.hba?.suggestedLine ?? `local ${hbaName(target.database)} ${hbaName(target.user)} scram-sha-256`}`, facts.hba?.reload ?? facts.reload ?? RELOAD];
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
    if (/has an expired password/.test(detail)) {
      return fail(`the password of ${user} has expired (VALID UNTIL)`, evidence, [
        `${psql(`ALTER ROLE ${user} VALID UNTIL 'infinity'`)} (or a new date: VALID UNTIL '2027-12-31')`,
      ]);
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
    if (/Password does not match/.test(detail) || (refusal && detail === '')) {
      return fail(`wrong password for ${user}`, evidence, [
        `make them agree: the password in DATABASE_PASSWORD_FILE (or the URL), or set it on the server: sudo -u postgres psql -c "\\password ${target.user}"`,
      ]);
    }
    if (refusal) {
      // A reason this doctor has no words for: the server's own is the diagnosis.
      return fail(`the password was refused for ${user}: ${detail}`, evidence, ['act on the server log\'s DETAIL above, then run the doctor again']);
    }
    return fail(
      `the password was refused for ${user}: a wrong password, a missing role, an expired password, or a password stored as md5 under a scram-sha-256 line`,
      [...evidence, 'the server log says which; the doctor could not read it'],
      [...(facts.logFix ?? []).map((c) => `see the server's line: ${c}`), 'or run the doctor as root or postgres (sudo), or give --server-log PATH, to let it read the server log'],
    );
  }
  return fail(`PostgreSQL refused the login: ${error.message}`, evidence, ['read the server log for the DETAIL line of this refusal']);
}
