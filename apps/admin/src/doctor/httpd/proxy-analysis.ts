// What httpd's configuration does with the site's requests: which ProxyPass takes them, where it
// sends them, and which origin the site derives from the headers httpd passes on. Pure: it works on
// parsed directives (config-parser.ts) and the site's settings.
//
// httpd's rules used here (https://httpd.apache.org/docs/2.4/mod/mod_proxy.html):
//   - ProxyPass PATH URL [key=value …]; inside <Location PATH> the PATH is omitted; "ProxyPass PATH !"
//     excludes a path; <Location> rules are checked first, then the others in order, first match wins;
//     the main server's ProxyPass rules also apply in every <VirtualHost>.
//   - a unix socket backend is written unix:/path/to.sock|http://localhost/PATH.
//   - retry=N (default 60): after a failed connection the worker is not retried for N seconds.
//   - ProxyPreserveHost Off (default) sends the backend's own host name as Host; On passes the
//     browser's. ProxyAddHeaders On (default) adds X-Forwarded-For/-Host/-Server, never -Proto.
// And the site's (apps/web/server.js, adapter-node): with ORIGIN set the origin is fixed; with
// PROTOCOL_HEADER/HOST_HEADER it is <that header or "https">://<that header or Host>; with neither
// it is http://<Host>, and only loopback names are served (any other Host gets 403). SvelteKit answers 403 "Cross-site POST form submissions are forbidden" to a
// form post whose Origin differs.

import type { SiteListen } from '../site/site-settings.js';
import { enclosing, hiddenBy, showDirective, where, type Directive, type Section } from './config-parser.js';

export type BackendTarget =
  | { kind: 'tcp'; scheme: string; host: string; port: number; path: string }
  | { kind: 'socket'; socketPath: string; scheme: string; path: string }
  | { kind: 'other'; url: string };

export interface ProxyRoute {
  directive: Directive;
  /** the public path prefix (the <Location> path when inside one); a regex for ProxyPassMatch */
  path: string;
  regex: boolean;
  /** "!" for an exclusion */
  url: string;
  target: BackendTarget | null;
  params: Record<string, string>;
  vhost: Section | undefined;
  location: Section | undefined;
}

export interface SiteView {
  listen: SiteListen;
  basePath: string;
  basePathSource?: string;
  origin: string | null;
  protocolHeader: string | null;
  hostHeader: string | null;
  publicUrl: string | null;
}

export type Severity = 'pass' | 'warn' | 'fail';

export interface Finding {
  severity: Severity;
  message: string;
  fix?: string[];
}

export interface ProxyAnalysis {
  /** no ProxyPass anywhere: httpd does not proxy at all */
  proxiesNothing: boolean;
  route: ProxyRoute | null;
  findings: Finding[];
  /** the directives found, with file and line */
  evidence: string[];
}

