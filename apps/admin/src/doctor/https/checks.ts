// The public URL over https: the certificate a browser gets, and that plain http sends it there.
// Both probe the public URL itself; httpd's configuration (when it is on this machine) only names
// the files and ports involved.

import type { DoctorContext } from '../context.js';
import { enclosing, type Directive } from '../httpd/config-parser.js';
import { httpdConfig, httpdInstall, LAYOUTS, vhostMap } from '../httpd/install.js';
import { vhostFor } from '../httpd/proxy-analysis.js';
import { httpFetch } from '../service/http-get.js';
import { skip, type Check } from '../types.js';
import { certificateVerdict, type CertificateSource } from './certificate-verdict.js';
import { redirectVerdict } from './redirect-verdict.js';
import { probeTls } from './tls-probe.js';

/** The public URL when it is https, else why the check does not apply. */
function httpsUrl(context: DoctorContext): URL | string {
  if (!context.site.publicUrl) return 'give --public-url URL (the address a browser uses) to check its certificate';
  const url = new URL(context.site.publicUrl);
  if (url.protocol !== 'https:') return `the public URL ${url.href} is http://: no certificate (pnpm admin ops render --public-url https://… renders the TLS host)`;
  return url;
}

const portOf = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

/** Where httpd takes the certificate from for this URL, when httpd's configuration is here to read. */
async function certificateSource(context: DoctorContext, url: URL): Promise<CertificateSource | null> {
  const install = await httpdInstall(context);
  if (!install?.configFound) return null;
  const { directives } = httpdConfig(context, install);
  const vhost = vhostFor(url, directives);
  if (!vhost) return null;
  const inVhost = (d: Directive) => {
    const v = enclosing(d, 'virtualhost');
    return v !== undefined && v.file === vhost.file && v.line === vhost.line;
  };
  const inScope = (key: string) => directives.filter((d) => d.key === key && inVhost(d)).at(-1);
  const cert = inScope('sslcertificatefile');
  if (!cert?.args[0]) return null;
  const key = inScope('sslcertificatekeyfile');
  return {
    where: `${cert.file}:${cert.line}`,
    certificateFile: cert.args[0],
    keyFile: key?.args[0] ?? null,
    reload: `systemctl reload ${install.layout === 'debian' ? LAYOUTS.debian.service : LAYOUTS.rhel.service}`,
  };
}

export const certificateCheck: Check<DoctorContext> = {
  id: 'https.certificate',
  title: 'HTTPS certificate',
  async run(context) {
    const url = httpsUrl(context);
    if (typeof url === 'string') return skip(url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = portOf(url);
    const target = `${url.host}${url.port ? '' : `:${port}`}`;
    const probe = await probeTls(host, port, context.timeoutMs);
    if (!probe.ok) {
      return {
        status: 'fail',
        summary: `no TLS handshake with ${target}: ${probe.message}`,
        evidence: [`${probe.code}`],
        fix: [`httpd must listen on ${port} with mod_ssl (pnpm admin ops render --public-url ${url.href} renders the TLS host; see httpd.vhost)`],
      };
    }
    return certificateVerdict({ facts: probe.facts, target, host, now: new Date(), source: await certificateSource(context, url) });
  },
};

/** The port plain http is served on: 80, or the one other port httpd's map lists (a private instance). */
async function httpPort(context: DoctorContext, httpsPort: number): Promise<number> {
  const install = await httpdInstall(context);
  if (!install) return 80;
  const map = await vhostMap(context, install);
  const ports = [...new Set((map.sets ?? []).map((s) => s.port).filter((p): p is number => p !== '*' && p !== httpsPort))];
  return ports.includes(80) || ports.length !== 1 ? 80 : ports[0]!;
}

export const redirectCheck: Check<DoctorContext> = {
  id: 'https.redirect',
  title: 'http:// redirects to https://',
  async run(context) {
    const url = httpsUrl(context);
    if (typeof url === 'string') return skip(url.replace('to check its certificate', 'to check its http:// redirect'));
    const port = await httpPort(context, portOf(url));
    const http = new URL(url.href);
    http.protocol = 'http:';
    http.port = port === 80 ? '' : String(port);
    const result = await httpFetch({ url: http.href, timeoutMs: context.timeoutMs, headers: { accept: 'text/html' } });
    return redirectVerdict({ httpUrl: http.href, publicUrl: url, result });
  },
};

export const httpsChecks: Check<DoctorContext>[] = [certificateCheck, redirectCheck];
