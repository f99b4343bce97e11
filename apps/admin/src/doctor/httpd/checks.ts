// The httpd checks: is httpd there, does its configuration load, are the proxy modules loaded,
// does a ProxyPass take the site's requests to where the site listens with the headers its origin
// check needs, and what the error log says about proxy failures.

import type { DoctorContext } from '../context.js';
import { fail, pass, skip, warn, type Check, type CheckOutcome } from '../types.js';
import { hiddenBy, resolveServerPath, showDirective, where, type Directive } from './config-parser.js';
import { explainProxyErrors, recentEntries } from './error-log.js';
import { httpdConfig, httpdFiles, httpdInstall, LAYOUTS, loadedModules, runHttpd, type HttpdInstall } from './install.js';
import { configTestMessage } from './program-output.js';
import { analyzeProxy, proxyRoutes, verdict, type Finding } from './proxy-analysis.js';
import { vhostCheck } from './vhost-check.js';

export const NOT_INSTALLED = 'httpd not installed';

/** The install, or the outcome to return when there is none (the runner's needs make this rare). */
async function found(context: DoctorContext): Promise<HttpdInstall | CheckOutcome> {
  const install = await httpdInstall(context);
  return install ?? skip(NOT_INSTALLED);
}

const isOutcome = (x: HttpdInstall | CheckOutcome): x is CheckOutcome => 'status' in x;

const serviceName = (install: HttpdInstall) => (install.layout === 'debian' ? LAYOUTS.debian.service : LAYOUTS.rhel.service);
const reload = (install: HttpdInstall) => `systemctl reload ${serviceName(install)}`;

export const installedCheck: Check<DoctorContext> = {
  id: 'httpd.installed',
  title: 'httpd installed',
  async run(context) {
    const install = await httpdInstall(context);
    if (!install) {
      return skip(`${NOT_INSTALLED} (no httpd or apache2 program, no ${LAYOUTS.rhel.mainConfig} or ${LAYOUTS.debian.mainConfig})`);
    }
    const evidence = [...install.notes];
    if (!install.configFound) {
      return fail(`${install.program ?? 'httpd'} is installed but its configuration ${install.mainConfig} is missing`, evidence, [
        install.layout === 'debian' ? 'apt-get install --reinstall apache2' : 'dnf reinstall httpd',
      ]);
    }
    const config = httpdConfig(context, install);
    evidence.push(`${install.mainConfig} and ${config.files.length - 1} included file(s), ServerRoot ${config.serverRoot}`);
    for (const p of config.problems) evidence.push(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
    const layout = install.layout === 'debian' ? 'Debian layout' : install.layout === 'rhel' ? 'RHEL layout' : 'custom layout';
    if (!install.program) {
      return warn(`configuration found (${install.mainConfig}, ${layout}) but no httpd program answers: its configuration cannot be tested`, evidence, [
        'run the doctor as root, or with /usr/sbin in PATH',
      ]);
    }
    return pass(`${install.versionInfo?.version ?? install.program} (${layout}): ${install.mainConfig}`, evidence);
  },
};

/** The module an "Invalid command 'X'" names, for its fix. */
const MODULE_OF: Record<string, string> = {
  proxypass: 'proxy',
  proxypassreverse: 'proxy',
  proxypassmatch: 'proxy',
  proxypreservehost: 'proxy',
  proxyaddheaders: 'proxy',
  proxytimeout: 'proxy',
  requestheader: 'headers',
  header: 'headers',
  rewriteengine: 'rewrite',
  rewriterule: 'rewrite',
  sslengine: 'ssl',
  sslcertificatefile: 'ssl',
  redirect: 'alias',
};

export const configTestCheck: Check<DoctorContext> = {
  id: 'httpd.config_test',
  title: 'httpd configuration loads',
  needs: ['httpd.installed'],
  async run(context) {
    const install = await found(context);
    if (isOutcome(install)) return install;
    const command = `${install.control ?? 'httpd'} -t`;
    const result = await runHttpd(context, install, ['-t']);
    if (!result) return warn(`cannot run ${command}: the program is not on this account's PATH`, install.notes, ['run the doctor as root']);
    const output = `${result.stderr}\n${result.stdout}`;
    const lines = output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (result.code === 0 && /Syntax OK/.test(output)) {
      const warnings = lines.filter((l) => l !== 'Syntax OK');
      return pass(`${command}: Syntax OK`, warnings.map((l) => `${command}: ${l}`));
    }
    if (result.error === 'ETIMEDOUT') return warn(`${command} did not finish in time`, lines);
    const message = configTestMessage(output);
    const fix: string[] = [];
    const at = /Syntax error on line (\d+) of ([^:]+):/.exec(output);
    const invalid = /Invalid command '([^']+)'/.exec(output);
    const module = invalid ? MODULE_OF[invalid[1]!.toLowerCase()] : undefined;
    if (module) {
      fix.push(
        install.layout === 'debian'
          ? `${invalid![1]} needs mod_${module}: a2enmod ${module}`
          : `${invalid![1]} needs mod_${module}: load it (LoadModule ${module}_module modules/mod_${module}.so, see httpd.modules)`,
      );
    }
    if (at) fix.push(`edit line ${at[1]} of ${at[2]}`);
    fix.push(`${command} until it says Syntax OK, then ${reload(install)}`);
    const summary = at ? `${message.replace(/:$/, '')}${invalid ? `: ${invalid[0]}` : ''}` : message;
    return fail(`${command} fails: ${summary}`, lines.map((l) => `${command}: ${l}`), fix);
  },
};

