import { CoverIndex } from './cover-index.js';
import type { HbaAddress, HbaFile, HbaFinding, HbaRule } from './types.js';
import { DATABASE_KEYWORDS } from './covers.js';

const ADDRESS_KEYWORDS = ['all', 'samehost', 'samenet'];

function show(rule: HbaRule): string {
  return `\`${rule.raw.trim().replace(/\s+/g, ' ')}\``;
}

function where(rule: HbaRule, file: string): string {
  return rule.file === file ? `line ${rule.line}` : `${rule.file}:${rule.line}`;
}

function addressText(a: HbaAddress | null): string {
  if (!a) return 'the socket';
  if (a.kind === 'ip') {
    // Show a contiguous mask as its prefix length (::1/128), as people write it.
    const width = a.family === 4 ? 32 : 128;
    const bits = a.maskBits.toString(2).padStart(width, '0');
    return /^1*0*$/.test(bits) ? `${a.address}/${bits.indexOf('0') === -1 ? width : bits.indexOf('0')}` : `${a.address}/${a.netmask}`;
  }
  if (a.kind === 'hostname') return a.name;
  return a.kind;
}

/**
 * Findings an operator should act on: lines that can never match, lines the server refuses,
 * `trust` over the network, clear-text and deprecated password methods, `ident` over TCP/IP,
 * keywords quoted by mistake. Each finding's message names the fix.
 */
export function lintHba(hba: HbaFile): HbaFinding[] {
  const findings: HbaFinding[] = [];
  const add = (file: string, line: number, severity: HbaFinding['severity'], code: string, message: string) =>
    findings.push({ file, line, severity, code, message });

  for (const entry of hba.entries) {
    if (entry.kind === 'invalid') {
      add(entry.file, entry.line, 'warn', 'invalid-line', `line ${entry.line}: ${entry.message}: fix it, the server refuses the whole file and keeps its previous rules`);
    }
  }
  if (hba.rules.length === 0 && hba.invalid.length === 0) {
    add(hba.file, 1, 'warn', 'no-entries', 'the file has no rules: the server refuses to load it; add at least one line such as `local all all peer`');
  }

  const earlier = new CoverIndex();
  hba.rules.forEach((rule) => {
    const at = where(rule, hba.file);
    if (rule.viewError !== undefined) {
      add(rule.file, rule.line, 'warn', 'never-matches', `${at}: ${rule.viewError}: ${rule.type === 'hostssl' ? 'set ssl = on or use host' : 'use host'}`);
    }
    const shadow = earlier.firstCovering(rule);
    earlier.add(rule);
    if (shadow) {
      add(
        rule.file,
        rule.line,
        'warn',
        'unreachable-line',
        `${at} ${show(rule)} can never match: ${where(shadow, hba.file)} ${show(shadow)} takes every connection it would; move ${at} above ${where(shadow, hba.file)}`,
      );
    }
    if (rule.method === 'trust' && rule.type !== 'local') {
      add(rule.file, rule.line, 'warn', 'trust-over-network', `${at}: trust lets anyone reaching ${addressText(rule.address)} in as any listed user without a password; use scram-sha-256`);
    }
    if (rule.method === 'password') {
      const severity = rule.type === 'hostssl' ? 'info' : 'warn';
      add(rule.file, rule.line, severity, 'cleartext-password', `${at}: password sends the password in clear text; use scram-sha-256`);
    }
    if (rule.method === 'md5') {
      const severity = hba.serverMajor >= 18 ? 'warn' : 'info';
      add(rule.file, rule.line, severity, 'md5-deprecated', `${at}: md5 is deprecated in PostgreSQL 18; prefer scram-sha-256 (with password_encryption = scram-sha-256, then set the password again)`);
    }
    if (rule.method === 'ident' && rule.type !== 'local') {
      add(rule.file, rule.line, 'warn', 'ident-over-network', `${at}: ident over TCP/IP believes whatever identd on the client machine says; use scram-sha-256 (or peer on a local line)`);
    }
    for (const t of rule.databases) {
      if (t.quoted && DATABASE_KEYWORDS.includes(t.text)) {
        add(rule.file, rule.line, 'warn', 'quoted-keyword', `${at}: "${t.text}" in quotes is a database named ${t.text}, not the keyword; remove the quotes`);
      }
      if (hba.serverMajor < 16 && !t.quoted && t.text.startsWith('/')) {
        add(rule.file, rule.line, 'info', 'regex-needs-16', `${at}: PostgreSQL ${hba.serverMajor} reads ${t.text} as a database name; regular expressions need PostgreSQL 16, list the names instead`);
      }
    }
    for (const t of rule.users) {
      if (t.quoted && (t.text === 'all' || t.text.startsWith('+'))) {
        const what = t.text === 'all' ? 'a user named all, not the keyword' : `a user named ${t.text}, not members of ${t.text.slice(1)}`;
        add(rule.file, rule.line, 'warn', 'quoted-keyword', `${at}: "${t.text}" in quotes is ${what}; remove the quotes`);
      }
      if (hba.serverMajor < 16 && !t.quoted && t.text.startsWith('/')) {
        add(rule.file, rule.line, 'info', 'regex-needs-16', `${at}: PostgreSQL ${hba.serverMajor} reads ${t.text} as a user name; regular expressions need PostgreSQL 16, list the names instead`);
      }
    }
    if (rule.address?.kind === 'hostname' && ADDRESS_KEYWORDS.includes(rule.address.name)) {
      add(rule.file, rule.line, 'warn', 'quoted-keyword', `${at}: "${rule.address.name}" in quotes is a host name, not the keyword; remove the quotes`);
    }
  });
  return findings;
}
