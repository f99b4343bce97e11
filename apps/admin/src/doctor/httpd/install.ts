// Finding httpd on this machine: its program, its layout and its configuration, through the
// doctor's context only (context.files for files under --root, context.commands for programs).
//
// The two layouts (the distributions' packaging):
//   RHEL/CentOS/Fedora (httpd package): program httpd (and apachectl), ServerRoot /etc/httpd, main file
//     conf/httpd.conf, which includes conf.modules.d/*.conf (LoadModule lines) and conf.d/*.conf;
//     logs/ is a link to /var/log/httpd (error_log).
//   Debian/Ubuntu (apache2 package): program apache2, run through apache2ctl, which first sources
//     /etc/apache2/envvars (APACHE_LOG_DIR=/var/log/apache2 …); ServerRoot /etc/apache2, main file
//     apache2.conf, which includes mods-enabled/*.load and *.conf, ports.conf, conf-enabled/*.conf and
//     sites-enabled/*.conf; a2enmod/a2ensite manage the links.

import { dirname, resolve } from 'node:path';
import type { CommandResult } from '../command-runner.js';
import type { DoctorContext } from '../context.js';
import { localFiles, type SystemFiles } from '../system-files.js';
import { parseConfig, type ConfigReader, type ParsedConfig } from './config-parser.js';
import { parseEnvvars, parseLoadedModules, parseVersionInfo, type VersionInfo } from './program-output.js';
import { parseVhostDump, type AddressSet } from './vhost-map.js';

export type Layout = 'rhel' | 'debian' | 'other';

export interface HttpdInstall {
  layout: Layout;
  /** the program that answered -V ("httpd", "/usr/sbin/apache2" …), null when none did */
  program: string | null;
  /** how -V answered */
  versionInfo: VersionInfo | null;
  /** the control program to run -t and -M with: apache2ctl on Debian (it sets the envvars), else httpd */
  control: string | null;
  serverRoot: string;
  mainConfig: string;
  /** the main configuration file exists (under --root) */
  configFound: boolean;
  /** Debian's envvars, for ${APACHE_LOG_DIR} and friends */
  variables: Record<string, string>;
  /** where the facts came from, for the report */
  notes: string[];
}

export const LAYOUTS = {
  rhel: { serverRoot: '/etc/httpd', mainConfig: '/etc/httpd/conf/httpd.conf', programs: ['httpd', 'apachectl'], errorLog: '/var/log/httpd/error_log', service: 'httpd' },
  debian: { serverRoot: '/etc/apache2', mainConfig: '/etc/apache2/apache2.conf', programs: ['apache2ctl', 'apache2'], errorLog: '/var/log/apache2/error.log', service: 'apache2' },
} as const;

/** Programs tried for -V, in order; /usr/sbin spelled out for accounts whose PATH lacks it. */
export const VERSION_PROGRAMS = ['httpd', 'apache2', 'apachectl', 'apache2ctl', '/usr/sbin/httpd', '/usr/sbin/apache2', '/usr/sbin/apachectl', '/usr/sbin/apache2ctl'];

export function readerFor(files: SystemFiles): ConfigReader {
  return {
    read: (path) => files.read(path),
    list: (dir) => files.list(dir),
    isDirectory: (path) => files.stat(path)?.isDirectory() ?? false,
  };
}

const answered = (r: CommandResult) => r.error !== 'ENOENT' && r.error !== 'EACCES';

/**
 * Where httpd's files are read: under --root, or, with --httpd-config (a configuration on this
 * machine, e.g. a private instance's), where they are.
 */
export function httpdFiles(context: DoctorContext): SystemFiles {
  return context.options.httpdConfig ? localFiles : context.files;
}

/** Runs `program args` with the control program's name; the output of both streams. */
export async function runHttpd(context: DoctorContext, install: HttpdInstall, args: string[]): Promise<CommandResult | null> {
  const timeout = Math.max(context.timeoutMs, 5000);
  if (context.options.httpdConfig) {
    // That configuration, not the machine's: the program itself with -f (no envvars needed).
    if (!install.program) return null;
    const result = await context.commands.run(install.program, [...args, '-f', install.mainConfig], timeout);
    return answered(result) ? result : null;
  }
  if (!install.control) return null;
  const result = await context.commands.run(install.control, args, timeout);
  return answered(result) ? result : null;
}

