import { parseNumericHost } from './address.js';
import type { AuthMethod, ConnectionType, HbaOption } from './types.js';

/** Why an option is refused: `view` is what pg_hba_file_rules.error shows (null: the server leaves it empty). */
export interface OptionError {
  message: string;
  view: string | null;
}

export interface OptionContext {
  serverMajor: number;
  type: ConnectionType;
  method: AuthMethod;
  resolveHost: ((name: string) => string[]) | undefined;
}

function invalidFor(name: string, methods: string): OptionError {
  const message = `authentication option "${name}" is only valid for authentication methods ${methods}`;
  return { message, view: message };
}

function refused(message: string): OptionError {
  return { message, view: message };
}

/** An error the server only logs: its view shows no error text for the line. */
function silent(message: string): OptionError {
  return { message, view: null };
}

const LDAP_OPTIONS = [
  'ldaptls',
  'ldapscheme',
  'ldapserver',
  'ldapport',
  'ldapbinddn',
  'ldapbindpasswd',
  'ldapsearchattribute',
  'ldapsearchfilter',
  'ldapbasedn',
  'ldapprefix',
  'ldapsuffix',
  'ldapurl',
];

/** SplitGUCList(): comma-separated, blanks trimmed, double-quoted items allowed; undefined on a syntax error. */
export function splitList(value: string): string[] | undefined {
  const items: string[] = [];
  let i = 0;
  const s = value;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  skipSpace();
  if (i >= s.length) return items;
  for (;;) {
    let item = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) return undefined;
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            item += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        item += s[i++];
      }
    } else {
      const start = i;
      while (i < s.length && s[i] !== ',' && !/\s/.test(s[i]!)) i++;
      item = s.slice(start, i);
      if (item === '') return undefined;
    }
    items.push(item);
    skipSpace();
    if (i >= s.length) return items;
    if (s[i] !== ',') return undefined;
    i++;
    skipSpace();
  }
}

function resolvable(name: string, ctx: OptionContext): boolean {
  if (parseNumericHost(name)) return true;
  if (!ctx.resolveHost) return true;
  try {
    return ctx.resolveHost(name).length > 0;
  } catch {
    return false;
  }
}

function atoi(value: string): number {
  const m = /^\s*([+-]?\d+)/.exec(value);
  return m ? Number(m[1]) : 0;
}

/** parse_hba_auth_opt(): checks one name=value option against the line's type and method. */
export function checkOption(option: HbaOption, ctx: OptionContext): OptionError | undefined {
  const { name, value } = option;
  const m = ctx.method;
  const only = (method: AuthMethod, label: string) => (m === method ? undefined : invalidFor(name, label));
  switch (name) {
    case 'map': {
      const allowed: AuthMethod[] = ['ident', 'peer', 'gss', 'sspi', 'cert'];
      if (ctx.serverMajor >= 18) allowed.push('oauth');
      if (!allowed.includes(m)) {
        return invalidFor('map', ctx.serverMajor >= 18 ? 'ident, peer, gssapi, sspi, cert, and oauth' : 'ident, peer, gssapi, sspi, and cert');
      }
      return undefined;
    }
    case 'clientcert':
      if (ctx.type !== 'hostssl') return refused('clientcert can only be configured for "hostssl" rows');
      if (value === 'verify-full') return undefined;
      if (value === 'verify-ca') {
        return m === 'cert' ? refused('clientcert can only be set to "verify-full" when using "cert" authentication') : undefined;
      }
      return silent(`invalid value for clientcert: "${value}"`);
    case 'clientname':
      if (ctx.type !== 'hostssl') return refused('clientname can only be configured for "hostssl" rows');
      return value === 'CN' || value === 'DN' ? undefined : silent(`invalid value for clientname: "${value}"`);
    case 'pamservice':
    case 'pam_use_hostname':
      return only('pam', 'pam');
    case 'krb_realm':
    case 'include_realm':
      return m === 'gss' || m === 'sspi' ? undefined : invalidFor(name, 'gssapi and sspi');
    case 'compat_realm':
    case 'upn_username':
      return only('sspi', 'sspi');
    case 'radiusservers':
    case 'radiusports':
    case 'radiussecrets':
    case 'radiusidentifiers': {
      const bad = only('radius', 'radius');
      if (bad) return bad;
      const what = { radiusservers: 'server', radiusports: 'port', radiussecrets: 'secret', radiusidentifiers: 'identifiers' }[name];
      const list = splitList(value);
      if (!list) return silent(`could not parse RADIUS ${what} list "${value}"`);
      if (name === 'radiusservers') {
        const unknown = list.find((s) => !resolvable(s, ctx));
        if (unknown !== undefined) return silent(`could not translate RADIUS server name "${unknown}" to address`);
      }
      if (name === 'radiusports') {
        const zero = list.find((p) => atoi(p) === 0);
        if (zero !== undefined) return silent(`invalid RADIUS port number: "${value}"`);
      }
      return undefined;
    }
    case 'issuer':
    case 'scope':
    case 'validator':
    case 'delegate_ident_mapping':
      if (ctx.serverMajor >= 18) return only('oauth', 'oauth');
      return refused(`unrecognized authentication option name: "${name}"`);
    default:
      if (LDAP_OPTIONS.includes(name)) {
        const bad = only('ldap', 'ldap');
        if (bad) return bad;
        if (name === 'ldapport' && atoi(value) === 0) return refused(`invalid LDAP port number: "${value}"`);
        if (name === 'ldapurl') return checkLdapUrl(value);
        return undefined;
      }
      return refused(`unrecognized authentication option name: "${name}"`);
  }
}

