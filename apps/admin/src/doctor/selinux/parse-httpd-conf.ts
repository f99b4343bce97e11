/**
 * Which folders httpd serves itself, in the httpd configuration that proxies to the site
 * (httpd's DocumentRoot and Alias directives, mod_proxy's ProxyPass with http://HOST:PORT/ or
 * unix:/PATH|http://…). Those files are read by httpd_t, so their labels matter. Pure: no I/O.
 */
import type { HttpdNeed } from './needs.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Does this configuration text send requests to the site? */
export function proxiesToSite(text: string, site: HttpdNeed): boolean {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const target =
    site.kind === 'tcp'
      ? new RegExp(`https?://(?:127\\.0\\.0\\.1|localhost|\\[::1\\]|${escape(site.host)}):${site.port}(?![0-9])`, 'i')
      : new RegExp(`unix:${escape(site.path)}(?![^|\\s"])`);
  return lines.some((l) => /\b(ProxyPass|ProxyPassMatch|BalancerMember|RewriteRule)\b/i.test(l) && target.test(l));
}

/** The folders a configuration serves as files: DocumentRoot and Alias targets. */
export function servedFolders(text: string): { path: string; line: number; directive: string }[] {
  const out: { path: string; line: number; directive: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const doc = /^DocumentRoot\s+"?([^"\s]+)"?/i.exec(line);
    const alias = /^Alias\s+("[^"]*"|\S+)\s+"?([^"\s]+)"?/i.exec(line);
    if (doc) out.push({ path: doc[1]!.replace(/\/+$/, '') || '/', line: i + 1, directive: 'DocumentRoot' });
    else if (alias) out.push({ path: alias[2]!.replace(/\/+$/, '') || '/', line: i + 1, directive: 'Alias' });
  });
  return out;
}