/** Parses a ProxyPass URL: http://127.0.0.1:3000/base, http://[::1]:3000, unix:/run/x.sock|http://localhost/base. */
export function parseBackendUrl(url: string): BackendTarget | null {
  const unix = /^unix:([^|]+)\|(\w+):\/\/[^/]*(\/.*)?$/i.exec(url);
  if (unix) return { kind: 'socket', socketPath: unix[1]!, scheme: unix[2]!.toLowerCase(), path: unix[3] ?? '' };
  const m = /^(\w+):\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?(\/.*)?$/.exec(url);
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return { kind: 'other', url };
  const host = m[2]!.replace(/^\[|\]$/g, '');
  return { kind: 'tcp', scheme, host, port: m[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80, path: m[4] ?? '' };
}

export function describeTarget(t: BackendTarget): string {
  if (t.kind === 'socket') return `unix:${t.socketPath}|${t.scheme}://localhost${t.path}`;
  if (t.kind === 'other') return t.url;
  return `${t.scheme}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}${t.path}`;
}

export function describeListen(listen: SiteListen): string {
  return listen.kind === 'socket' ? `unix:${listen.path}` : `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
}

const trim = (p: string) => p.replace(/\/+$/, '');
const sameSection = (a: Section | undefined, b: Section | undefined) => a === b || (a !== undefined && b !== undefined && a.file === b.file && a.line === b.line);

/** Does a path prefix (as ProxyPass/Location compare it: whole segments) cover `path`? */
export function prefixCovers(prefix: string, path: string): boolean {
  const p = trim(prefix);
  if (p === '') return true;
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path === p || path.startsWith(`${p}/`);
}

/** Every ProxyPass/ProxyPassMatch in effect (not hidden by an <IfModule> for a module that is not loaded). */
export function proxyRoutes(directives: Directive[], loaded: ReadonlySet<string> | null): ProxyRoute[] {
  const routes: ProxyRoute[] = [];
  for (const d of directives) {
    if (d.key !== 'proxypass' && d.key !== 'proxypassmatch') continue;
    if (loaded && hiddenBy(d, loaded)) continue;
    const location = enclosing(d, 'location') ?? enclosing(d, 'locationmatch');
    const inLocation = location !== undefined && d.args.length > 0 && !d.args[0]!.startsWith('/');
    const [path, url, ...rest] = inLocation ? [location.args[0] ?? '/', ...d.args] : d.args;
    if (!path || !url) continue;
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).toLowerCase()] = p.slice(eq + 1);
      else params[p.toLowerCase()] = '';
    }
    routes.push({
      directive: d,
      path,
      regex: d.key === 'proxypassmatch' || location?.name === 'locationmatch',
      url,
      target: url === '!' ? null : parseBackendUrl(url),
      params,
      vhost: enclosing(d, 'virtualhost'),
      location,
    });
  }
  return routes;
}

function routeMatches(route: ProxyRoute, path: string): boolean {
  if (route.regex) {
    try {
      return new RegExp(route.path).test(path);
    } catch {
      return false;
    }
  }
  return prefixCovers(route.path, path);
}

/** Whether a backend target is the address the site listens on. */
export function targetReachesSite(target: BackendTarget, listen: SiteListen): boolean {
  if (listen.kind === 'socket') return target.kind === 'socket' && target.socketPath === listen.path;
  if (target.kind !== 'tcp' || target.port !== listen.port) return false;
  const loopback = (h: string) => h === 'localhost' || h.startsWith('127.') || h === '::1';
  if (['0.0.0.0', '::', ''].includes(listen.host)) return true;
  if (target.host === listen.host) return true;
  // "localhost" resolves to 127.0.0.1 and ::1: httpd tries each address in turn.
  return target.host === 'localhost' && loopback(listen.host);
}

interface Scope {
  vhost: Section | undefined;
}

/** The <VirtualHost> a browser's request for `url` lands in: by port, then ServerName/ServerAlias. */
export function vhostFor(url: URL, directives: Directive[]): Section | undefined {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const vhosts = new Map<string, Section>();
  for (const d of directives) {
    const v = enclosing(d, 'virtualhost');
    if (v) vhosts.set(where(v), v);
  }
  const byPort = [...vhosts.values()].filter((v) => v.args.some((a) => {
    const m = /:(\d+|\*)$/.exec(a);
    return !m || m[1] === '*' || Number(m[1]) === port;
  }));
  const names = (v: Section) =>
    directives
      .filter((d) => (d.key === 'servername' || d.key === 'serveralias') && sameSection(enclosing(d, 'virtualhost'), v))
      .flatMap((d) => d.args)
      .map((n) => n.replace(/^\w+:\/\//, '').replace(/:\d+$/, '').toLowerCase());
  const host = url.hostname.toLowerCase();
  const wildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return byPort.find((v) => names(v).some((n) => wildcard(n).test(host))) ?? byPort[0];
}

/** A directive applies in the scope: in the same <VirtualHost> or the main server, and in a <Location> covering `path`. */
function applies(d: Directive, scope: Scope, path: string): boolean {
  const vhost = enclosing(d, 'virtualhost');
  if (vhost && !sameSection(vhost, scope.vhost)) return false;
  const location = enclosing(d, 'location');
  if (location && !prefixCovers(location.args[0] ?? '/', path)) return false;
  if (enclosing(d, 'locationmatch') || enclosing(d, 'directory') || enclosing(d, 'files') || enclosing(d, 'filesmatch')) return false;
  return true;
}

/** The applicable directives of one name, weakest first: main server, virtual host, then <Location>s. */
function applicable(directives: Directive[], key: string, scope: Scope, path: string, loaded: ReadonlySet<string> | null): Directive[] {
  const rank = (d: Directive) => (enclosing(d, 'virtualhost') ? 1 : 0) + (enclosing(d, 'location') ? 2 : 0);
  return directives
    .filter((d) => d.key === key && applies(d, scope, path) && !(loaded && hiddenBy(d, loaded)))
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i)
    .map((x) => x.d);
}

/** What httpd does with a request header in the scope: the value it sets, "unset", or nothing. */
export interface HeaderAction {
  directive: Directive;
  action: string;
  value: string | null;
  /** set per request from an expression (expr=, %{…}): cannot be compared */
  dynamic: boolean;
  /** only under a condition (env=, expr= as the last argument) */
  conditional: boolean;
}

export function requestHeaderAction(directives: Directive[], header: string, scope: Scope, path: string, loaded: ReadonlySet<string> | null): HeaderAction | null {
  const mine = applicable(directives, 'requestheader', scope, path, loaded).filter((d) => d.args[1]?.toLowerCase() === header.toLowerCase());
  const d = mine.at(-1);
  if (!d) return null;
  const action = (d.args[0] ?? '').toLowerCase();
  const value = action === 'unset' ? null : (d.args[2] ?? null);
  const condition = d.args[3] ?? '';
  return {
    directive: d,
    action,
    value,
    dynamic: value !== null && (value.startsWith('expr=') || value.includes('%{')),
    conditional: condition.startsWith('env=') || condition.startsWith('expr='),
  };
}

function onOff(directives: Directive[], key: string, scope: Scope, path: string, loaded: ReadonlySet<string> | null, fallback: boolean): { on: boolean; directive: Directive | null } {
  const d = applicable(directives, key, scope, path, loaded).at(-1);
  return d ? { on: (d.args[0] ?? '').toLowerCase() === 'on', directive: d } : { on: fallback, directive: null };
}

const located = (d: Directive) => {
  const context = d.sections.filter((s) => s.name === 'virtualhost' || s.name === 'location' || s.name === 'ifmodule');
  return `${where(d)}: ${showDirective(d)}${context.length ? ` (in ${context.map((s) => `<${s.name === 'virtualhost' ? 'VirtualHost' : s.name === 'location' ? 'Location' : 'IfModule'} ${s.args.join(' ')}>`).join(' ')})` : ''}`;
};

/** The public origin: --public-url's, else what the virtual host's ServerName and port say. */
function publicOrigin(site: SiteView, directives: Directive[], scope: Scope): { origin: string; from: string } | null {
  if (site.publicUrl) {
    try {
      return { origin: new URL(site.publicUrl).origin, from: '--public-url' };
    } catch {
      return null;
    }
  }
  const name = directives.filter((d) => d.key === 'servername' && sameSection(enclosing(d, 'virtualhost'), scope.vhost) && !enclosing(d, 'location')).at(-1);
  if (!name?.args[0]) return null;
  const tls =
    directives.some((d) => d.key === 'sslengine' && (d.args[0] ?? '').toLowerCase() === 'on' && sameSection(enclosing(d, 'virtualhost'), scope.vhost)) ||
    (scope.vhost?.args.some((a) => a.endsWith(':443')) ?? false);
  const raw = name.args[0].includes('://') ? name.args[0] : `${tls ? 'https' : 'http'}://${name.args[0]}`;
  try {
    return { origin: new URL(raw).origin, from: `ServerName at ${where(name)}` };
  } catch {
    return null;
  }
}

const FORBIDDEN = 'every form post gets 403 "Cross-site POST form submissions are forbidden"';

/**
 * Finds the ProxyPass that carries the site's requests and checks it against the site: address,
 * base path, ProxyPassReverse, retry, and the origin the site will derive through httpd.
 */
export function analyzeProxy(directives: Directive[], site: SiteView, loaded: ReadonlySet<string> | null): ProxyAnalysis {
  const base = trim(site.basePath);
  const home = base === '' ? '/' : base;
  const probe = `${base}/`;
  const routes = proxyRoutes(directives, loaded);
  const evidence: string[] = [];
  const findings: Finding[] = [];
  const siteLine = `the site listens on ${describeListen(site.listen)}, base path ${base || '(none)'}${site.basePathSource ? ` (from ${site.basePathSource})` : ''}`;
  const locationPath = base || '/';
  const proxyLine = site.listen.kind === 'socket' ? `unix:${site.listen.path}|http://localhost${base}` : `${describeListen(site.listen)}${base}`;
  const suggested = [`ProxyPass ${locationPath} ${proxyLine} retry=0`, `ProxyPassReverse ${locationPath} ${proxyLine}`];

  if (site.publicUrl && base !== '') {
    let pathname: string | null = null;
    try {
      pathname = new URL(site.publicUrl).pathname;
    } catch {
      pathname = null;
    }
    if (pathname !== null && !prefixCovers(base, pathname)) {
      findings.push({ severity: 'warn', message: `--public-url ${site.publicUrl} is outside the site's base path ${base}: the site's pages are under ${base}/`, fix: [`give --public-url with the path ${base}/`] });
    }
  }
  if (routes.length === 0) {
    return { proxiesNothing: true, route: null, findings: [...findings, { severity: 'fail', message: 'httpd has no ProxyPass: it does not pass any request to the site', fix: suggested.map((l) => `add to the site's <VirtualHost>: ${l}`) }], evidence: [siteLine] };
  }

  // The scope the browser's requests land in: --public-url's virtual host, else wherever a route for the site is.
  let scope: Scope;
  if (site.publicUrl) {
    let url: URL | null = null;
    try {
      url = new URL(site.publicUrl);
    } catch {
      url = null;
    }
    scope = { vhost: url ? vhostFor(url, directives) : undefined };
  } else {
    const bySite = routes.find((r) => r.url !== '!' && routeMatches(r, probe) && r.target && targetReachesSite(r.target, site.listen));
    const byPath = routes.find((r) => routeMatches(r, probe));
    const byAddress = routes.find((r) => r.target && targetReachesSite(r.target, site.listen));
    scope = { vhost: (bySite ?? byPath ?? byAddress ?? routes[0])?.vhost };
  }
  const inScope = routes.filter((r) => !r.vhost || sameSection(r.vhost, scope.vhost));
  // <Location> rules first, then the others in order; the first that matches takes the request.
  const ordered = [...inScope.filter((r) => r.location), ...inScope.filter((r) => !r.location)];
  const scopeName = scope.vhost ? `<VirtualHost ${scope.vhost.args.join(' ')}> (${where(scope.vhost)})` : 'the main server';

  let route = ordered.find((r) => routeMatches(r, probe)) ?? null;
  evidence.push(siteLine);
  if (route && route.url === '!') {
    evidence.push(located(route.directive));
    findings.push({ severity: 'fail', message: `${located(route.directive)} excludes ${home} from proxying: httpd serves those requests itself (404)`, fix: [`remove ${showDirective(route.directive)} (${where(route.directive)})`] });
    return { proxiesNothing: false, route, findings, evidence };
  }
  if (!route) {
    // No rule for the base path: is there one that points at the site under another path?
    const elsewhere = ordered.find((r) => r.target && targetReachesSite(r.target, site.listen));
    if (elsewhere) {
      route = elsewhere;
      evidence.push(located(elsewhere.directive));
      findings.push({
        severity: 'fail',
        message: `httpd serves the site at ${elsewhere.path}, but the site was built with base path ${base || '(none)'}: its pages link to ${base}/_app/… and ${home}, which httpd does not proxy, so every asset 404s`,
        fix: [
          `either change the ProxyPass path to ${locationPath} (${where(elsewhere.directive)}): ${suggested[0]}`,
          `or rebuild the site with BASE_PATH=${trim(elsewhere.path) || "''"} pnpm build and restart it`,
        ],
      });
    } else {
      evidence.push(...ordered.map((r) => located(r.directive)));
      const others = routes.filter((r) => !ordered.includes(r));
      if (others.length) evidence.push(...others.map((r) => `in another virtual host: ${located(r.directive)}`));
      findings.push({
        severity: 'fail',
        message: `no ProxyPass in ${scopeName} takes ${home} to the site (${describeListen(site.listen)})`,
        fix: suggested.map((l) => `add to ${scopeName}: ${l}`),
      });
      return { proxiesNothing: false, route: null, findings, evidence };
    }
  } else evidence.push(located(route.directive));

  const target = route.target;
  if (!target) {
    findings.push({ severity: 'fail', message: `cannot read the backend URL "${route.url}" (${where(route.directive)})` });
    return { proxiesNothing: false, route, findings, evidence };
  }
  if (target.kind === 'other') {
    findings.push({ severity: 'warn', message: `ProxyPass sends ${home} to ${target.url}: not checked (only http:// and unix: backends are)` });
    return { proxiesNothing: false, route, findings, evidence };
  }

  // The address.
  if (!targetReachesSite(target, site.listen)) {
    const listen = site.listen;
    let message: string;
    if (listen.kind === 'socket') message = target.kind === 'socket' ? `the site listens on the socket ${listen.path}, httpd proxies to ${target.socketPath}` : `the site listens on the unix socket ${listen.path}, httpd proxies to ${describeTarget(target)}`;
    else if (target.kind === 'socket') message = `the site listens on ${describeListen(listen)}, httpd proxies to the unix socket ${target.socketPath}`;
    else if (target.port !== listen.port) message = `the site listens on ${listen.port}, httpd proxies to ${target.port} (${describeTarget(target)})`;
    else message = `the site listens on ${listen.host} only, httpd proxies to ${target.host}:${target.port}`;
    findings.push({ severity: 'fail', message, fix: [`${where(route.directive)}: ${route.location ? `ProxyPass ${proxyLine}` : `ProxyPass ${route.path} ${proxyLine}`} retry=0`] });
  } else if (target.kind === 'tcp' && target.host === 'localhost') {
    evidence.push('"localhost" resolves to ::1 and 127.0.0.1: httpd tries both; 127.0.0.1 saves a failed attempt per connection');
  }
  if (target.scheme === 'https') findings.push({ severity: 'fail', message: `httpd speaks https to the site, which serves plain http (${describeTarget(target)})`, fix: [`use http:// in ${where(route.directive)}`] });

  // The path: the site serves under its base path, so httpd must pass the path on unchanged.
  if (!route.regex) {
    const publicPath = trim(route.path);
    const backendPath = trim(target.path);
    if (publicPath !== backendPath) {
      const strips = publicPath === base && backendPath === '';
      findings.push({
        severity: 'fail',
        message: strips
          ? `httpd strips the base path: ${base}/x reaches the site as /x, but the site (built with base path ${base}) serves only under ${base}, so every page and asset 404s`
          : `httpd maps ${route.path} to ${target.path || '/'} on the site, which serves under ${base || '/'}: every page and asset 404s`,
        fix: [`${where(route.directive)}: ${suggested[0]}`],
      });
    } else if (route.path.endsWith('/') !== (target.path.endsWith('/') || target.path === '')) {
      findings.push({ severity: 'warn', message: `the trailing slashes of ${route.path} and ${target.path} differ: httpd's documentation asks for both or neither`, fix: [`${where(route.directive)}: ${suggested[0]}`] });
    }
    if (base !== '' && route.path === `${base}/`) {
      findings.push({
        severity: 'warn',
        message: `ProxyPass ${route.path} does not match ${base} (no slash), the site's home page (SvelteKit redirects ${base}/ there): httpd answers it with 404`,
        fix: [`${where(route.directive)}: ${suggested[0]}`],
      });
    }
  }

  // ProxyPassReverse.
  const reverse = directives.find((d) => {
    if (d.key !== 'proxypassreverse' || (loaded && hiddenBy(d, loaded))) return false;
    if (!sameSection(enclosing(d, 'virtualhost'), route.vhost) && enclosing(d, 'virtualhost')) return false;
    const loc = enclosing(d, 'location');
    const path = loc && d.args.length === 1 ? loc.args[0] : d.args[0];
    return path !== undefined && trim(path) === trim(route.path);
  });
  if (reverse) {
    evidence.push(located(reverse));
    const url = enclosing(reverse, 'location') && reverse.args.length === 1 ? reverse.args[0]! : (reverse.args[1] ?? '');
    const back = parseBackendUrl(url);
    // A unix-socket ProxyPassReverse names the http://localhost part only; compare TCP ones.
    if (back?.kind === 'tcp' && target.kind === 'tcp' && !targetReachesSite(back, site.listen)) {
      findings.push({
        severity: 'warn',
        message: `ProxyPassReverse names ${url}, not the site's address`,
        fix: [`${where(reverse)}: ${reverse.args.length === 1 ? `ProxyPassReverse ${proxyLine}` : suggested[1]}`],
      });
    }
  }
  else findings.push({ severity: 'warn', message: `no ProxyPassReverse for ${route.path}: a redirect the site sends with its own address reaches the browser unchanged`, fix: [`add after ${where(route.directive)}: ${suggested[1]}`] });

  // retry (a fix above that rewrites the ProxyPass line already adds it).
  if (route.params.retry !== '0') {
    const rewritten = findings.some((f) => f.fix?.some((x) => x.startsWith(`${where(route.directive)}: `) && x.includes('retry=0')));
    findings.push({
      severity: 'warn',
      message: `ProxyPass without retry=0: after one failed connection httpd stops trying the site for ${route.params.retry ?? '60'} s, so a restart of the site (or a fix) looks broken for that long`,
      ...(rewritten ? {} : { fix: [`${where(route.directive)}: add retry=0`] }),
    });
  }

  // The origin the site derives through httpd.
  originFindings(directives, site, route, { vhost: route.vhost ?? scope.vhost }, loaded, findings, evidence);
  return { proxiesNothing: false, route, findings, evidence };
}

function originFindings(directives: Directive[], site: SiteView, route: ProxyRoute, scope: Scope, loaded: ReadonlySet<string> | null, findings: Finding[], evidence: string[]) {
  const path = trim(site.basePath) || '/';
  const preserve = onOff(directives, 'proxypreservehost', scope, path, loaded, false);
  const addHeaders = onOff(directives, 'proxyaddheaders', scope, path, loaded, true);
  if (preserve.directive) evidence.push(located(preserve.directive));
  const pub = publicOrigin(site, directives, scope);
  const publicHost = pub ? new URL(pub.origin).host : null;
  const backendHost = route.target?.kind === 'tcp' ? (route.target.port === 80 ? route.target.host : `${route.target.host}:${route.target.port}`) : 'localhost';
  const vhostLine = scope.vhost ? `in <VirtualHost ${scope.vhost.args.join(' ')}> (${where(scope.vhost)})` : 'in the server configuration';
  const envFix = (origin: string) => `set ORIGIN=${origin} in the site's environment file, then systemctl restart kit-db-test.service`;

  if (site.origin) {
    let fixed: string | null = null;
    try {
      fixed = new URL(site.origin).origin;
    } catch {
      fixed = null;
    }
    evidence.push(`the site's origin: ORIGIN=${site.origin}`);
    if (!pub) {
      evidence.push('the public origin is unknown (give --public-url, or set ServerName): not compared with ORIGIN');
      return;
    }
    if (fixed !== pub.origin) {
      const schemes = fixed ? [new URL(fixed), new URL(pub.origin)] : null;
      // Only the scheme differs: the usual slip once httpd terminates TLS.
      const scheme = schemes && schemes[0]!.host === schemes[1]!.host && schemes[0]!.protocol !== schemes[1]!.protocol ? ` the scheme differs (${schemes[0]!.protocol}// behind ${schemes[1]!.protocol.slice(0, -1)}):` : '';
      findings.push({ severity: 'fail', message: `the site's ORIGIN is ${site.origin} but browsers use ${pub.origin} (${pub.from}):${scheme} ${FORBIDDEN}`, fix: [envFix(pub.origin)] });
    }
    return;
  }

  if (site.protocolHeader || site.hostHeader) {
    evidence.push(`the site's origin: from proxy headers (PROTOCOL_HEADER=${site.protocolHeader ?? ''}, HOST_HEADER=${site.hostHeader ?? ''})`);
    // The scheme.
    let scheme: string | null = 'https';
    let schemeNote = 'no PROTOCOL_HEADER: adapter-node assumes https';
    if (site.protocolHeader) {
      const action = requestHeaderAction(directives, site.protocolHeader, scope, path, loaded);
      if (action) evidence.push(located(action.directive));
      if (!action || action.action === 'unset' || action.value === null) {
        const expected = pub ? new URL(pub.origin).protocol.slice(0, -1) : 'https';
        const line = `RequestHeader set ${headerName(site.protocolHeader)} "${expected}"`;
        const message = `httpd does not set ${headerName(site.protocolHeader)}, which the site reads (PROTOCOL_HEADER), so the site assumes https`;
        if (pub && expected === 'http') findings.push({ severity: 'fail', message: `${message}; browsers use ${pub.origin}: ${FORBIDDEN}`, fix: [`add ${vhostLine}: ${line}`] });
        else findings.push({ severity: 'warn', message: `${message}: right only while browsers use https, and any client can send its own ${headerName(site.protocolHeader)}`, fix: [`add ${vhostLine}: ${line}`] });
        scheme = null;
        schemeNote = `httpd does not set ${site.protocolHeader}: adapter-node assumes https`;
      } else if (action.dynamic) {
        scheme = null;
        evidence.push(`${site.protocolHeader} is set per request (${action.value})`);
      } else {
        scheme = action.value!.toLowerCase();
        schemeNote = `httpd sets ${site.protocolHeader}: ${scheme}`;
        if (action.conditional) findings.push({ severity: 'warn', message: `${where(action.directive)} sets ${site.protocolHeader} only under a condition (${action.directive.args[3]})` });
      }
    }
    evidence.push(schemeNote);
    // The host.
    let host: string | null;
    if (site.hostHeader) {
      const action = requestHeaderAction(directives, site.hostHeader, scope, path, loaded);
      if (action && action.value !== null && !action.dynamic) {
        host = action.value;
        evidence.push(located(action.directive));
      } else if (action?.dynamic) host = null;
      else if (site.hostHeader === 'x-forwarded-host' && addHeaders.on) {
        host = publicHost;
        evidence.push('httpd adds X-Forwarded-Host with the browser\'s Host (ProxyAddHeaders On, the default)');
      } else {
        host = null;
        findings.push({
          severity: 'fail',
          message: `the site takes the host from ${site.hostHeader}, which httpd does not send: the origin check cannot work, ${FORBIDDEN}`,
          fix: [`use HOST_HEADER=x-forwarded-host (httpd adds it), or ${vhostLine}: RequestHeader set ${headerName(site.hostHeader)} "${publicHost ?? 'example.org'}"`],
        });
      }
    } else if (preserve.on) host = publicHost;
    else {
      host = backendHost;
      findings.push({
        severity: 'fail',
        message: `ProxyPreserveHost is Off, so the site sees Host: ${backendHost} and derives the origin ${scheme ?? 'https'}://${backendHost}: ${FORBIDDEN}`,
        fix: [`add ${vhostLine}: ProxyPreserveHost On`],
      });
    }
    if (pub && scheme && host) {
      const derived = `${scheme}://${host}`;
      if (new URL(derived).origin !== pub.origin) {
        findings.push({ severity: 'fail', message: `through httpd the site derives the origin ${derived}, but browsers use ${pub.origin} (${pub.from}): ${FORBIDDEN}`, fix: [`${vhostLine}: RequestHeader set ${headerName(site.protocolHeader ?? 'x-forwarded-proto')} "${new URL(pub.origin).protocol.slice(0, -1)}"`, 'or ' + envFix(pub.origin)] });
      }
    }
    return;
  }

  // Neither ORIGIN nor proxy headers: the origin is http://<Host>.
  evidence.push("the site's origin: the request itself (http://<Host>): no ORIGIN, PROTOCOL_HEADER or HOST_HEADER");
  const host = preserve.on ? publicHost : backendHost;
  if (!preserve.on) {
    findings.push({
      severity: 'fail',
      message: `the site takes its origin from the request (http://<Host>) and ProxyPreserveHost is Off, so it derives http://${backendHost}: ${FORBIDDEN}`,
      fix: [pub ? envFix(pub.origin) : "set ORIGIN=https://<public host> in the site's environment file", `or add ${vhostLine}: ProxyPreserveHost On`],
    });
    return;
  }
  if (pub && host && !isLoopbackHost(host)) {
    findings.push({
      severity: 'fail',
      message: `the site takes its origin from the request (http://<Host>) and so answers only to loopback names (against DNS rebinding): browsers' Host ${host} gets 403 on every page`,
      fix: [envFix(pub.origin), `or set PROTOCOL_HEADER=x-forwarded-proto and HOST_HEADER=x-forwarded-host in the site's environment`],
    });
  } else if (pub && host && `http://${host}` !== pub.origin) {
    findings.push({
      severity: 'fail',
      message: `the site takes its origin from the request (http://<Host>), but browsers use ${pub.origin} (${pub.from}): ${FORBIDDEN}`,
      fix: [envFix(pub.origin), `or set PROTOCOL_HEADER=x-forwarded-proto in the site's environment and add ${vhostLine}: RequestHeader set X-Forwarded-Proto "https"`],
    });
  } else if (!pub) {
    findings.push({ severity: 'warn', message: 'the site takes its origin from the request (http://<Host>): form posts fail if browsers reach httpd over https', fix: ["set ORIGIN=https://<public host> in the site's environment file", 'or give --public-url to check it'] });
  }
}

/** localhost, 127.x.x.x or [::1], with or without a port: the names the site serves when its origin is the request's (apps/web/server/loopback.js). */
function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** "x-forwarded-proto" as people write it: "X-Forwarded-Proto". */
function headerName(lower: string): string {
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** The worst severity, and the summary to print for it. */
export function verdict(findings: Finding[]): Severity {
  return findings.some((f) => f.severity === 'fail') ? 'fail' : findings.some((f) => f.severity === 'warn') ? 'warn' : 'pass';
}
