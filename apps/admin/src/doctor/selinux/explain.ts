/**
 * AVC denials in plain words, with the narrowest fix: what audit2why(8) says, for the three
 * processes this app runs (httpd, the site, PostgreSQL). Pure: no I/O.
 */
import type { AvcRecord } from './parse-avc.js';
import type { PortRecord } from './parse-semanage-ports.js';
import { portLabel } from './parse-semanage-ports.js';
import type { BooleanValue } from './parse-status.js';
import { labelFolderCommand, labelProgramCommand, type RunSpelling } from './fcontext-rule.js';
import { evaluateTcpConnect, evaluateSocket, labelPortCommand } from './needs.js';
import { HTTPD_WRITABLE_TYPES, POSTGRES_DATA_TYPE, POSTGRES_PORT_TYPE, SERVICE_ENTRY, SERVICE_PROGRAM_TYPE, SITE_PORT_TYPE, cilModule } from './policy.js';

export interface PolicyFacts {
  ports: PortRecord[];
  localPorts: PortRecord[];
  booleans: Map<string, BooleanValue>;
  /** the site's domain, when known */
  siteDomain: string | null;
  /** how this release spells /run in a file-context rule */
  runSpelling: RunSpelling;
  /** the program the site's unit starts (its ExecStart=), when known */
  serviceProgram: string | null;
}

const EXEC_PERMS = new Set(['execute', 'execute_no_trans', 'entrypoint']);

/** systemd (init_t) refused to run a program: the service cannot start (status 203/EXEC). */
export const isServiceStartDenial = (d: AvcRecord): boolean => d.stype === 'init_t' && d.tclass === 'file' && d.permissions.some((p) => EXEC_PERMS.has(p));

export interface Explanation {
  /** "httpd (httpd_t) was denied name_connect to TCP port 3000 (ntop_port_t)" */
  plain: string;
  fix: string[];
  /** a remark: "allowed now: …", "only if httpd itself talks to the database" */
  note: string | null;
}

const WRITE_PERMS = new Set(['write', 'append', 'create', 'add_name', 'remove_name', 'unlink', 'rename', 'setattr', 'link', 'lock', 'reparent', 'rmdir']);
const FILE_CLASSES = new Set(['file', 'dir', 'lnk_file', 'sock_file', 'fifo_file']);

/** Who asked: "httpd (httpd_t)". */
export function who(d: AvcRecord): string {
  return d.comm ? `${d.comm} (${d.stype})` : d.stype;
}

/** The object: "TCP port 3000 (ntop_port_t)", "the dir /srv/kdt/data (var_t)". */
export function what(d: AvcRecord): string {
  if (d.tclass === 'tcp_socket' || d.tclass === 'udp_socket') {
    const port = d.dest ?? d.src;
    return port !== null ? `${d.tclass === 'tcp_socket' ? 'TCP' : 'UDP'} port ${port} (${d.ttype})` : `a ${d.tclass} (${d.ttype})`;
  }
  if (d.tclass === 'unix_stream_socket') return `a unix socket of ${d.ttype}${d.path ? ` at ${d.path}` : ''}`;
  const file = d.path ?? (d.name ? `"${d.name}"` : '?');
  const kind = d.tclass === 'dir' ? 'folder' : d.tclass === 'sock_file' ? 'socket file' : d.tclass === 'lnk_file' ? 'symlink' : d.tclass;
  return `the ${kind} ${file} (${d.ttype})`;
}

const dirname = (path: string) => path.replace(/\/+[^/]*$/, '') || '/';

/** The folder to label for a file denial: a folder itself, or a file's folder (SQLite's journal and new files take the folder's type). */
function labelTarget(d: AvcRecord): string | null {
  if (!d.path) return null;
  return d.tclass === 'dir' ? d.path : dirname(d.path);
}

function fileFix(d: AvcRecord, type: string, spelling: RunSpelling): string {
  const target = labelTarget(d);
  if (target) return labelFolderCommand(target, type, spelling);
  return `${labelFolderCommand('FOLDER', type, spelling)}   (FOLDER: the one holding "${d.name ?? '?'}"; the record gives only its name)`;
}

/** The program systemd could not run: the record's path, else the unit's ExecStart= program when its name matches. */
function deniedProgram(d: AvcRecord, facts: PolicyFacts): string | null {
  if (d.path) return d.path;
  if (facts.serviceProgram && (!d.name || facts.serviceProgram.endsWith(`/${d.name}`))) return facts.serviceProgram;
  return null;
}

