/**
 * AVC records as the kernel writes them to the audit log (auditd's /var/log/audit/audit.log,
 * `ausearch -m AVC,USER_AVC` raw output) or, without auditd, to the kernel log
 * ("audit: type=1400 audit(…): avc:  denied …"). Format: the RHEL "Using SELinux" guide, chapter
 * "Troubleshooting problems related to SELinux", and audit2why(8) / ausearch(8). Pure: no I/O.
 */

export interface AvcRecord {
  /** seconds since the epoch, with milliseconds: the audit(…) stamp */
  time: number;
  /** the event serial (records of one event share time and serial) */
  serial: number;
  /** "denied" or "granted" */
  verdict: 'denied' | 'granted';
  /** the permissions asked for: name_connect, write, connectto … */
  permissions: string[];
  pid: number | null;
  /** the process name (comm=), decoded when the kernel hex-encoded it */
  comm: string | null;
  /** the file's full path, when the record has one (path=) */
  path: string | null;
  /** the file's last path component (name=) */
  name: string | null;
  /** the TCP/UDP port connected to (dest=) or bound (src=) */
  dest: number | null;
  src: number | null;
  scontext: string;
  tcontext: string;
  /** the type field of each context: httpd_t, ntop_port_t … */
  stype: string;
  ttype: string;
  tclass: string;
  /** permissive=1: the access was allowed and only logged; null when the record does not say */
  permissive: boolean | null;
  /** the record as written (for the report's evidence) */
  raw: string;
}

/** A security context "user:role:type:level" (the level may itself hold colons). */
export interface SecurityContext {
  user: string;
  role: string;
  type: string;
  level: string;
}

export function parseContext(text: string): SecurityContext | null {
  const parts = text.trim().replace(/\0+$/, '').split(':');
  if (parts.length < 3 || parts.some((p, i) => i < 3 && p === '')) return null;
  return { user: parts[0]!, role: parts[1]!, type: parts[2]!, level: parts.slice(3).join(':') };
}

/** The type of a context, or the text itself when it is not a context. */
export const contextType = (text: string): string => parseContext(text)?.type ?? text;

/**
 * key=value fields of an audit record: a value is "quoted", or a bare token. Untrusted strings
 * (comm, name, path, exe) are quoted when safe, otherwise written as hex (auditd's encoding).
 */
export function auditFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const m of text.matchAll(/([A-Za-z_][\w-]*)=("([^"]*)"|'([^']*)'|[^\s\x1d]+)/g)) {
    const key = m[1]!;
    const quoted = m[3] ?? m[4];
    let value = quoted ?? m[2]!;
    if (quoted === undefined && ['comm', 'name', 'path', 'exe', 'cwd'].includes(key) && /^(?:[0-9A-F]{2})+$/.test(value)) {
      value = Buffer.from(value, 'hex').toString('utf8');
    }
    if (!fields.has(key)) fields.set(key, value);
  }
  return fields;
}

const STAMP = /audit\((\d+(?:\.\d+)?):(\d+)\)/;

/** The audit(…) stamp of a record: its time and event serial. */
export function auditStamp(line: string): { time: number; serial: number } | null {
  const m = STAMP.exec(line);
  return m ? { time: Number(m[1]), serial: Number(m[2]) } : null;
}

const number = (value: string | undefined): number | null => (value !== undefined && /^\d+$/.test(value) ? Number(value) : null);

/**
 * One AVC (or USER_AVC) line, or null for any other record. Accepts the audit.log form
 * `type=AVC msg=audit(1700000000.123:456): avc:  denied  { name_connect } for  pid=…` and the
 * kernel log form `audit: type=1400 audit(1700000000.123:456): avc:  denied …`.
 */
export function parseAvcLine(line: string): AvcRecord | null {
  const text = line.split('\x1d')[0]!;
  const avc = /avc:\s+(denied|granted)\s+\{\s*([^}]*?)\s*\}\s+for\s+(.*)$/.exec(text);
  if (!avc) return null;
  const stamp = auditStamp(text);
  if (!stamp) return null;
  const fields = auditFields(avc[3]!);
  const scontext = fields.get('scontext');
  const tcontext = fields.get('tcontext');
  const tclass = fields.get('tclass');
  if (!scontext || !tcontext || !tclass) return null;
  const permissive = fields.get('permissive');
  return {
    ...stamp,
    verdict: avc[1] as 'denied' | 'granted',
    permissions: avc[2]!.split(/\s+/).filter(Boolean),
    pid: number(fields.get('pid')),
    comm: fields.get('comm') ?? null,
    path: fields.get('path') ?? null,
    name: fields.get('name') ?? null,
    dest: number(fields.get('dest')),
    src: number(fields.get('src')),
    scontext,
    tcontext,
    stype: contextType(scontext),
    ttype: contextType(tcontext),
    tclass,
    permissive: permissive === undefined ? null : permissive === '1',
    raw: line.trim(),
  };
}

/**
 * Every denial in an audit log (or `ausearch` output). A file denial carries only the file's
 * name (name=); when the same event has PATH and CWD records (auditd writes them with the
 * SYSCALL record), the full path is filled in from them.
 */
export function parseAuditLog(text: string): AvcRecord[] {
  const denials: AvcRecord[] = [];
  const paths = new Map<string, string[]>();
  const cwds = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.includes('audit(')) continue;
    const avc = parseAvcLine(line);
    if (avc) {
      if (avc.verdict === 'denied') denials.push(avc);
      continue;
    }
    const type = /(?:^|\s)type=([A-Z_]+)\s/.exec(line)?.[1];
    const stamp = auditStamp(line);
    if (!stamp || (type !== 'PATH' && type !== 'CWD')) continue;
    const key = `${stamp.time}:${stamp.serial}`;
    const fields = auditFields(line.split('\x1d')[0]!.replace(/^.*?audit\([^)]*\):\s*/, ''));
    if (type === 'CWD' && fields.get('cwd')) cwds.set(key, fields.get('cwd')!);
    if (type === 'PATH' && fields.get('name') && fields.get('name') !== '(null)') {
      paths.set(key, [...(paths.get(key) ?? []), fields.get('name')!]);
    }
  }
  return denials.map((d) => {
    if (d.path || !d.name) return d;
    const key = `${d.time}:${d.serial}`;
    const candidates = (paths.get(key) ?? [])
      .map((p) => (p.startsWith('/') ? p : `${(cwds.get(key) ?? '').replace(/\/$/, '')}/${p}`))
      .map((p) => p.replace(/(.)\/+$/, '$1'));
    // PATH records name what the syscall was given (for a file created in a folder: the folder,
    // then the new file); keep the one whose last component is the denied object's name.
    const full = candidates.find((p) => p.startsWith('/') && p.split('/').pop() === d.name);
    return full ? { ...d, path: full } : d;
  });
}
