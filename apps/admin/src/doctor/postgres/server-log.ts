import type { SystemFiles } from '../system-files.js';

/** A refused login as the server logged it: its FATAL line, the DETAIL lines, and the pg_hba.conf line named. */
export interface LoggedRefusal {
  timestamp: string;
  fatal: string;
  details: string[];
  hbaLine: { file: string | null; line: number; text: string } | null;
}

const ENTRY = /^(\S+ \S+(?: \S+)?) \[(\d+)\] (?:\S+@\S+ )?(LOG|FATAL|DETAIL|HINT|ERROR|WARNING|STATEMENT):\s+(.*)$/;
// PG15: Connection matched pg_hba.conf line 3: "local all all peer"
// PG16+: Connection matched file "/etc/postgresql/16/main/pg_hba.conf" line 3: "local all all peer"
const MATCHED = /Connection matched (?:pg_hba\.conf|file "([^"]+)") line (\d+): "(.*)"$/;

/**
 * The latest refused login of `user` in a server log (PostgreSQL's default stderr format), with
 * its DETAIL: the reason the client is never told ("User has no valid SCRAM secret", "Role does
 * not exist", "Password does not match") and the pg_hba.conf line that decided.
 */
export function lastRefusal(log: string, user: string): LoggedRefusal | null {
  const lines = log.split('\n');
  const quoted = `"${user}"`;
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = ENTRY.exec(lines[i]!);
    if (!m || m[3] !== 'FATAL' || !m[4]!.includes(quoted)) continue;
    const [, timestamp, pid] = m;
    const details: string[] = [];
    let hbaLine: LoggedRefusal['hbaLine'] = null;
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      const next = ENTRY.exec(line);
      let text: string;
      if (next) {
        if (next[2] !== pid || next[3] !== 'DETAIL') break;
        text = next[4]!;
      } else if (/^\s/.test(line)) {
        text = line.trim(); // a continuation of the DETAIL
      } else break;
      const matched = MATCHED.exec(text);
      if (matched) hbaLine = { file: matched[1] ?? null, line: Number(matched[2]), text: matched[3]! };
      else details.push(text);
    }
    return { timestamp: timestamp!, fatal: m[4]!, details, hbaLine };
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