/** Looks for httpd: the program's own -V, then the distributions' files. Null when there is no httpd. */
export async function discoverHttpd(context: DoctorContext): Promise<HttpdInstall | null> {
  const { commands } = context;
  const files = httpdFiles(context);
  const given = context.options.httpdConfig ? resolve(context.options.httpdConfig) : null;
  const notes: string[] = [];
  let program: string | null = null;
  let versionInfo: VersionInfo | null = null;
  for (const candidate of VERSION_PROGRAMS) {
    const result = await commands.run(candidate, ['-V'], Math.max(context.timeoutMs, 5000));
    if (!answered(result)) continue;
    // Debian's apache2 -V exits 1 without envvars (it cannot read apache2.conf) yet prints the build.
    const info = parseVersionInfo(result.stdout + result.stderr);
    if (info) {
      program = candidate;
      versionInfo = info;
      notes.push(`${candidate} -V: ${info.version ?? 'unknown version'}, HTTPD_ROOT="${info.httpdRoot ?? '?'}", SERVER_CONFIG_FILE="${info.serverConfigFile ?? '?'}"`);
      break;
    }
  }

  const base = (program ?? '').split('/').pop() ?? '';
  let layout: Layout =
    base.startsWith('apache2') || versionInfo?.httpdRoot === '/etc/apache2' || (!program && files.exists(LAYOUTS.debian.mainConfig))
      ? 'debian'
      : base === 'httpd' || base === 'apachectl' || versionInfo?.httpdRoot === '/etc/httpd' || (!program && files.exists(LAYOUTS.rhel.mainConfig))
        ? 'rhel'
        : 'other';
  if (layout === 'rhel' && !files.exists(LAYOUTS.rhel.mainConfig) && files.exists(LAYOUTS.debian.mainConfig)) layout = 'debian';

  if (!program && layout === 'other') return null;

  const defaults = layout === 'other' ? null : LAYOUTS[layout];
  const serverRoot = versionInfo?.httpdRoot ?? defaults?.serverRoot ?? '/etc/httpd';
  const configFile = versionInfo?.serverConfigFile ?? null;
  let mainConfig = configFile ? (configFile.startsWith('/') ? configFile : `${serverRoot.replace(/\/$/, '')}/${configFile}`) : (defaults?.mainConfig ?? `${serverRoot}/conf/httpd.conf`);
  if (!files.exists(mainConfig) && defaults && files.exists(defaults.mainConfig)) mainConfig = defaults.mainConfig;
  if (given) {
    notes.push(`--httpd-config ${given}`);
    return { layout, program, versionInfo, control: program, serverRoot: dirname(given), mainConfig: given, configFound: files.exists(given), variables: {}, notes };
  }

  let variables: Record<string, string> = {};
  if (layout === 'debian') {
    const envvars = files.read(`${serverRoot}/envvars`);
    if ('text' in envvars) {
      variables = parseEnvvars(envvars.text);
      notes.push(`${serverRoot}/envvars: APACHE_LOG_DIR=${variables.APACHE_LOG_DIR ?? '?'}`);
    }
  }

  // The program to run -t and -M with: Debian's apache2 needs the envvars apache2ctl sets; httpd and
  // apachectl run as they are.
  let control: string | null = program;
  if (program && layout === 'debian' && base === 'apache2') control = program.replace(/apache2$/, 'apache2ctl');
  return { layout, program, versionInfo, control, serverRoot, mainConfig, configFound: files.exists(mainConfig), variables, notes };
}

const discovered = new WeakMap<DoctorContext, Promise<HttpdInstall | null>>();
const parsed = new WeakMap<DoctorContext, ParsedConfig>();
const modules = new WeakMap<DoctorContext, Promise<LoadedModules>>();

/** discoverHttpd, once per doctor run (the checks share it). */
export function httpdInstall(context: DoctorContext): Promise<HttpdInstall | null> {
  let found = discovered.get(context);
  if (!found) {
    found = discoverHttpd(context);
    discovered.set(context, found);
  }
  return found;
}

/** The configuration as httpd reads it, once per doctor run. */
export function httpdConfig(context: DoctorContext, install: HttpdInstall): ParsedConfig {
  let config = parsed.get(context);
  if (!config) {
    config = parseConfig(install.mainConfig, readerFor(httpdFiles(context)), { serverRoot: install.serverRoot, variables: install.variables });
    parsed.set(context, config);
  }
  return config;
}

export interface LoadedModules {
  modules: Set<string>;
  /** "apache2ctl -M" or "the LoadModule lines" */
  source: string;
  /** the program's stderr when -M failed and the LoadModule lines were used instead */
  note: string | null;
}

/** The loaded modules: `httpd -M` (what the server really loads), else the LoadModule lines. */
export function loadedModules(context: DoctorContext, install: HttpdInstall): Promise<LoadedModules> {
  let found = modules.get(context);
  if (!found) {
    found = (async () => {
      const result = await runHttpd(context, install, ['-M']);
      const fromProgram = result ? parseLoadedModules(result.stdout) : null;
      if (result && fromProgram && fromProgram.size > 0) return { modules: fromProgram, source: `${install.control} -M`, note: null };
      const config = httpdConfig(context, install);
      const set = new Set<string>(['core_module', 'so_module', 'http_module']);
      for (const d of config.directives) if (d.key === 'loadmodule' && d.args[0]) set.add(d.args[0]);
      const why = result ? (result.stderr.trim().split('\n').at(-1) ?? `exit ${result.code}`) : null;
      return { modules: set, source: `the LoadModule lines of ${install.mainConfig} and its includes`, note: why ? `${install.control} -M failed: ${why}` : null };
    })();
    modules.set(context, found);
  }
  return found;
}

export interface VhostMap {
  /** null when the program did not answer with a map */
  sets: AddressSet[] | null;
  /** "apache2ctl -S" */
  source: string;
  /** why there is no map: the program's last line, or that it cannot run */
  note: string | null;
}

const vhostMaps = new WeakMap<DoctorContext, Promise<VhostMap>>();

/** httpd's own virtual host map (`-S`), once per doctor run. */
export function vhostMap(context: DoctorContext, install: HttpdInstall): Promise<VhostMap> {
  let found = vhostMaps.get(context);
  if (!found) {
    found = (async () => {
      const source = `${install.control ?? 'httpd'} -S`;
      const result = await runHttpd(context, install, ['-S']);
      if (!result) return { sets: null, source, note: `cannot run ${source}: the program is not on this account's PATH` };
      // The map goes to stdout; Debian's apache2ctl passes apache2's stderr on.
      const sets = parseVhostDump(`${result.stdout}\n${result.stderr}`);
      const why = `${result.stderr}`.trim().split('\n').at(-1) || `exit ${result.code ?? result.error}`;
      return { sets, source, note: sets ? null : `${source} printed no virtual host map: ${why}` };
    })();
    vhostMaps.set(context, found);
  }
  return found;
}
