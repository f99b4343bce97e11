import type { SystemFiles } from '../system-files.js';

/** A refused login as the server logged it: every line its backend process wrote for the attempt. */
export interface LoggedRefusal {
  timestamp: string;
  /** the backend process that handled the attempt */
  pid: string | null;
  fatal: string;
  /** DETAIL lines (continuations joined), without the pg_hba.conf line */
  details: string[];
  hints: string[];
  /** the process's other lines for the attempt: "connection received: host=[local]", a LOG the FATAL follows */
  context: string[];
  hbaLine: { file: string | null; line: number; text: string } | null;
}

/** One entry of the server log: its prefix's time and process, the severity, the message. */
export interface LogEntry {
  timestamp: string | null;
  pid: string | null;
  /** the user named by a prefix with %u (Debian's '%m [%p] %q%u@%d '), when there is one */
  user: string | null;
  severity: string;
  message: string;
}

const SEVERITY = /^(.*?)\b(DEBUG[1-5]?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|LOCATION|STATEMENT):  (.*)$/;
// %m, %t and %n with the zones log_timezone prints (UTC, CET, +01, -0500)
const TIME = /(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?: ?(?:[A-Z]{2,5}|[+-]\d\d(?::?\d\d)?))?)/;
// %p in brackets ('[%p]', RHEL's '[%p-%l]'), or syslog's 'postgres[%p]:'
const PID = /\[(\d+)(?:-\d+)?\]/;
const USER_AT_DB = /(?:^|\s)([^\s@[\]]+|\[unknown\])@(?:[^\s@]+|\[unknown\])(?:\s|$)/;
// PG15: Connection matched pg_hba.conf line 3: "local all all peer"
// PG16+: Connection matched file "/etc/postgresql/16/main/pg_hba.conf" line 3: "local all all peer"
const MATCHED = /Connection matched (?:pg_hba\.conf|file "([^"]+)") line (\d+): "(.*)"$/;

/**
 * Splits a server log (stderr or csvlog-less text, any log_line_prefix with %m/%t and %p) into
 * entries; a line starting with a tab continues the previous entry's message.
 */
export function parseLogEntries(log: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of log.split('\n')) {
    const m = SEVERITY.exec(line);
    if (m) {
      const prefix = m[1]!;
      const user = USER_AT_DB.exec(prefix)?.[1] ?? null;
      entries.push({
        timestamp: TIME.exec(prefix)?.[1] ?? null,
        pid: PID.exec(prefix)?.[1] ?? null,
        user: user === '[unknown]' ? null : user,
        severity: m[2]!,
        message: m[3]!,
      });
    } else if (/^\s/.test(line) && entries.length > 0 && line.trim()) {
      entries[entries.length - 1]!.message += `\n${line.trim()}`;
    }
  }
  return entries;
}

/** Does this FATAL belong to a login of `user`? It quotes the role, or the prefix names it. */
function concerns(entry: LogEntry, user: string): boolean {
  return entry.message.includes(`"${user}"`) || entry.user === user;
}

/**
 * The latest refused login in a server log, told by its whole account: the FATAL, and every line
 * its backend process logged for that attempt (from its "connection received" on): the DETAIL with
 * the reason the client is never told ("User has an expired password", "Role does not exist",
 * "User does not have CONNECT privilege") and the pg_hba.conf line that decided.
 *
 * `log` should hold only what was written since the doctor's attempt began, when the doctor could
 * tell (then the latest FATAL is the attempt's, whatever it quotes); otherwise only a FATAL that
 * names `user` counts.
 */
