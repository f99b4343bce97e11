// A reader for Apache httpd's configuration files, enough to find where each directive is and in
// which <VirtualHost>/<Location>/<IfModule> it sits. It follows httpd's own rules
// (https://httpd.apache.org/docs/2.4/configuring.html, .../mod/core.html#include):
//   - one directive per line; a line ending in a backslash continues on the next;
//   - a line whose first non-blank character is '#' is a comment (a '#' later on a line is not);
//   - arguments are separated by blanks; "double" or 'single' quotes group one argument;
//   - directive and section names are case-insensitive;
//   - ${NAME} is replaced by a Define'd (or environment) variable;
//   - <IfDefine NAME> (or !NAME) is read only when NAME is (not) Define'd at that point;
//   - Include / IncludeOptional take a file, a folder (every file in it and its sub-folders) or a
//     wildcard (fnmatch-style, in any path component, matches sorted); a relative path is relative
//     to ServerRoot. Include fails when nothing matches, IncludeOptional does not.
// It reads files only through the function it is given: no file system of its own.

/** A file's text, or the error code (ENOENT, EACCES) that stopped the read. */
export type ReadResult = { text: string } | { error: string };

export interface ConfigReader {
  read(path: string): ReadResult;
  /** a folder's entry names, [] when it cannot be listed */
  list(dir: string): string[];
  isDirectory(path: string): boolean;
}

/** An enclosing <Section …>: name lower-cased ("virtualhost", "location", "ifmodule"). */
export interface Section {
  name: string;
  args: string[];
  file: string;
  line: number;
  /** an <IfDefine> whose test is false (or a section inside one): httpd reads nothing in it */
  skipped?: boolean;
}

export interface Directive {
  /** as written, e.g. "ProxyPass" */
  name: string;
  /** lower-cased, for matching */
  key: string;
  /** arguments, unquoted, with ${VARS} replaced */
  args: string[];
  file: string;
  /** the line the directive starts on (1-based) */
  line: number;
  /** the enclosing sections, outermost first */
  sections: Section[];
}

export interface ConfigProblem {
  file: string;
  line: number | null;
  message: string;
}

export interface ParsedConfig {
  directives: Directive[];
  /** every file read, in the order httpd reads them */
  files: string[];
  problems: ConfigProblem[];
  /** ServerRoot at the end of the configuration */
  serverRoot: string;
  /** Define'd variables at the end of the configuration (plus the ones given) */
  variables: Record<string, string>;
}

export interface ParseOptions {
  /** ServerRoot until a ServerRoot directive says otherwise (httpd -V's HTTPD_ROOT) */
  serverRoot: string;
  /** variables ${NAME} resolves to before any Define (Debian: /etc/apache2/envvars) */
  variables?: Record<string, string>;
}

const MAX_INCLUDE_DEPTH = 32;

/** Where a file's text becomes logical lines: continuations joined, comments and blanks dropped. */
export function logicalLines(text: string): { line: number; text: string }[] {
  const raw = text.split(/\r?\n/);
  const out: { line: number; text: string }[] = [];
  for (let i = 0; i < raw.length; i++) {
    const start = i;
    let current = raw[i]!.replace(/\s+$/, '');
    while (current.endsWith('\\') && i + 1 < raw.length) {
      i++;
      current = `${current.slice(0, -1).replace(/\s+$/, '')} ${raw[i]!.trim()}`;
    }
    const trimmed = current.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    out.push({ line: start + 1, text: trimmed });
  }
  return out;
}

/** Splits a directive's arguments the way httpd's ap_getword_conf does. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== quote) {
        if (text[i] === '\\' && text[i + 1] === quote) i++;
        value += text[i];
        i++;
      }
      i++; // the closing quote
      args.push(value);
    } else {
      let value = '';
      while (i < text.length && !/\s/.test(text[i]!)) value += text[i++];
      args.push(value);
    }
  }
  return args;
}

/** Replaces ${NAME}; an unknown variable is left as written (httpd warns AH00111 and does the same). */
export function substitute(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => variables[name] ?? whole);
}

