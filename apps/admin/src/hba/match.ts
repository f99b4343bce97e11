import { inRange, parseClientAddress, type IpValue } from './address.js';
import { TOO_COSTLY } from './name-regex.js';
import type { HbaFile, HbaLineRef, HbaMatch, HbaNameToken, HbaRequest, HbaRule, HbaSkip, HbaSkipReason } from './types.js';

type Verdict = { ok: true } | { ok: false; reason: HbaSkipReason; detail: string };

const OK: Verdict = { ok: true };

function no(reason: HbaSkipReason, detail: string): Verdict {
  return { ok: false, reason, detail };
}

/** The server looks the client's host name up once per connection and remembers a failed check. */
interface HostNameState {
  /** +1 confirmed by forward lookup, -1 failed: every later host-name line fails too */
  resolved: 0 | 1 | -1;
}

function isMember(request: HbaRequest, role: string): boolean {
  if (request.userExists === false) return false;
  return role === request.user || (request.roles ?? []).includes(role);
}

function kw(token: HbaNameToken, keyword: string): boolean {
  return !token.quoted && token.text === keyword;
}

function list(tokens: HbaNameToken[]): string {
  return tokens.map((t) => (t.quoted ? `"${t.text}"` : t.text)).join(',');
}

/** A name test: matched, not matched, or the regex token whose evaluation was stopped. */
type NameVerdict = boolean | HbaNameToken;

/** The server tries the tokens in order and takes the first that matches: a stopped regex leaves it open only if none does. */
function firstMatch(tokens: HbaNameToken[], test: (t: HbaNameToken) => boolean | null): NameVerdict {
  let stopped: HbaNameToken | undefined;
  for (const t of tokens) {
    const hit = test(t);
    if (hit === true) return true;
    if (hit === null) stopped ??= t;
  }
  return stopped ?? false;
}

/** check_db() */
function databaseVerdict(tokens: HbaNameToken[], request: HbaRequest): NameVerdict {
  return firstMatch(tokens, (t) => {
    if (request.replication) return kw(t, 'replication');
    if (kw(t, 'all')) return true;
    if (kw(t, 'sameuser')) return request.database === request.user;
    if (kw(t, 'samegroup') || kw(t, 'samerole')) return isMember(request, request.database);
    if (kw(t, 'replication')) return false;
    if (t.regex) return t.regex.test(request.database);
    return t.text === request.database;
  });
}

/** check_role() */
function userVerdict(tokens: HbaNameToken[], request: HbaRequest): NameVerdict {
  return firstMatch(tokens, (t) => {
    if (!t.quoted && t.text.startsWith('+')) return isMember(request, t.text.slice(1));
    if (kw(t, 'all')) return true;
    if (t.regex) return t.regex.test(request.user);
    return t.text === request.user;
  });
}

function stoppedDetail(what: string, name: string, token: HbaNameToken): string {
  return `${what} "${name}" ${TOO_COSTLY} (/${token.regex?.source} backtracks: stopped after its time limit; the server answers it, so this line may match)`;
}

function hostnameMatches(pattern: string, actual: string): boolean {
  const p = pattern.toLowerCase();
  const a = actual.toLowerCase();
  return p.startsWith('.') ? a.length >= p.length && a.endsWith(p) : p === a;
}

function sameAddress(a: IpValue, b: IpValue | undefined): boolean {
  return b !== undefined && a.family === b.family && a.bits === b.bits;
}

function checkHostname(name: string, client: IpValue, request: HbaRequest, state: HostNameState): Verdict {
  if (state.resolved < 0) return no('address', `the client's host name did not resolve back to ${request.address}`);
  if (request.clientHostName === undefined) return no('unknown', `host name line: the client's host name is unknown (give clientHostName)`);
  if (request.clientHostName === null) return no('address', `${request.address} has no host name (reverse DNS)`);
  if (!hostnameMatches(name, request.clientHostName)) return no('address', `client host name ${request.clientHostName} is not ${name}`);
  if (state.resolved === 1) return OK;
  let addresses: string[] = [];
  try {
    addresses = request.resolveHost?.(request.clientHostName) ?? [];
  } catch {
    addresses = [];
  }
  const found = addresses.some((a) => sameAddress(client, parseClientAddress(a)));
  state.resolved = found ? 1 : -1;
  return found ? OK : no('address', `${request.clientHostName} does not resolve back to ${request.address}`);
}

function checkAddress(rule: HbaRule, request: HbaRequest, state: HostNameState): Verdict {
  const a = rule.address;
  if (!a || a.kind === 'all') return OK;
  const client = request.address === undefined ? undefined : parseClientAddress(request.address);
  if (!client) return no('unknown', 'no client address given');
  switch (a.kind) {
    case 'ip':
      return inRange(client, a.family, a.bits, a.maskBits) ? OK : no('address', `${request.address} is not in ${a.address}/${a.netmask}`);
    case 'hostname':
      return checkHostname(a.name, client, request, state);
    case 'samehost':
    case 'samenet': {
      const hit = (request.localAddresses ?? []).some((l) => {
        const addr = parseClientAddress(l.address);
        const mask = parseClientAddress(l.netmask);
        if (!addr || !mask || addr.family !== client.family) return false;
        return inRange(client, addr.family, addr.bits, a.kind === 'samehost' ? (addr.family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n) : mask.bits);
      });
      return hit ? OK : no('address', `${request.address} is not ${a.kind === 'samehost' ? "one of the server's addresses" : "in the server's subnets"}`);
    }
  }
}