const REQUIRED: { module: string; file: string; why: string }[] = [
  { module: 'proxy', file: '00-proxy.conf', why: 'ProxyPass' },
  { module: 'proxy_http', file: '00-proxy.conf', why: 'http:// and unix: backends' },
  { module: 'headers', file: '00-base.conf', why: 'RequestHeader (X-Forwarded-Proto)' },
];

/** Is headers_module needed? When the site reads a proxy header httpd must set, or the config uses RequestHeader. */
function needsHeaders(context: DoctorContext, directives: Directive[]): boolean {
  const { protocolHeader, hostHeader, origin } = context.site;
  if (!origin && (protocolHeader || (hostHeader && hostHeader !== 'x-forwarded-host'))) return true;
  return directives.some((d) => d.key === 'requestheader' || d.key === 'header');
}

/** A commented-out "#LoadModule NAME_module …" line in the configuration's files, for the fix. */
function commentedLoadModule(context: DoctorContext, files: string[], module: string): string | null {
  for (const file of files) {
    const read = httpdFiles(context).read(file);
    if (!('text' in read)) continue;
    const lines = read.text.split(/\r?\n/);
    const i = lines.findIndex((l) => new RegExp(`^\\s*#\\s*LoadModule\\s+${module}_module\\s`).test(l));
    if (i >= 0) return `uncomment line ${i + 1} of ${file}: ${lines[i]!.trim().replace(/^#\s*/, '')}`;
  }
  return null;
}

