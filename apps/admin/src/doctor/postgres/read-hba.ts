import { dirname, isAbsolute, join } from 'node:path';
import type { PostgresTarget } from '@kit-db-test/schema';
import { HbaReadBudgetError, matchHba, parseHba, ruleMatches, type HbaFile, type HbaRequest, type HbaRule } from '../../hba/index.js';
import type { DoctorContext } from '../context.js';
import { readDirEntries, readUtf8 } from '../system-files.js';
import type { HbaLineRef, HbaVerdict } from './hba-verdict.js';
import { hbaName } from './hba-name.js';
import { locateHba, type HbaLocation } from './locate-hba.js';

export interface HbaReading {
  verdict: HbaVerdict | null;
  /** why there is no verdict (not found, not readable, too much to read) */
  problem: string | null;
  /** what to do about it, when not the usual (run as root, give --hba-file) */
  problemFix?: string[];
  location: HbaLocation | null;
  parsed: HbaFile | null;
  request: HbaRequest | null;
}

const cache = new WeakMap<DoctorContext, Promise<HbaReading>>();

/** The connection the app makes, as pg_hba.conf sees it. */
export function appRequest(target: PostgresTarget, clientAddress: string | undefined): HbaRequest {
  if (target.socket) return { type: 'local', database: target.database, user: target.user };
  return {
    type: 'host',
    ssl: target.sslmode !== 'disable',
    database: target.database,
    user: target.user,
    address: (clientAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
  };
}

function describeRequest(request: HbaRequest): string {
  const base = `connection to database "${request.database}" as "${request.user}"`;
  return request.type === 'local' ? `local (unix socket) ${base}` : `TCP ${base} from ${request.address}${request.ssl ? ' over SSL' : ''}`;
}

function suggestedLine(request: HbaRequest): string {
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

async function read(context: DoctorContext): Promise<HbaReading> {
  const none = { verdict: null, location: null, parsed: null, request: null };
  const located = await locateHba({ files: context.files, hbaFile: context.options.hbaFile, session: context.session });
  if ('problem' in located) return { ...none, problem: located.problem };
  // --hba-file names a file on this machine; a found path is the server's, read under --root.
  const onDisk = (path: string) => (context.options.hbaFile !== undefined ? path : context.files.local(path));
  const content = readUtf8(onDisk(located.path));
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
  const request = appRequest(target, context.clientAddress);
  const match = matchHba(parsed, request);
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
