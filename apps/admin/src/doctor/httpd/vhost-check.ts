// httpd.vhost: which <VirtualHost> httpd gives the public URL's requests to, from httpd's own map
// (-S), and, when it is not the one holding the site's ProxyPass, which one wins and why.

import type { DoctorContext } from '../context.js';
import { fail, pass, skip, warn, type Check } from '../types.js';
import { enclosing, type Directive } from './config-parser.js';
import { httpdConfig, httpdInstall, LAYOUTS, loadedModules, vhostMap, type HttpdInstall } from './install.js';
import { prefixCovers, proxyRoutes, targetReachesSite } from './proxy-analysis.js';
import { chooseVhost, describeSet, vhostWhere, type AddressSet, type VhostEntry } from './vhost-map.js';

const key = (v: { file: string; line: number }) => `${v.file}:${v.line}`;
const isIp = (host: string) => /^[0-9.]+$/.test(host) || host.includes(':');

/**
 * The addresses a browser may reach `host` on, as this machine's resolver (NSS: /etc/hosts, DNS)
 * gives them: `getent ahosts`, through the command seam; [] when it does not resolve.
 */
async function addressesOf(context: DoctorContext, host: string): Promise<string[]> {
  if (isIp(host)) return [host];
  const result = await context.commands.run('getent', ['ahosts', host], context.timeoutMs);
  if (result.code !== 0) return [];
  return [...new Set(result.stdout.split('\n').map((l) => l.split(/\s+/)[0] ?? '').filter((a) => a !== ''))];
}

/** The <VirtualHost> sections whose ProxyPass takes the site's base path to where it listens; "main" for the main server. */
function siteVhosts(context: DoctorContext, directives: Directive[], loaded: ReadonlySet<string>): { vhosts: Set<string>; main: boolean } {
  const base = context.site.basePath.replace(/\/+$/, '');
  const vhosts = new Set<string>();
  let main = false;
  for (const route of proxyRoutes(directives, loaded)) {
    if (!route.target || !targetReachesSite(route.target, context.site.listen)) continue;
    if (!route.regex && !prefixCovers(route.path, `${base}/`)) continue;
    if (route.vhost) vhosts.add(key(route.vhost));
    else main = true;
  }
  return { vhosts, main };
}

/** Does the <VirtualHost> at file:line set a ServerName of its own? */
function ownServerName(directives: Directive[], vhost: VhostEntry): string | null {
  const d = directives.find((x) => x.key === 'servername' && enclosing(x, 'virtualhost') !== undefined && key(enclosing(x, 'virtualhost')!) === key(vhost));
  return d?.args[0] ?? null;
}

function mapLines(sets: AddressSet[]): string[] {
  return sets.map((s) => `${describeSet(s)}: ${s.vhosts.map((v, i) => `${i === 0 ? 'default ' : ''}${v.name}${v.aliases.length ? ` (alias ${v.aliases.join(', ')})` : ''} at ${vhostWhere(v)}`).join('; ')}`);
}

const reload = (install: HttpdInstall) => `${install.control ?? 'apachectl'} -t && systemctl reload ${install.layout === 'debian' ? LAYOUTS.debian.service : LAYOUTS.rhel.service}`;

