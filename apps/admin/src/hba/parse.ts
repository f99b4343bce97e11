import { allOnes, cidrMask, formatIp, parseNumericHost } from './address.js';
import { checkMethodOptions, checkOption, type OptionError } from './options.js';
import { readContext, readText, type SourceLine } from './read-lines.js';
import { compileNameRegex, RegexBudget } from './name-regex.js';
import {
  CONNECTION_TYPES,
  type AuthMethod,
  type ConnectionType,
  type HbaAddress,
  type HbaEntry,
  type HbaFile,
  type HbaInvalidLine,
  type HbaNameToken,
  type HbaOption,
  type HbaRule,
  type HbaServerSettings,
  type HbaToken,
  type ParseHbaOptions,
} from './types.js';

/** Methods the server knows, and the build feature each needs (none: always built in). */
const METHOD_FEATURE: Record<AuthMethod, 'gssapi' | 'sspi' | 'pam' | 'bsdAuth' | 'ldap' | 'ssl' | null> = {
  trust: null,
  ident: null,
  peer: null,
  password: null,
  gss: 'gssapi',
  sspi: 'sspi',
  reject: null,
  md5: null,
  'scram-sha-256': null,
  pam: 'pam',
  bsd: 'bsdAuth',
  ldap: 'ldap',
  cert: 'ssl',
  radius: null,
  oauth: null,
};

const DEFAULT_BUILD = { gssapi: true, ldap: true, pam: true, bsdAuth: false, sspi: false };

function hasFeature(settings: HbaServerSettings, feature: Exclude<(typeof METHOD_FEATURE)[AuthMethod], null>): boolean {
  if (feature === 'ssl') return settings.ssl !== 'unsupported';
  return settings.build?.[feature] ?? DEFAULT_BUILD[feature];
}

function isKeyword(token: HbaToken, keyword: string): boolean {
  return !token.quoted && token.text === keyword;
}

type LineResult = { rule: Omit<HbaRule, 'ruleNumber'> } | { error: OptionError };

class LineError extends Error {
  readonly view: string | null;
  constructor(message: string, view: string | null = message) {
    super(message);
    this.view = view;
  }
}

function nameTokens(tokens: HbaToken[], serverMajor: number, budget: RegexBudget): HbaNameToken[] {
  return tokens.map((t) => {
    if (serverMajor < 16 || !t.text.startsWith('/')) return { ...t };
    const compiled = compileNameRegex(t.text.slice(1), budget);
    if ('error' in compiled) throw new LineError(`invalid regular expression "${t.text.slice(1)}": ${compiled.error}`);
    return { ...t, regex: compiled.regex };
  });
}

/** The address field of a host line; may consume the next field as a netmask. */
function parseAddress(fields: HbaToken[][], at: number): { address: HbaAddress; next: number } {
  const tokens = fields[at];
  if (!tokens) throw new LineError('end-of-line before IP address specification');
  if (tokens.length > 1) throw new LineError('multiple values specified for host address');
  const token = tokens[0]!;
  if (isKeyword(token, 'all')) return { address: { kind: 'all' }, next: at + 1 };
  if (isKeyword(token, 'samehost')) return { address: { kind: 'samehost' }, next: at + 1 };
  if (isKeyword(token, 'samenet')) return { address: { kind: 'samenet' }, next: at + 1 };

  const slash = token.text.indexOf('/');
  const host = slash >= 0 ? token.text.slice(0, slash) : token.text;
  const ip = parseNumericHost(host);
  if (!ip) {
    if (slash >= 0) throw new LineError(`specifying both host name and CIDR mask is invalid: "${token.text}"`);
    return { address: { kind: 'hostname', name: host }, next: at + 1 };
  }
  let mask: bigint;
  let next = at + 1;
  if (slash >= 0) {
    const m = cidrMask(token.text.slice(slash + 1), ip.family);
    if (m === undefined) throw new LineError(`invalid CIDR mask in address "${token.text}"`);
    mask = m;
  } else {
    const maskTokens = fields[at + 1];
    if (!maskTokens) throw new LineError('end-of-line before netmask specification');
    if (maskTokens.length > 1) throw new LineError('multiple values specified for netmask');
    const maskText = maskTokens[0]!.text;
    const parsed = parseNumericHost(maskText);
    if (!parsed) throw new LineError(`invalid IP mask "${maskText}": Name or service not known`);
    if (parsed.family !== ip.family) throw new LineError('IP address and mask do not match');
    mask = parsed.bits;
    next = at + 2;
  }
  return {
    address: {
      kind: 'ip',
      family: ip.family,
      address: formatIp(ip),
      netmask: formatIp({ family: ip.family, bits: mask }),
      bits: ip.bits & allOnes(ip.family),
      maskBits: mask,
    },
    next,
  };
}