export const modulesCheck: Check<DoctorContext> = {
  id: 'httpd.modules',
  title: 'httpd proxy modules',
  needs: ['httpd.installed'],
  async run(context) {
    const install = await found(context);
    if (isOutcome(install)) return install;
    const config = httpdConfig(context, install);
    const loaded = await loadedModules(context, install);
    const wanted = REQUIRED.filter((r) => r.module !== 'headers' || needsHeaders(context, config.directives));
    const missing = wanted.filter((r) => !loaded.modules.has(`${r.module}_module`));
    const evidence = [`loaded modules from ${loaded.source}: ${REQUIRED.map((r) => `${r.module}_module ${loaded.modules.has(`${r.module}_module`) ? 'loaded' : 'not loaded'}`).join(', ')}`];
    if (loaded.note) evidence.push(loaded.note);
    if (missing.length === 0) {
      const headersNote = wanted.length < REQUIRED.length && !loaded.modules.has('headers_module') ? ' (headers not loaded: not needed, the site has a fixed ORIGIN)' : '';
      return pass(`${wanted.map((r) => `mod_${r.module}`).join(', ')} loaded${headersNote}`, evidence);
    }
    const names = missing.map((r) => `mod_${r.module}`).join(', ');
    for (const r of missing) evidence.push(`mod_${r.module} is needed for ${r.why}`);
    // Nothing to proxy: the modules are not missing for anything yet.
    if (proxyRoutes(config.directives, null).length === 0 && !context.site.publicUrl) {
      return skip(`httpd proxies nothing (no ProxyPass): the site is not served through httpd here (${names} not loaded)`, evidence);
    }
    let fix: string[];
    if (install.layout === 'debian') {
      fix = [`a2enmod ${missing.map((r) => r.module).join(' ')}`, `systemctl restart ${LAYOUTS.debian.service}`];
    } else {
      const modulesDir = `${install.serverRoot}/conf.modules.d`;
      fix = missing.map((r) => {
        const commented = commentedLoadModule(context, config.files, r.module);
        return commented ?? `add to ${install.layout === 'rhel' ? `${modulesDir}/${r.file}` : install.mainConfig}: LoadModule ${r.module}_module modules/mod_${r.module}.so`;
      });
      fix.push(`systemctl restart ${LAYOUTS.rhel.service}`);
    }
    return fail(`not loaded: ${names}`, evidence, fix);
  },
};

const dedupe = (items: string[]) => [...new Set(items)];

export const proxyCheck: Check<DoctorContext> = {
  id: 'httpd.proxy',
  title: 'httpd proxies to the site',
  needs: ['httpd.installed'],
  async run(context) {
    const install = await found(context);
    if (isOutcome(install)) return install;
    const config = httpdConfig(context, install);
    const loaded = await loadedModules(context, install);
    const analysis = analyzeProxy(config.directives, context.site, loaded.modules);
    if (analysis.proxiesNothing) {
      const hidden = config.directives.filter((d) => (d.key === 'proxypass' || d.key === 'proxypassmatch') && hiddenBy(d, loaded.modules));
      if (hidden.length) {
        return fail(
          `every ProxyPass is inside an <IfModule> for a module that is not loaded: httpd ignores them`,
          hidden.map((d) => `${where(d)}: ${showDirective(d)} (inside <IfModule ${hiddenBy(d, loaded.modules)!.args.join(' ')}>)`),
          ['load the proxy modules (see httpd.modules)', `then ${reload(install)}`],
        );
      }
      if (!context.site.publicUrl) return skip('httpd proxies nothing (no ProxyPass): the site is not served through httpd here', analysis.evidence);
    }
    const status = verdict(analysis.findings);
    const worst = analysis.findings.filter((f) => f.severity === status);
    const others = analysis.findings.filter((f) => f.severity !== status);
    const evidence = [...analysis.evidence, ...worst.slice(1).map((f) => f.message), ...others.map((f) => `${f.severity === 'warn' ? 'also' : 'note'}: ${f.message}`)];
    const fix = dedupe(analysis.findings.flatMap((f: Finding) => f.fix ?? []));
    if (fix.length && status !== 'pass') fix.push(`${install.control ?? 'apachectl'} -t && ${reload(install)}`);
    if (status === 'pass') {
      const r = analysis.route!;
      return pass(`${r.location ? `<Location ${r.path}> ` : ''}ProxyPass ${r.path} → ${r.url} (${where(r.directive)}) points at the site; the origin agrees`, evidence);
    }
    return { status, summary: worst[0]!.message, evidence, fix };
  },
};