export function explainDenial(d: AvcRecord, facts: PolicyFacts): Explanation {
  const perms = d.permissions.join(' ');
  const plain = `${who(d)} was denied ${perms} on ${what(d)}`;
  const write = d.permissions.some((p) => WRITE_PERMS.has(p));

  // systemd → the site's program (comm "(node)": systemd's child before exec)
  if (isServiceStartDenial(d)) {
    const program = deniedProgram(d, facts);
    const entry = SERVICE_ENTRY[d.ttype];
    return {
      plain: `systemd (init_t) was denied ${perms} on ${what(d)}: a service started from it fails (status 203/EXEC)`,
      fix: [program ? labelProgramCommand(program) : `${labelProgramCommand('PROGRAM')}   (PROGRAM: the unit's ExecStart= program, named "${d.name ?? '?'}")`],
      note: `${entry ? entry.rule : `init_t may not execute ${d.ttype} files`}; a ${SERVICE_PROGRAM_TYPE} program runs as unconfined_service_t, as the ones in /usr/bin do`,
    };
  }
  // httpd → a TCP port
  if (d.stype === 'httpd_t' && d.tclass === 'tcp_socket' && d.permissions.includes('name_connect') && d.dest !== null) {
    if (d.ttype === POSTGRES_PORT_TYPE) {
      return { plain, fix: ['setsebool -P httpd_can_network_connect_db 1   (only if an httpd module must reach PostgreSQL itself)'], note: 'httpd itself connected to PostgreSQL: in this app the site does that, not httpd; find which httpd module or script tried' };
    }
    const verdict = evaluateTcpConnect(d.dest, facts.ports, facts.localPorts, facts.booleans);
    if (verdict.allowed) return { plain, fix: [], note: `allowed now: ${verdict.summary}; the denial predates the fix` };
    return { plain, fix: verdict.fix, note: null };
  }
  // a service binding its port
  if (d.tclass === 'tcp_socket' && d.permissions.includes('name_bind') && d.src !== null) {
    const type = d.stype === 'postgresql_t' ? POSTGRES_PORT_TYPE : d.stype === 'httpd_t' ? SITE_PORT_TYPE : null;
    if (type) {
      const label = portLabel(facts.ports, facts.localPorts, 'tcp', d.src);
      return { plain, fix: [labelPortCommand(label, d.src, type)], note: `${d.comm ?? d.stype} may listen only on ports labelled ${type}` };
    }
  }
  // httpd → the site's unix socket
  if (d.stype === 'httpd_t' && d.tclass === 'sock_file' && write) {
    const path = d.path ?? (d.name ? `FOLDER/${d.name}` : 'FOLDER/socket');
    const verdict = evaluateSocket({ path, socketContext: d.tcontext, folderContext: null, siteDomain: { type: 'httpd_t', source: 'not the question here' }, runSpelling: facts.runSpelling });
    return { plain, fix: verdict.fix, note: 'connecting to a unix socket needs write on its file' };
  }
  if (d.stype === 'httpd_t' && d.tclass === 'unix_stream_socket' && d.permissions.includes('connectto')) {
    return {
      plain,
      fix: [cilModule('kdt_httpd_connectto', `(allow httpd_t ${d.ttype} (unix_stream_socket (connectto)))`)],
      note: `no boolean allows it; or listen on TCP and label the port ${SITE_PORT_TYPE}`,
    };
  }
  // files
  if (FILE_CLASSES.has(d.tclass)) {
    if (d.stype === 'httpd_t' || d.stype === 'httpd_sys_script_t') {
      const type = write ? HTTPD_WRITABLE_TYPES[0]! : 'httpd_sys_content_t';
      return { plain, fix: [fileFix(d, type, facts.runSpelling)], note: write ? 'httpd writes only files labelled httpd_sys_rw_content_t' : 'httpd reads only files labelled for it (httpd_sys_content_t)' };
    }
    if (d.stype === 'postgresql_t') {
      return { plain, fix: [fileFix(d, POSTGRES_DATA_TYPE, facts.runSpelling)], note: 'PostgreSQL reads and writes only files labelled postgresql_db_t (the data folder)' };
    }
    if (facts.siteDomain && d.stype === facts.siteDomain) {
      return { plain, fix: [`grep 'audit(${d.time.toFixed(3)}:${d.serial})' /var/log/audit/audit.log | audit2why`], note: `the site runs confined (${d.stype}): give ${d.path ?? d.name ?? 'the file'} a type that domain may ${write ? 'write' : 'read'}` };
    }
  }
  return { plain, fix: [`grep 'audit(${d.time.toFixed(3)}:${d.serial})' /var/log/audit/audit.log | audit2why`], note: null };
}