export const vhostCheck: Check<DoctorContext> = {
  id: 'httpd.vhost',
  title: 'Virtual host that answers',
  needs: ['httpd.installed', 'httpd.config_test'],
  async run(context) {
    const install = await httpdInstall(context);
    if (!install) return skip('httpd not installed');
    const config = httpdConfig(context, install);
    const loaded = await loadedModules(context, install);
    const map = await vhostMap(context, install);
    if (!map.sets) return skip(`httpd's virtual host map is not available: ${map.note}`);
    const site = siteVhosts(context, config.directives, loaded.modules);
    const siteEntries = map.sets.flatMap((s) => s.vhosts.filter((v) => site.vhosts.has(key(v))).map((v) => ({ set: s, vhost: v })));

    // The request: the public URL's, else one for the site's own ServerName on its port.
    let host: string;
    let port: number;
    let label: string;
    if (context.site.publicUrl) {
      const url = new URL(context.site.publicUrl);
      host = url.hostname.replace(/^\[|\]$/g, '');
      port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      label = `${url.protocol}//${url.host}`;
    } else if (siteEntries[0]) {
      host = siteEntries[0].vhost.name;
      port = siteEntries[0].set.port === '*' ? 80 : siteEntries[0].set.port;
      label = `Host ${host} on port ${port}`;
    } else {
      return skip('give --public-url URL to check which virtual host takes its requests', mapLines(map.sets));
    }
    const addresses = await addressesOf(context, host);
    const choice = chooseVhost(map.sets, { addresses, port, host });
    const evidence = [
      `${map.source}: ${mapLines(map.sets).join(' | ')}`,
      `the request: Host ${host}, port ${port}, address ${addresses.length ? addresses.join(' or ') : `(${host} does not resolve here)`}`,
    ];
    const siteWhere = siteEntries.length ? siteEntries.map((e) => `${vhostWhere(e.vhost)} (${describeSet(e.set)})`).join(', ') : site.main ? 'the main server' : null;
    if (siteWhere) evidence.push(`the site's ProxyPass is in ${siteWhere}`);

    if (choice.kind === 'main-server') {
      if (site.main) return pass(`${label}: no <VirtualHost> on port ${port}, the main server answers, and it holds the site's ProxyPass`, evidence);
      return fail(`${label}: ${choice.reason}, so the main server answers, and the site's ProxyPass is not there`, evidence, [
        `list the site's <VirtualHost> for port ${port}${siteEntries[0] ? ` (${vhostWhere(siteEntries[0].vhost)})` : ''}, and Listen ${port}`,
        reload(install),
      ]);
    }
    const { vhost, set, reason, matched } = choice;
    const winner = `<VirtualHost ${describeSet(set)}> at ${vhostWhere(vhost)}`;
    if (site.vhosts.has(key(vhost))) {
      const why = reason === 'only' ? `the only virtual host on ${describeSet(set)}` : reason === 'default' ? `the default server of ${describeSet(set)}: no name matches` : `its ${reason === 'name' ? 'ServerName' : 'ServerAlias'} ${matched}`;
      return pass(`${label} goes to ${winner} (${why}), the one that points at the site`, evidence);
    }
    if (site.main) {
      // The main server's ProxyPass applies in every virtual host that does not override it.
      return pass(`${label} goes to ${winner}; the site's ProxyPass is in the main server, which every virtual host inherits`, evidence);
    }
    if (!siteWhere) return warn(`${label} goes to ${winner}, and no virtual host proxies to the site (see httpd.proxy)`, evidence);

    // Not the site's: why this one wins, and the fix.
    const siteEntry = siteEntries.find((e) => e.set === set) ?? siteEntries[0]!;
    const siteVhost = `the site's <VirtualHost> at ${vhostWhere(siteEntry.vhost)}`;
    const own = ownServerName(config.directives, vhost);
    let why: string;
    const fix: string[] = [];
    if (siteEntry.set !== set && set.address !== '*' && siteEntry.set.address === '*') {
      why = `it is listed for the address ${describeSet(set)} itself, and httpd considers the *:${port} virtual hosts (${siteVhost} among them) only when none names the address the request came to`;
      fix.push(`list ${siteVhost} for ${describeSet(set)} too: <VirtualHost ${describeSet(set)} *:${port}>`, `or change <VirtualHost ${describeSet(set)}> at ${vhostWhere(vhost)} to *:${port}`);
    } else if (siteEntry.set !== set) {
      why = `${siteVhost} is on ${describeSet(siteEntry.set)}, not on the address and port of the request (${describeSet(set)})`;
      fix.push(`list ${siteVhost} for port ${port} (the public URL's), and Listen ${port}`);
    } else if (reason === 'default') {
      why = `no virtual host on ${describeSet(set)} is named ${host} (ServerName or ServerAlias), so httpd gives the request to the address's default server, the first one it read`;
      fix.push(`add to ${siteVhost}: ServerAlias ${host}`);
    } else {
      const name = reason === 'name' ? `ServerName ${matched}` : `ServerAlias ${matched}`;
      const inherited = reason === 'name' && own === null ? ` (it has no ServerName of its own: it takes the main server's, the machine's name ${vhost.name})` : '';
      why = `its ${name} matches${inherited}, and it comes before ${siteVhost} in httpd's order: the first match wins`;
      fix.push(reason === 'name' && own === null ? `give <VirtualHost> at ${vhostWhere(vhost)} a ServerName of its own` : `remove ${name} from <VirtualHost> at ${vhostWhere(vhost)}`);
      fix.push(`or make ${siteVhost} the default server of ${describeSet(set)}: httpd must read it first (its file sorts first)`);
    }
    if (/\/sites-enabled\/000-default\.conf$/.test(vhost.file)) {
      evidence.push(`${vhost.file} is Debian's default site: when nothing else is served from it, disable it`);
      fix.unshift('a2dissite 000-default');
    }
    fix.push(reload(install));
    return fail(`${label} goes to ${winner}, not to ${siteVhost}: ${why}`, evidence, fix);
  },
};