const hasWildcard = (s: string) => /[*?[]/.test(s);

/** fnmatch(3) for one path component: * and ? never match '/', nor a leading dot. */
export function fnmatch(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(name);
}

const joinPath = (dir: string, name: string) => (dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`);

/** An absolute path for `path` as httpd sees it: relative paths are relative to ServerRoot. */
export function resolveServerPath(path: string, serverRoot: string): string {
  const joined = path.startsWith('/') ? path : joinPath(serverRoot, path);
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The files an Include names: a file, a folder (recursively) or a wildcard, sorted as httpd does. */
export function expandInclude(pattern: string, reader: ConfigReader): string[] {
  const parts = pattern.split('/').filter((p) => p !== '');
  let candidates = ['/'];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of candidates) {
      if (hasWildcard(part)) {
        for (const name of [...reader.list(base)].sort()) if (fnmatch(part, name)) next.push(joinPath(base, name));
      } else next.push(joinPath(base, part));
    }
    candidates = next;
  }
  const files: string[] = [];
  const addFolder = (dir: string) => {
    for (const name of [...reader.list(dir)].sort()) {
      const path = joinPath(dir, name);
      if (reader.isDirectory(path)) addFolder(path);
      else files.push(path);
    }
  };
  for (const c of candidates) {
    if (reader.isDirectory(c)) {
      // A wildcard that matches a folder includes the folder; so does a plain folder name.
      addFolder(c);
    } else files.push(c);
  }
  return files;
}

/**
 * Reads a configuration from its main file, following Include/IncludeOptional, as httpd would.
 * Problems (a missing include, an unclosed section) are collected, never thrown.
 */
export function parseConfig(mainFile: string, reader: ConfigReader, options: ParseOptions): ParsedConfig {
  const directives: Directive[] = [];
  const problems: ConfigProblem[] = [];
  const files: string[] = [];
  const variables: Record<string, string> = { ...options.variables };
  const defines = new Set<string>();
  let serverRoot = options.serverRoot;

  const readFile = (file: string, stack: Section[], depth: number, from: { file: string; line: number } | null, optional: boolean) => {
    if (depth > MAX_INCLUDE_DEPTH) {
      problems.push({ file: from?.file ?? file, line: from?.line ?? null, message: `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels (a loop?) at ${file}` });
      return;
    }
    const read = reader.read(file);
    if ('error' in read) {
      if (!(optional && read.error === 'ENOENT')) {
        problems.push({ file: from?.file ?? file, line: from?.line ?? null, message: `cannot read ${file} (${read.error})` });
      }
      return;
    }
    files.push(file);
    const own: Section[] = [];
    for (const { line, text } of logicalLines(read.text)) {
      const current = [...stack, ...own];
      const close = /^<\/\s*([^\s>]+)\s*>$/.exec(text);
      if (close) {
        const name = close[1]!.toLowerCase();
        const open = own.at(-1);
        if (!open) problems.push({ file, line, message: `</${close[1]}> without an opening section in this file` });
        else if (open.name !== name) problems.push({ file, line, message: `</${close[1]}> closes <${open.name}> (line ${open.line})` });
        else own.pop();
        continue;
      }
      const skipping = current.some((s) => s.skipped);
      const openMatch = /^<\s*([^\s>]+)(.*?)>$/.exec(text);
      if (openMatch) {
        const section: Section = { name: openMatch[1]!.toLowerCase(), args: splitArgs(substitute(openMatch[2]!, variables)), file, line };
        // <IfDefine [!]NAME>: a name Define'd so far (httpd's -D names are not known here).
        if (section.name === 'ifdefine' && section.args[0]) {
          const negated = section.args[0].startsWith('!');
          const defined = defines.has(negated ? section.args[0].slice(1) : section.args[0]);
          if (defined === negated) section.skipped = true;
        }
        if (skipping) section.skipped = true;
        own.push(section);
        continue;
      }
      if (skipping) continue;
      const m = /^(\S+)\s*(.*)$/.exec(text);
      if (!m) continue;
      const name = m[1]!;
      const key = name.toLowerCase();
      const args = splitArgs(substitute(m[2]!, variables));
      directives.push({ name, key, args, file, line, sections: current });
      if (key === 'define' && args[0]) {
        variables[args[0]] = args[1] ?? '';
        defines.add(args[0]);
      } else if (key === 'undefine' && args[0]) {
        delete variables[args[0]];
        defines.delete(args[0]);
      }
      else if (key === 'serverroot' && args[0] && current.length === 0) serverRoot = resolveServerPath(args[0], '/');
      else if ((key === 'include' || key === 'includeoptional') && args[0]) {
        const isOptional = key === 'includeoptional';
        const target = resolveServerPath(args[0], serverRoot);
        const matched = expandInclude(target, reader);
        if (matched.length === 0 && hasWildcard(target) && !isOptional) {
          problems.push({ file, line, message: `Include ${args[0]}: no file matches ${target}` });
        }
        for (const included of matched) readFile(included, current, depth + 1, { file, line }, isOptional || hasWildcard(target));
      }
    }
    for (const open of own) problems.push({ file, line: open.line, message: `<${open.name}> is not closed in ${file}` });
  };

  readFile(resolveServerPath(mainFile, serverRoot), [], 0, null, false);
  return { directives, files, problems, serverRoot, variables };
}

/** Where a directive is, for evidence: "/etc/httpd/conf.d/kdt.conf:12". */
export const where = (d: { file: string; line: number }) => `${d.file}:${d.line}`;

/** The directive as it reads in the file (arguments re-quoted where they hold blanks). */
export function showDirective(d: Directive): string {
  return [d.name, ...d.args.map((a) => (a === '' || /\s/.test(a) ? `"${a}"` : a))].join(' ');
}

/** The innermost enclosing section of a kind ("virtualhost", "location" …). */
export function enclosing(d: Directive, name: string): Section | undefined {
  return [...d.sections].reverse().find((s) => s.name === name);
}

/** The module identifier an <IfModule> names: "mod_proxy.c" and "proxy_module" both mean proxy_module. */
export function moduleIdentifier(name: string): string {
  const m = /^mod_(.+)\.c$/.exec(name);
  return m ? `${m[1]}_module` : name;
}

/**
 * Whether a directive is in effect given the loaded modules: an <IfModule X> whose module is not
 * loaded (or <IfModule !X> whose module is) hides everything inside. Returns the hiding section.
 */
export function hiddenBy(d: Directive, loaded: ReadonlySet<string>): Section | undefined {
  return d.sections.find((s) => {
    if (s.name !== 'ifmodule' || !s.args[0]) return false;
    const negated = s.args[0].startsWith('!');
    const module = moduleIdentifier(negated ? s.args[0].slice(1) : s.args[0]);
    return loaded.has(module) === negated;
  });
}
