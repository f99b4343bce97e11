import { lookup, lookupService } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { CliError, UsageError } from '../../cli/cli-error.js';
import type { Output } from '../../cli/output.js';
import {
  CONNECTION_TYPES,
  matchHba,
  ruleMatches,
  TOO_COSTLY,
  type ConnectionType,
  type HbaFile,
  type HbaNameToken,
  type HbaRequest,
  type HbaRule,
  type HbaSkip,
} from '../../hba/index.js';
import { lineText, maskSecrets, showRule, where, header } from './format.js';
import { loadHba, type HbaFileOptions } from './load.js';

export interface HbaExplainOptions extends HbaFileOptions {
  type?: string;
  database?: string;
  user?: string;
  address?: string;
  ssl?: boolean;
  json?: boolean;
}

/** The client address of a TCP connection when --address is not given. */
export const DEFAULT_ADDRESS = '127.0.0.1';

const RELOAD = 'then reload (sudo systemctl reload postgresql, or as a superuser: SELECT pg_reload_conf())';

/** What `--json` prints: exactly these keys. */
export interface HbaExplanation {
  match: { line: number; type: string; method: string; text: string } | null;
  verdict: string;
  shadowed: { line: number; text: string; method: string }[];
  file: string;
}

/** The connection --type/--database/--user/--address/--ssl describe, as the engine takes it. */
export function requestFrom(options: HbaExplainOptions): HbaRequest {
  const type = options.type;
  if (type === undefined) throw new UsageError(`--type is missing: give one of ${CONNECTION_TYPES.join(', ')}`);
  if (!(CONNECTION_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type ${type}: unknown connection type; give one of ${CONNECTION_TYPES.join(', ')}`);
  const database = options.database;
  const user = options.user;
  if (database === undefined || database === '') throw new UsageError('--database is missing: give the database the client asks for, e.g. --database kdt');
  if (user === undefined || user === '') throw new UsageError('--user is missing: give the role the client logs in as, e.g. --user kdt');
  const connection = type as ConnectionType;
  if (connection === 'local') {
    if (options.ssl) throw new UsageError('--ssl: a local (unix-socket) connection never uses SSL; drop --ssl, or give --type host');
    if (options.address !== undefined) throw new UsageError('--address: a local (unix-socket) connection has no address; drop --address, or give --type host');
    return { type: 'local', database, user };
  }
  if (connection === 'hostnossl' && options.ssl) throw new UsageError('--ssl contradicts --type hostnossl (a connection without SSL); drop one of them');
  if (connection === 'hostgssenc' && options.ssl) throw new UsageError('--ssl contradicts --type hostgssenc (a GSSAPI-encrypted connection does not use SSL); drop one of them');
  const address = options.address ?? DEFAULT_ADDRESS;
  if (isIP(address) === 0) throw new UsageError(`--address ${address}: not an IP address; give the client's address as the server sees it, e.g. 127.0.0.1 or ::1`);
  return {
    type: 'host',
    ssl: connection === 'hostssl' || (connection !== 'hostnossl' && connection !== 'hostgssenc' && Boolean(options.ssl)),
    gssenc: connection === 'hostgssenc',
    database,
    user,
    address,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([promise.catch(() => fallback), new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);
}

/**
 * What the server would learn about the client besides the request: its host name (reverse DNS,
 * confirmed forward) when a line names a host, and this machine's interfaces for samehost/samenet.
 */
async function clientContext(hba: HbaFile, request: HbaRequest): Promise<Partial<HbaRequest>> {
  if (request.type !== 'host' || request.address === undefined) return {};
  const extra: Partial<HbaRequest> = {
    localAddresses: Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined)
      .map((i) => ({ address: i.address, netmask: i.netmask })),
  };
  if (!hba.rules.some((r) => r.address?.kind === 'hostname')) return extra;
  const name = await withTimeout(lookupService(request.address, 0).then((r) => (isIP(r.hostname) ? null : r.hostname)), 3000, null);
  const forward = name === null ? [] : await withTimeout(lookup(name, { all: true }).then((rs) => rs.map((r) => r.address)), 3000, [] as string[]);
  return { ...extra, clientHostName: name, resolveHost: (n) => (n === name ? forward : []) };
}

/** `host "[local]", user "kdt", database "kdt", no encryption`, as the server's FATAL message has it. */
function serverWords(request: HbaRequest): string {
  const host = request.type === 'local' ? '[local]' : request.address;
  const encryption = request.gssenc ? 'GSS encryption' : request.ssl ? 'SSL encryption' : 'no encryption';
  return `host "${host}", user "${request.user}", database "${request.database}", ${encryption}`;
}

function describeRequest(request: HbaRequest): string {
  const who = `to database "${request.database}" as user "${request.user}"`;
  if (request.type === 'local') return `local (unix socket) ${who}`;
  const over = request.gssenc ? ' over GSSAPI encryption' : request.ssl ? ' over SSL' : ' without SSL';
  return `TCP from ${request.address} ${who}${over}`;
}

function methodWords(method: string): string {
  switch (method) {
    case 'trust':
      return 'trust authentication (no password asked)';
    default:
      return `${method} authentication`;
  }
}

/** A line written for this connection: it names the database or the user (or a role), not a catch-all keyword. */
function namesConnection(rule: HbaRule, request: HbaRequest): boolean {
  const keywords = ['all', 'sameuser', 'samerole', 'samegroup', 'replication'];
  const named = (tokens: HbaNameToken[], name: string) => tokens.some((t) => (t.regex ? t.regex.test(name) === true : (t.quoted || !keywords.includes(t.text)) && t.text === name));
  const role = rule.users.some((t) => !t.quoted && t.text.startsWith('+'));
  return named(rule.databases, request.database) || named(rule.users, request.user) || role;
}

/**
 * Later lines that would match this connection too but never get it: the matching line comes
 * first (each is tested on its own once, so a long file stays linear).
 */
function shadowedBy(hba: HbaFile, request: HbaRequest, taken: HbaRule): HbaRule[] {
  const after = hba.rules.slice(hba.rules.indexOf(taken) + 1);
  return after.filter((rule) => namesConnection(rule, request) && ruleMatches(rule, request).ok);
}

/** A skipped line's reason, with the assumption behind a role test. */
function skipText(skip: HbaSkip, request: HbaRequest): string {
  const roleTest = [...skip.rule.users, ...skip.rule.databases].some((t) => !t.quoted && (t.text.startsWith('+') || t.text === 'samerole' || t.text === 'samegroup'));
  const assumption = roleTest && (skip.reason === 'user' || skip.reason === 'database') ? ` (assuming "${request.user}" is a member of no other role: memberships are not known offline)` : '';
  return `${skip.detail}${assumption}`;
}

/**
 * `pnpm admin hba explain [FILE] --type T --database D --user U`: simulates one connection against
 * pg_hba.conf and says which line decides, why the lines above it did not, and which later lines
 * meant for it are hidden. Exit 0 when a line lets the connection on to authentication, 1 when the
 * server refuses it (a reject line, or no line).
 */
export async function hbaExplainCommand(fileArg: string | undefined, options: HbaExplainOptions, io: Output): Promise<void> {
  const base = requestFrom(options);
  const { file, how, serverMajor, majorFrom, parsed, notes } = await loadHba(fileArg, options);
  const request: HbaRequest = { ...base, ...(await clientContext(parsed, base)) };
  const { bold, red, yellow, green, cyan } = io.colors;
  for (const note of notes) io.err(`${yellow('!')} ${note}`);
  if (!parsed.loads) {
    io.err(`${yellow('!')} the server would not load this file: ${maskSecrets(parsed.loadError ?? 'it has invalid lines')}; see pnpm admin hba check`);
  }

  const match = matchHba(parsed, request);
  const rule = match.rule;
  const shadowed = rule ? shadowedBy(parsed, request, rule) : [];
  let verdict: string;
  if (!rule) verdict = `no pg_hba.conf entry: the server refuses with "no pg_hba.conf entry for ${serverWords(request)}"`;
  else if (rule.method === 'reject') verdict = `${showRule(rule, file)} decides: reject, the server refuses with "pg_hba.conf rejects connection for ${serverWords(request)}"`;
  else verdict = `${showRule(rule, file)} decides: ${methodWords(rule.method)}`;
  const stopped = match.skipped.filter((s) => s.reason === 'too-costly');
  if (stopped.length > 0) {
    // Said in the verdict itself, so that --json carries it too.
    const lines = stopped.map((s) => where(s.rule, file)).join(', ');
    const was = stopped.length === 1 ? 'was' : 'were';
    verdict += rule ? `; not certain: ${lines} above it ${was} ${TOO_COSTLY}, and decides instead if it matches` : `; not certain: ${lines} ${was} ${TOO_COSTLY}, and may match`;
  }
  const allowed = rule !== null && rule.method !== 'reject';

  if (options.json) {
    const explanation: HbaExplanation = {
      match: rule ? { line: rule.line, type: rule.type, method: rule.method, text: lineText(rule.raw) } : null,
      verdict,
      shadowed: shadowed.map((r) => ({ line: r.line, text: lineText(r.raw), method: r.method })),
      file,
    };
    io.out(JSON.stringify(explanation, null, 2));
  } else {
    io.out(header(file, how, serverMajor, majorFrom, io.colors));
    io.out(`${bold('connection')}  ${describeRequest(request)}`);
    io.out();
    io.out(stopped.length > 0 ? `${yellow('!')} ${verdict}` : allowed ? `${green('✓')} ${verdict}` : `${red('✗')} ${verdict}`);
    if (match.skipped.length > 0) {
      io.out();
      io.out(bold(rule ? 'lines above it that do not match' : 'lines that do not match'));
      for (const skip of match.skipped) io.out(`  ${showRule(skip.rule, file)}: ${skipText(skip, request)}`);
    }
    if (shadowed.length > 0 && rule) {
      io.out();
      io.out(bold('lines written for this connection that it hides'));
      for (const hidden of shadowed) {
        io.out(`  ${yellow('!')} ${showRule(hidden, file)} would match too, but ${where(rule, file)} comes first`);
        io.out(`    ${cyan('fix:')} move ${where(hidden, file)} above ${where(rule, file)}, ${RELOAD}`);
      }
    }
    if (!rule) {
      io.out();
      io.out(`${cyan('fix:')} add a line for it, e.g. \`${suggestedLine(request)}\`, ${RELOAD}`);
    } else if (!allowed && shadowed.length === 0) {
      io.out();
      io.out(`${cyan('fix:')} if this connection should get in, add \`${suggestedLine(request)}\` above ${where(rule, file)}, ${RELOAD}`);
    }
  }
  if (!allowed) throw new CliError('', 1);
}

/** A line that lets this connection in with a password. */
function suggestedLine(request: HbaRequest): string {
  if (request.type === 'local') return `local ${request.database} ${request.user} scram-sha-256`;
  const mask = request.address?.includes(':') ? '/128' : '/32';
  const type = request.gssenc ? 'hostgssenc' : request.ssl ? 'hostssl' : 'host';
  return `${type} ${request.database} ${request.user} ${request.address}${mask} scram-sha-256`;
}