interface LdapUrl {
  scheme: string;
  host: string;
  port: number;
  basedn: string;
  attribute: string;
  scope: number;
  filter: string;
}

function parseLdapUrl(value: string): LdapUrl | undefined {
  const m = /^(ldaps?):\/\/([^/:?]*)(?::(\d+))?(?:\/([^?]*)(?:\?([^?]*)(?:\?([^?]*)(?:\?([^?]*))?)?)?)?$/.exec(value);
  if (!m) return undefined;
  const scopes: Record<string, number> = { base: 0, one: 1, sub: 2, '': 2 };
  const scope = scopes[m[6] ?? ''];
  if (scope === undefined) return undefined;
  return {
    scheme: m[1]!,
    host: decodeURIComponent(m[2] ?? ''),
    port: m[3] ? Number(m[3]) : 0,
    basedn: decodeURIComponent(m[4] ?? ''),
    attribute: decodeURIComponent(m[5] ?? ''),
    scope,
    filter: decodeURIComponent(m[7] ?? ''),
  };
}

function checkLdapUrl(value: string): OptionError | undefined {
  if (!/^ldaps?:\/\//.test(value)) {
    const scheme = /^([a-z]+):/i.exec(value)?.[1];
    if (scheme) return refused(`unsupported LDAP URL scheme: ${scheme}`);
  }
  return parseLdapUrl(value) ? undefined : refused(`could not parse LDAP URL "${value}": Bad parameter to an ldap routine`);
}

/** The options in force: the last value of each name; an ldapurl sets the LDAP fields it carries. */
export function effectiveOptions(options: HbaOption[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const o of options) {
    if (o.name === 'ldapurl') {
      const url = parseLdapUrl(o.value);
      if (!url) continue;
      map.set('ldapscheme', url.scheme);
      if (url.host) map.set('ldapserver', url.host);
      if (url.port) map.set('ldapport', String(url.port));
      if (url.basedn) map.set('ldapbasedn', url.basedn);
      if (url.attribute) map.set('ldapsearchattribute', url.attribute);
      if (url.filter) map.set('ldapsearchfilter', url.filter);
      map.set('ldapscope', String(url.scope));
      continue;
    }
    map.set(o.name, o.value);
  }
  return map;
}

