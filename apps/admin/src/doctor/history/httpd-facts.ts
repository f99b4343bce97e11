import type { DoctorContext } from '../context.js';
import { showDirective, type Section } from '../httpd/config-parser.js';
import { httpdConfig, httpdInstall, loadedModules } from '../httpd/install.js';
import type { Facts } from './run-record.js';
import { maskValue } from './secret-mask.js';

// What decides where a request through httpd goes and what the site then sees.
const PROXY_DIRECTIVES = new Set(['proxypass', 'proxypassmatch', 'proxypassreverse', 'proxypreservehost', 'proxyaddheaders', 'requestheader', 'proxytimeout']);
const MODULES = ['proxy_module', 'proxy_http_module', 'headers_module', 'ssl_module'];

const vhostName = (s: Section) => `<VirtualHost ${s.args.join(' ')}> in ${s.file}`;

/** httpd as this run read it: its files, virtual hosts (and their names), proxy directives, the proxy modules loaded. */
export async function httpdFacts(context: DoctorContext): Promise<Facts> {
  const install = await httpdInstall(context);
  if (!install || !install.configFound) return { 'httpd.files': install ? [] : null };
  const config = httpdConfig(context, install);
  const vhosts = new Map<string, string[]>();
  const proxy: string[] = [];
  for (const d of config.directives) {
    const vhost = d.sections.find((s) => s.name === 'virtualhost');
    if (vhost && !vhosts.has(vhostName(vhost))) vhosts.set(vhostName(vhost), []);
    if (vhost && (d.key === 'servername' || d.key === 'serveralias')) vhosts.get(vhostName(vhost))!.push(`${d.name} ${d.args.join(' ')}`);
    // Line numbers left out: an edit above a directive must not read as a change of it.
    if (PROXY_DIRECTIVES.has(d.key)) proxy.push(`${maskValue(showDirective(d))} (${vhost ? vhostName(vhost) : d.file})`);
  }
  const loaded = await loadedModules(context, install);
  return {
    'httpd.files': config.files,
    'httpd.vhosts': [...vhosts].map(([name, names]) => (names.length ? `${name}: ${names.join(', ')}` : name)),
    'httpd.proxy': proxy,
    'httpd.modules': MODULES.filter((m) => loaded.modules.has(m)),
  };
}