function checkRule(rule: HbaRule, request: HbaRequest, state: HostNameState): Verdict {
  if (rule.type === 'local') {
    if (request.type !== 'local') return no('type', 'a local line does not match a TCP/IP connection');
  } else {
    if (request.type === 'local') return no('type', `a ${rule.type} line does not match a unix-socket connection`);
    if (request.ssl && rule.type === 'hostnossl') return no('ssl', 'hostnossl does not match an SSL connection');
    if (!request.ssl && rule.type === 'hostssl') return no('ssl', 'hostssl only matches SSL connections');
    if (request.gssenc && rule.type === 'hostnogssenc') return no('gssenc', 'hostnogssenc does not match a GSSAPI-encrypted connection');
    if (!request.gssenc && rule.type === 'hostgssenc') return no('gssenc', 'hostgssenc only matches GSSAPI-encrypted connections');
    const address = checkAddress(rule, request, state);
    if (!address.ok) return address;
  }
  const database = databaseVerdict(rule.databases, request);
  if (database !== true) {
    if (database !== false) return no('too-costly', stoppedDetail('database', request.database, database));
    const what = request.replication ? 'a replication connection' : `database "${request.database}"`;
    return no('database', `${what} is not in ${list(rule.databases)}`);
  }
  const user = userVerdict(rule.users, request);
  if (user === false) return no('user', `user "${request.user}" is not in ${list(rule.users)}`);
  if (user !== true) return no('too-costly', stoppedDetail('user', request.user, user));
  return OK;
}

function sameRef(rule: HbaRule, ref: HbaLineRef, mainFile: string): boolean {
  return rule.line === ref.line && rule.file === (ref.file ?? mainFile);
}

function run(hba: HbaFile, request: HbaRequest, skip: HbaLineRef[]): HbaMatch {
  const state: HostNameState = { resolved: 0 };
  const skipped: HbaSkip[] = [];
  for (const rule of hba.rules) {
    if (skip.some((ref) => sameRef(rule, ref, hba.file))) continue;
    const verdict = checkRule(rule, request, state);
    if (verdict.ok) return { rule, skipped, loads: hba.loads };
    skipped.push({ rule, reason: verdict.reason, detail: verdict.detail });
  }
  return { rule: null, skipped, loads: hba.loads };
}

/**
 * check_hba(): the first line that matches the request, as the server picks it, with the lines
 * skipped on the way and why. Lines the server refuses are not candidates; `loads` says whether
 * the server would load the file at all (if not, it goes on using its previous rules).
 */
export function matchHba(hba: HbaFile, request: HbaRequest): HbaMatch {
  return run(hba, request, []);
}

/** The line that would match if the given lines were not in the file. */
export function matchWithout(hba: HbaFile, request: HbaRequest, without: HbaLineRef | HbaLineRef[]): HbaMatch {
  return run(hba, request, Array.isArray(without) ? without : [without]);
}

/** Whether one rule, on its own, matches the request (and why not). */
export function ruleMatches(rule: HbaRule, request: HbaRequest): { ok: true } | { ok: false; reason: HbaSkipReason; detail: string } {
  return checkRule(rule, request, { resolved: 0 });
}

export interface ShadowReport {
  /** The line meant for the request; undefined when no rule sits on that line. */
  target: HbaRule | undefined;
  /** Whether the target line matches the request on its own; if not, why. */
  targetMatches: boolean;
  targetMismatch?: { reason: HbaSkipReason; detail: string };
  /** The line the server picks (null: none). */
  takenBy: HbaRule | null;
  /** An earlier line takes the request the target would have matched: move the target above it. */
  shadowed: boolean;
  /** One line for the operator. */
  message: string;
}

function show(rule: HbaRule): string {
  return `line ${rule.line} \`${rule.raw.trim().replace(/\s+/g, ' ')}\``;
}

/** For a line meant for a request: does an earlier line take the request first? */
export function explainShadow(hba: HbaFile, request: HbaRequest, target: HbaLineRef): ShadowReport {
  const rule = hba.rules.find((r) => sameRef(r, target, hba.file));
  const taken = matchHba(hba, request).rule;
  if (!rule) {
    const invalid = hba.invalid.find((e) => e.line === target.line && e.file === (target.file ?? hba.file));
    return {
      target: undefined,
      targetMatches: false,
      takenBy: taken,
      shadowed: false,
      message: invalid ? `line ${target.line} is invalid (${invalid.message}): fix it; the server does not load it` : `no rule on line ${target.line}`,
    };
  }
  const own = ruleMatches(rule, request);
  if (!own.ok) {
    return {
      target: rule,
      targetMatches: false,
      targetMismatch: { reason: own.reason, detail: own.detail },
      takenBy: taken,
      shadowed: false,
      message: `${show(rule)} does not match this connection: ${own.detail}`,
    };
  }
  const shadowed = taken !== null && taken !== rule;
  return {
    target: rule,
    targetMatches: true,
    takenBy: taken,
    shadowed,
    message: shadowed
      ? `${show(taken)} shadows ${show(rule)}: move line ${rule.line} above line ${taken.line}`
      : `${show(rule)} is the line the server uses`,
  };
}