/** The errors the server checks once all options are read (mandatory and conflicting options). */
export function checkMethodOptions(options: HbaOption[], ctx: OptionContext & { oauthValidatorLibraries: string[] }): OptionError | undefined {
  const eff = effectiveOptions(options);
  const mandatory = (name: string, method: string): OptionError | undefined =>
    eff.has(name) ? undefined : refused(`authentication method "${method}" requires argument "${name}" to be set`);
  if (ctx.method === 'ldap') {
    if (eff.has('ldapprefix') || eff.has('ldapsuffix')) {
      if (['ldapbasedn', 'ldapbinddn', 'ldapbindpasswd', 'ldapsearchattribute', 'ldapsearchfilter'].some((n) => eff.has(n))) {
        return refused('cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix');
      }
    } else if (!eff.has('ldapbasedn')) {
      return refused('authentication method "ldap" requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix" to be set');
    }
    if (eff.has('ldapsearchattribute') && eff.has('ldapsearchfilter')) {
      return refused('cannot use ldapsearchattribute together with ldapsearchfilter');
    }
  }
  if (ctx.method === 'radius') {
    const servers = mandatory('radiusservers', 'radius');
    if (servers) return servers;
    const count = (name: string) => splitList(eff.get(name) ?? '')?.length ?? 0;
    const n = count('radiusservers');
    if (count('radiussecrets') < 1) return mandatory('radiussecrets', 'radius') ?? refused('list of RADIUS secrets cannot be empty');
    for (const [name, label] of [
      ['radiussecrets', 'secrets'],
      ['radiusports', 'ports'],
      ['radiusidentifiers', 'identifiers'],
    ] as const) {
      const k = count(name);
      if (k > 1 && k !== n) return refused(`the number of RADIUS ${label} (${k}) must be 1 or the same as the number of RADIUS servers (${n})`);
    }
  }
  if (ctx.method === 'oauth') {
    const missing = mandatory('scope', 'oauth') ?? mandatory('issuer', 'oauth');
    if (missing) return missing;
    const libs = ctx.oauthValidatorLibraries;
    if (libs.length === 0) return refused('oauth_validator_libraries must be set for authentication method oauth');
    const validator = eff.get('validator');
    if (validator === undefined && libs.length > 1) {
      return refused('authentication method "oauth" requires argument "validator" to be set when oauth_validator_libraries contains multiple options');
    }
    if (validator !== undefined && !libs.includes(validator)) {
      return refused(`validator "${validator}" is not permitted by oauth_validator_libraries`);
    }
    if (eff.has('delegate_ident_mapping') && eff.has('map') && eff.get('delegate_ident_mapping') === '1') {
      return refused('map cannot be used in combination with delegate_ident_mapping');
    }
  }
  return undefined;
}

/** pg_hba_file_rules.options: the options the server keeps, in its order and wording; null when none. */
export function viewOptions(method: AuthMethod, type: ConnectionType, options: HbaOption[]): string[] | null {
  const eff = effectiveOptions(options);
  const out: string[] = [];
  const add = (name: string, as: string = name) => {
    const v = eff.get(name);
    if (v !== undefined) out.push(`${as}=${v}`);
  };
  if (method === 'gss' || method === 'sspi') {
    if ((eff.get('include_realm') ?? '1') === '1') out.push('include_realm=true');
    add('krb_realm');
  }
  add('map');
  const clientcert = method === 'cert' ? 'verify-full' : eff.get('clientcert');
  if (type === 'hostssl' && (clientcert === 'verify-full' || clientcert === 'verify-ca')) out.push(`clientcert=${clientcert}`);
  add('pamservice');
  if (method === 'ldap') {
    add('ldapserver');
    const port = eff.get('ldapport');
    if (port !== undefined && atoi(port) !== 0) out.push(`ldapport=${atoi(port)}`);
    add('ldapscheme');
    if (eff.get('ldaptls') === '1') out.push('ldaptls=true');
    for (const n of ['ldapprefix', 'ldapsuffix', 'ldapbasedn', 'ldapbinddn', 'ldapbindpasswd', 'ldapsearchattribute', 'ldapsearchfilter']) add(n);
    out.push(`ldapscope=${eff.get('ldapscope') ?? '2'}`);
  }
  if (method === 'radius') {
    for (const n of ['radiusservers', 'radiussecrets', 'radiusidentifiers', 'radiusports']) add(n);
  }
  if (method === 'oauth') {
    add('issuer');
    add('scope');
    add('validator');
    if (eff.get('delegate_ident_mapping') === '1') out.push('delegate_ident_mapping=true');
  }
  return out.length > 0 ? out : null;
}
