// Parsers for what httpd's programs print (httpd(8), apachectl(8)) and Debian's envvars file.

/** What `httpd -V` (or apache2 -V, apachectl -V) says about the build. */
export interface VersionInfo {
  /** "Apache/2.4.62 (Red Hat Enterprise Linux)" */
  version: string | null;
  /** -D HTTPD_ROOT="/etc/httpd": the compiled-in ServerRoot */
  httpdRoot: string | null;
  /** -D SERVER_CONFIG_FILE="conf/httpd.conf": relative to HTTPD_ROOT unless absolute */
  serverConfigFile: string | null;
  /** -D DEFAULT_ERRORLOG="logs/error_log" */
  defaultErrorLog: string | null;
  mpm: string | null;
}

/** Parses `httpd -V`: "Server version: Apache/2.4.57 (…)", " -D HTTPD_ROOT="/etc/httpd"" … */
export function parseVersionInfo(output: string): VersionInfo | null {
  if (!/^Server version:/m.test(output)) return null;
  const define = (name: string) => new RegExp(`^\\s*-D\\s+${name}="([^"]*)"`, 'm').exec(output)?.[1] ?? null;
  return {
    version: /^Server version:\s*(.+?)\s*$/m.exec(output)?.[1] ?? null,
    httpdRoot: define('HTTPD_ROOT'),
    serverConfigFile: define('SERVER_CONFIG_FILE'),
    defaultErrorLog: define('DEFAULT_ERRORLOG'),
    mpm: /^Server MPM:[ \t]*(\S+)/m.exec(output)?.[1] ?? null,
  };
}

/** Parses `httpd -M`: "Loaded Modules:" then " proxy_module (shared)" lines. */
export function parseLoadedModules(output: string): Set<string> | null {
  if (!/^Loaded Modules:/m.test(output)) return null;
  const modules = new Set<string>();
  for (const m of output.matchAll(/^\s+(\w+_module)\s+\((?:static|shared)\)/gm)) modules.add(m[1]!);
  return modules;
}

/**
 * The variables Debian's /etc/apache2/envvars exports (`export APACHE_LOG_DIR=/var/log/apache2$SUFFIX`),
 * as apache2ctl would set them for the default instance (SUFFIX empty, APACHE_CONFDIR /etc/apache2).
 */
export function parseEnvvars(text: string): Record<string, string> {
  const vars: Record<string, string> = { APACHE_CONFDIR: '/etc/apache2', SUFFIX: '' };
  const expand = (value: string) =>
    value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_w, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const v = vars[name];
      return v !== undefined && v !== '' ? v : (fallback ?? v ?? '');
    });
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    // Only plain assignments at the top level: the SUFFIX `if` block is what the default above stands for.
    if (/^(if|then|else|fi)\b/.test(line) || raw.startsWith('\t') || raw.startsWith('  ')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    if (/^"(.*)"$/.test(value) || /^'(.*)'$/.test(value)) value = value.slice(1, -1);
    vars[m[1]!] = expand(value);
  }
  delete vars.SUFFIX;
  return vars;
}

/** The first line of a failed `httpd -t` worth showing: the syntax error, else the last line. */
export function configTestMessage(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /Syntax error|Invalid command|not allowed|AH\d{5}.*(error|Cannot|cannot)/i.test(l)) ?? lines.at(-1) ?? '(no output)';
}