export function lastRefusal(log: string, user: string, options: { sinceAttempt?: boolean } = {}): LoggedRefusal | null {
  const entries = parseLogEntries(log);
  let at = -1;
  for (let i = entries.length - 1; i >= 0 && at < 0; i--) {
    const e = entries[i]!;
    if (e.severity === 'FATAL' && (options.sinceAttempt || concerns(e, user))) at = i;
  }
  if (at < 0) return null;
  const fatal = entries[at]!;
  const sameProcess = (e: LogEntry) => fatal.pid !== null && e.pid === fatal.pid;
  // The attempt began at its process's "connection received" line (log_connections), if any.
  let first = at;
  for (let i = at - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (!sameProcess(e)) continue;
    if (e.severity === 'FATAL') break;
    first = i;
    if (/^connection received:/.test(e.message)) break;
  }
  const details: string[] = [];
  const hints: string[] = [];
  const context: string[] = [];
  let hbaLine: LoggedRefusal['hbaLine'] = null;
  for (let i = first; i < at; i++) if (sameProcess(entries[i]!)) context.push(`${entries[i]!.severity}: ${entries[i]!.message}`);
  for (let i = at + 1; i < entries.length; i++) {
    const e = entries[i]!;
    // Other backends' lines interleave; without %p only the lines right after the FATAL are its own.
    if (fatal.pid !== null && !sameProcess(e)) continue;
    if (e.severity !== 'DETAIL' && e.severity !== 'HINT') break;
    for (const part of e.message.split('\n')) {
      const matched = MATCHED.exec(part);
      if (matched) hbaLine = { file: matched[1] ?? null, line: Number(matched[2]), text: matched[3]! };
      else if (e.severity === 'HINT') hints.push(part);
      else details.push(part);
    }
  }
  return { timestamp: fatal.timestamp ?? '(no time in the log line prefix)', pid: fatal.pid, fatal: fatal.message, details, hints, context, hbaLine };
}

/**
 * When the server last read its configuration files, as its log tells (a reload or a start):
 * what the doctor compares pg_hba.conf's time with when it has no session to ask
 * pg_conf_load_time(). Null when the log has neither line or its times do not parse.
 */
export function lastConfigLoad(log: string): Date | null {
  const entries = parseLogEntries(log);
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.severity !== 'LOG' || !e.timestamp || !/^(received SIGHUP, reloading configuration files|database system is ready to accept connections)/.test(e.message)) continue;
    const at = Date.parse(e.timestamp);
    return Number.isNaN(at) ? null : new Date(at);
  }
  return null;
}

/** Where distributions write the server log, newest first. */
export function serverLogCandidates(files: SystemFiles): string[] {
  const found: { path: string; mtime: number }[] = [];
  const add = (dir: string, pattern: RegExp) => {
    for (const name of files.list(dir)) {
      if (!pattern.test(name)) continue;
      const path = `${dir}/${name}`;
      found.push({ path, mtime: files.stat(path)?.mtimeMs ?? 0 });
    }
  };
  add('/var/log/postgresql', /^postgresql-.*\.log$/); // Debian, Ubuntu
  for (const version of files.list('/var/lib/pgsql')) {
    add(`/var/lib/pgsql/${version}/data/log`, /\.log$/); // RHEL, PGDG packages
  }
  add('/var/lib/pgsql/data/log', /\.log$/); // RHEL's own package
  return found.sort((a, b) => b.mtime - a.mtime).map((f) => f.path);
}

/**
 * What an operator runs to see the server's own lines when the doctor cannot read them: the file
 * with sudo, or the journal of the distribution's unit (with logging_collector off, the server
 * writes to stderr and systemd keeps it).
 */
export function logCommands(files: SystemFiles, path: string | null): string[] {
  const commands: string[] = [];
  if (path) commands.push(`sudo tail -n 50 ${path}`);
  const debian = files.list('/etc/postgresql').filter((v) => /^\d+$/.test(v));
  for (const v of debian) for (const cluster of files.list(`/etc/postgresql/${v}`)) commands.push(`sudo journalctl -u postgresql@${v}-${cluster} --since -10min`);
  const rhel = files.list('/var/lib/pgsql').filter((v) => /^\d+$/.test(v));
  for (const v of rhel) commands.push(`sudo journalctl -u postgresql-${v} --since -10min`);
  if (debian.length === 0 && rhel.length === 0) commands.push('sudo journalctl -u postgresql --since -10min');
  return commands;
}
