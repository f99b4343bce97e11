import { dirname, isAbsolute, join } from 'node:path';
import type { PostgresTarget } from '@kit-db-test/schema';
import { HbaReadBudgetError, matchHba, parseHba, ruleMatches, type HbaFile, type HbaRequest, type HbaRule } from '../../hba/index.js';
import type { DoctorContext } from '../context.js';
import { readDirEntries, readUtf8 } from '../system-files.js';
import { reloadCommand, type HbaLineRef, type HbaVerdict } from './hba-verdict.js';
import { hbaName } from './hba-name.js';
import { parseHbaRefusal, type SeenClient } from './hba-refusal.js';
import { locateHba, type HbaLocation } from './locate-hba.js';
import { locateServer } from './locate-server.js';
import { rulesFromServer, type ServerRules } from './server-hba-rules.js';

export interface HbaReading {
  verdict: HbaVerdict | null;
  /** why there is no verdict (not found, not readable, too much to read) */
  problem: string | null;
  /** what to do about it, when not the usual (run as root, give --hba-file) */
  problemFix?: string[];
  /** the server runs on another host and none of its files or rules could be read */
  remote?: boolean;
  location: HbaLocation | null;
  parsed: HbaFile | null;
  request: HbaRequest | null;
}

const cache = new WeakMap<DoctorContext, Promise<HbaReading>>();

/**
 * The connection the app makes, as pg_hba.conf sees it: the address and TLS state the server said
 * it saw, when it refused the login (NAT and proxies change both); else this side's.
 */