/** Where the error log is: the ErrorLog of the site's virtual host, else the main server's, else the layout's. */
export function errorLogCandidates(install: HttpdInstall, directives: Directive[], vhostOf: Directive | null): { paths: string[]; special: string | null } {
  const logs = directives.filter((d) => d.key === 'errorlog' && d.args[0]);
  const vhost = vhostOf?.sections.find((s) => s.name === 'virtualhost');
  const mine = vhost ? logs.filter((d) => d.sections.some((s) => s.name === 'virtualhost' && s.file === vhost.file && s.line === vhost.line)).at(-1) : undefined;
  const main = logs.filter((d) => !d.sections.some((s) => s.name === 'virtualhost')).at(-1);
  const chosen = mine ?? main;
  const defaults =
    install.layout === 'debian'
      ? [LAYOUTS.debian.errorLog]
      : install.layout === 'rhel'
        ? [LAYOUTS.rhel.errorLog]
        : [resolveServerPath(install.versionInfo?.defaultErrorLog ?? 'logs/error_log', install.serverRoot)];
  if (!chosen) return { paths: defaults, special: null };
  const value = chosen.args[0]!;
  if (value.startsWith('|') || value.startsWith('syslog')) return { paths: [], special: `${where(chosen)}: ErrorLog ${value}` };
  const path = resolveServerPath(value, install.serverRoot);
  // RHEL's /etc/httpd/logs is a link to /var/log/httpd.
  const viaLink = path.startsWith(`${install.serverRoot}/logs/`) ? `/var/log/httpd/${path.slice(install.serverRoot.length + 6)}` : null;
  return { paths: dedupe([path, ...(viaLink ? [viaLink] : [])]), special: null };
}

export const errorLogCheck: Check<DoctorContext> = {
  id: 'httpd.error_log',
  title: 'httpd error log',
  needs: ['httpd.installed'],
  async run(context) {
    const install = await found(context);
    if (isOutcome(install)) return install;
    const config = httpdConfig(context, install);
    const loaded = await loadedModules(context, install);
    const route = analyzeProxy(config.directives, context.site, loaded.modules).route;
    const { paths, special } = errorLogCandidates(install, config.directives, route?.directive ?? null);
    if (special) return skip('httpd does not log to a file: read its log where it goes', [special, `journalctl -u ${serviceName(install)}`]);
    let text: string | null = null;
    let path = paths[0]!;
    const errors: string[] = [];
    for (const candidate of paths) {
      const read = httpdFiles(context).readTail(candidate);
      if ('text' in read) {
        text = read.text;
        path = candidate;
        break;
      }
      errors.push(`${candidate}: ${read.error}`);
    }
    if (text === null) {
      if (errors.some((e) => e.endsWith('EACCES'))) return warn(`cannot read ${path} (permission denied)`, errors, ['run the doctor as root to read httpd\'s error log']);
      return skip(`no error log at ${paths.join(' or ')} yet`, errors);
    }
    const { entries, since } = recentEntries(text);
    const problems = explainProxyErrors(entries, context.site.listen);
    const window = `the last ${entries.length} line(s) of ${path}${since ? ' since httpd last started' : ''}`;
    if (entries.length === 0) return pass(`${path} is empty`);
    if (problems.length === 0) return pass(`no proxy errors in ${window}`, since ? [`since: ${since}`] : []);
    const evidence: string[] = [];
    for (const p of problems) {
      evidence.push(`${path}:${p.last.line}: ${p.last.raw.trim()}${p.count > 1 ? ` (${p.count} such lines)` : ''}`);
      evidence.push(`  meaning: ${p.meaning}`);
    }
    if (since) evidence.push(`lines read: after "${since}"`);
    const fix = dedupe(problems.flatMap((p) => p.fix));
    const head = problems[0]!;
    const summary = `${head.title}: ${head.last.code ?? 'proxy error'}${head.count > 1 ? ` ×${head.count}` : ''}${head.last.timestamp ? `, last at ${head.last.timestamp}` : ''}`;
    return problems.some((p) => p.configurationFault) ? fail(summary, evidence, fix) : warn(summary, evidence, fix);
  },
};

/** The httpd checks in dependency order. */
export const httpdChecks: Check<DoctorContext>[] = [installedCheck, configTestCheck, modulesCheck, proxyCheck, vhostCheck, errorLogCheck];