/** parse_hba_line(): one record to a rule, or the error the server reports for it. */
function parseLine(src: SourceLine, options: ParseHbaOptions, budget: RegexBudget): LineResult {
  const { fields } = src;
  const major = options.serverMajor;
  // Set when the server flags the line but goes on parsing it (hostssl without SSL).
  let viewError: string | undefined;
  try {
    const typeTokens = fields[0]!;
    if (typeTokens.length > 1) throw new LineError('multiple values specified for connection type');
    const typeText = typeTokens[0]!.text;
    if (!(CONNECTION_TYPES as readonly string[]).includes(typeText)) throw new LineError(`invalid connection type "${typeText}"`);
    const type = typeText as ConnectionType;
    if (type === 'hostssl' && options.ssl === 'unsupported') viewError = 'hostssl record cannot match because SSL is not supported by this build';
    else if (type === 'hostssl' && options.ssl === 'off') viewError = 'hostssl record cannot match because SSL is disabled';
    if (type === 'hostgssenc' && !hasFeature(options, 'gssapi')) {
      viewError = 'hostgssenc record cannot match because GSSAPI is not supported by this build';
    }

    if (!fields[1]) throw new LineError('end-of-line before database specification');
    const databases = nameTokens(fields[1], major, budget);
    if (!fields[2]) throw new LineError('end-of-line before role specification');
    const users = nameTokens(fields[2], major, budget);

    let at = 3;
    let address: HbaAddress | null = null;
    if (type !== 'local') {
      const parsed = parseAddress(fields, at);
      address = parsed.address;
      at = parsed.next;
    }

    const methodTokens = fields[at];
    if (!methodTokens) throw new LineError('end-of-line before authentication method');
    if (methodTokens.length > 1) throw new LineError('multiple values specified for authentication type');
    const methodText = methodTokens[0]!.text;
    const known = Object.hasOwn(METHOD_FEATURE, methodText) && (methodText !== 'oauth' || major >= 18);
    if (!known) throw new LineError(`invalid authentication method "${methodText}"`);
    let method = methodText as AuthMethod;
    const feature = METHOD_FEATURE[method];
    if (feature && !hasFeature(options, feature)) throw new LineError(`invalid authentication method "${methodText}": not supported by this build`);
    // The server reads `ident` on a local line as `peer`.
    if (type === 'local' && method === 'ident') method = 'peer';
    if (type === 'local' && method === 'gss') throw new LineError('gssapi authentication is not supported on local sockets');
    if (type !== 'local' && method === 'peer') throw new LineError('peer authentication is only supported on local sockets');
    if (type !== 'hostssl' && method === 'cert') throw new LineError('cert authentication is only supported on hostssl connections');

    const ctx = { serverMajor: major, type, method, resolveHost: options.resolveHost };
    const opts: HbaOption[] = [];
    for (const field of fields.slice(at + 1)) {
      for (const token of field) {
        const eq = token.text.indexOf('=');
        if (eq < 0) throw new LineError(`authentication option not in name=value format: ${token.text}`);
        const option = { name: token.text.slice(0, eq), value: token.text.slice(eq + 1) };
        const bad = checkOption(option, ctx);
        if (bad) throw new LineError(bad.message, bad.view);
        opts.push(option);
      }
    }
    const bad = checkMethodOptions(opts, { ...ctx, oauthValidatorLibraries: options.oauthValidatorLibraries ?? [] });
    if (bad) throw new LineError(bad.message, bad.view);

    const rule: Omit<HbaRule, 'ruleNumber'> = {
      kind: 'rule',
      file: src.file,
      line: src.line,
      raw: src.raw,
      type,
      databases,
      users,
      address,
      method,
      options: opts,
    };
    if (viewError !== undefined) rule.viewError = viewError;
    return { rule };
  } catch (error) {
    if (!(error instanceof LineError)) throw error;
    // An earlier flag stays in the view when the later error does not replace it.
    const view = error.view ?? viewError ?? null;
    return { error: { message: error.message, view } };
  }
}

/**
 * Parses pg_hba.conf text the way the server given by `serverMajor` does: comments, quotes,
 * comma lists, continuation lines, `@file` lists and (PG16+) include directives and `/regex`
 * names. Lines the server refuses come back as `invalid` entries (as pg_hba_file_rules shows
 * them) instead of stopping the parse. No I/O: included files are read with `readFile`/`readDir`.
 * Throws HbaReadBudgetError when the file and its includes go past `readBudget` (READ_BUDGET).
 */
export function parseHba(text: string, options: ParseHbaOptions): HbaFile {
  const reader = options.readFile ? { readFile: options.readFile, ...(options.readDir ? { readDir: options.readDir } : {}) } : undefined;
  const lines = readText(text, options.file, 0, readContext(options.serverMajor, reader, options.readBudget));
  const entries: HbaEntry[] = [];
  // Shared by the file's regexes: all their backtracking evaluations together stay bounded.
  const budget = new RegexBudget();
  let ruleNumber = 0;
  const numbered = options.serverMajor >= 16;
  for (const src of lines) {
    if (src.error !== undefined) {
      entries.push({ kind: 'invalid', file: src.file, line: src.line, raw: src.raw, message: src.error, viewError: src.error, ruleNumber: null });
      continue;
    }
    const result = parseLine(src, options, budget);
    if ('rule' in result) {
      const rn = result.rule.viewError === undefined && numbered ? ++ruleNumber : null;
      entries.push({ ...result.rule, ruleNumber: rn });
    } else {
      const rn = result.error.view === null && numbered ? ++ruleNumber : null;
      const invalid: HbaInvalidLine = {
        kind: 'invalid',
        file: src.file,
        line: src.line,
        raw: src.raw,
        message: result.error.message,
        viewError: result.error.view,
        ruleNumber: rn,
      };
      entries.push(invalid);
    }
  }
  const rules = entries.filter((e): e is HbaRule => e.kind === 'rule');
  const invalid = entries.filter((e): e is HbaInvalidLine => e.kind === 'invalid');
  const file: HbaFile = { file: options.file, serverMajor: options.serverMajor, entries, rules, invalid, loads: invalid.length === 0 && rules.length > 0 };
  if (invalid.length > 0) {
    file.loadError = `${invalid.length} invalid line${invalid.length === 1 ? '' : 's'} (first: ${invalid[0]!.file}:${invalid[0]!.line}: ${invalid[0]!.message}); the server keeps its previous rules`;
  } else if (rules.length === 0) {
    file.loadError = `configuration file "${options.file}" contains no entries`;
  }
  return file;
}