export function appRequest(target: PostgresTarget, clientAddress: string | undefined, seen?: SeenClient | null): HbaRequest {
  if (target.socket) return { type: 'local', database: target.database, user: target.user };
  return {
    type: 'host',
    ssl: seen ? seen.ssl : target.sslmode !== 'disable',
    database: target.database,
    user: target.user,
    address: (seen?.address ?? clientAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
  };
}

function describeRequest(request: HbaRequest): string {
  const base = `connection to database "${request.database}" as "${request.user}"`;
  return request.type === 'local' ? `local (unix socket) ${base}` : `TCP ${base} from ${request.address}${request.ssl ? ' over SSL' : ''}`;
}

/** The line to add for the app's connection, names quoted where pg_hba.conf needs it. */
export function suggestedLine(request: HbaRequest): string {
  const [database, user] = [hbaName(request.database), hbaName(request.user)];
  if (request.type === 'local') return `local   ${database}   ${user}   scram-sha-256`;
  const mask = request.address?.includes(':') ? '/128' : '/32';
  return `${request.ssl ? 'hostssl' : 'host'}   ${database}   ${user}   ${request.address}${mask}   scram-sha-256`;
}

/** A line that names the app's database or user (not a keyword): a line its operator wrote for it. */
function namesApp(rule: HbaRule, request: HbaRequest): boolean {
  const named = (tokens: HbaRule['databases'], name: string) => tokens.some((t) => !t.regex && t.text === name && (t.quoted || !/^(all|sameuser|samerole|samegroup|replication)$/.test(t.text)));
  return named(rule.databases, request.database) || named(rule.users, request.user);
}

function ref(rule: HbaRule): HbaLineRef {
  return { file: rule.file, line: rule.line, text: rule.raw, method: rule.method };
}

/** Why the doctor reads no pg_hba.conf of a server on another host, and where the operator finds it. */
function remoteProblem(host: string, why: string, serverPath: string | null): Pick<HbaReading, 'problem' | 'problemFix' | 'remote'> {
  const where = serverPath ? `its pg_hba.conf is ${serverPath} on ${host}` : `its pg_hba.conf is on ${host}`;
  return {
    remote: true,
    problem: `${why}; ${where}, not a file of this machine (a local /etc/postgresql belongs to another cluster)`,
    problemFix: [
      `on ${host}, find the file with SHOW hba_file as a superuser (psql -h ${host} -U postgres -c 'SHOW hba_file'), copy it here and give --hba-file COPY (and --server-log COPY for the server log)`,
      'or run the doctor with a role that may read pg_hba_file_rules (a superuser) to let it read the rules from the server',
    ],
  };
}

async function read(context: DoctorContext): Promise<HbaReading> {
  const none = { verdict: null, location: null, parsed: null, request: null };
  const place = await locateServer(context);
  const given = context.options.hbaFile !== undefined;
  let located: HbaLocation | { problem: string };
  let remoteText: string | null = null;
  if (!place.local && !given) {
    // Never this machine's files for a server on another host: the server's own view, or nothing.
    const fromServer: ServerRules = context.session ? await rulesFromServer(context.session) : { path: null };
    if (fromServer.text === undefined) return { ...none, ...remoteProblem(place.host, place.why, fromServer.path) };
    located = { path: fromServer.path, how: `pg_hba_file_rules on ${place.host}`, major: fromServer.major };
    remoteText = fromServer.text;
  } else {
    located = await locateHba({ files: context.files, hbaFile: context.options.hbaFile, session: context.session });
  }
  if ('problem' in located) return { ...none, problem: located.problem };
  // --hba-file names a file on this machine; a found path is the server's, read under --root.
  const onDisk = (path: string) => (given ? path : context.files.local(path));
  const content = remoteText !== null ? { text: remoteText } : readUtf8(onDisk(located.path));
  if ('error' in content) {
    const hint = content.error === 'EACCES' ? ': run the doctor as root or postgres (sudo) to let it read it' : '';
    return { ...none, location: located, problem: `${located.path} (found by ${located.how}) is not readable (${content.error})${hint}` };
  }
  let parsed: HbaFile;
  try {
    parsed = parseHba(content.text, {
      file: located.path,
      // Without a session or a versioned path, read it as a current server would.
      serverMajor: located.major ?? 16,
      readFile: (path) => {
        const result = readUtf8(onDisk(isAbsolute(path) ? path : join(dirname(located.path), path)));
        if ('error' in result) throw Object.assign(new Error(result.error), { code: result.error });
        return result.text;
      },
      readDir: (path) => readDirEntries(onDisk(isAbsolute(path) ? path : join(dirname(located.path), path))),
    });
  } catch (error) {
    if (error instanceof HbaReadBudgetError) {
      return { ...none, location: located, problem: `${located.path} (found by ${located.how}): ${error.message}`, problemFix: [`fix the include lines of ${located.path}, then run pnpm admin hba check ${located.path}`] };
    }
    throw error;
  }
  const target = context.config.target as PostgresTarget;
  const refused = context.login && !context.login.ok && 'serverError' in context.login ? parseHbaRefusal(context.login.serverError.message) : null;
  const request = appRequest(target, context.clientAddress, refused);
  const match = matchHba(parsed, request);
  let tlsMismatch: HbaVerdict['tlsMismatch'] = null;
  if (!match.rule && request.type === 'host') {
    const flipped = matchHba(parsed, { ...request, ssl: !request.ssl }).rule;
    if (flipped && (flipped.type === 'hostssl' || flipped.type === 'hostnossl')) tlsMismatch = { line: ref(flipped), clientSsl: request.ssl ?? false };
  }
  let shadowed: HbaLineRef | null = null;
  if (match.rule && !namesApp(match.rule, request)) {
    // A later line for the app that matches on its own is hidden by the one that matched first.
    const after = parsed.rules.slice(parsed.rules.indexOf(match.rule) + 1);
    const hidden = after.find((r) => namesApp(r, request) && ruleMatches(r, request).ok);
    if (hidden) shadowed = ref(hidden);
  }
  return {
    verdict: {
      file: located.path,
      request: describeRequest(request),
      matched: match.rule ? ref(match.rule) : null,
      shadowed,
      firstRuleLine: parsed.rules.find((r) => r.file === located.path)?.line ?? null,
      suggestedLine: suggestedLine(request),
      reload: reloadCommand(place),
      tlsMismatch,
      invalid: parsed.invalid.map((i) => ({ line: i.line, message: i.message })),
      undecided: match.skipped.filter((s) => s.reason === 'too-costly').map((s) => ({ line: s.rule.line, detail: s.detail })),
    },
    problem: null,
    location: located,
    parsed,
    request,
  };
}

/** pg_hba.conf, read once per doctor run and shared by the checks that need it. */
export function readHbaVerdict(context: DoctorContext): Promise<HbaReading> {
  let reading = cache.get(context);
  if (!reading) {
    reading = read(context);
    cache.set(context, reading);
  }
  return reading;
}
