/**
 * What this deployment needs from SELinux, derived from where the site listens and where its
 * database is (not a fixed list), and whether the loaded policy allows it. Pure: no I/O.
 */
import type { DatabaseTarget } from '@kit-db-test/schema';
import type { SiteListen } from '../site/site-settings.js';
import { describeRecord, portLabel, portsOfType, type PortLabel, type PortRecord } from './parse-semanage-ports.js';
import { labelFolderCommand, realRunPath, type RunSpelling } from './fcontext-rule.js';
import type { BooleanValue } from './parse-status.js';
import {
  BOOLEAN_SCOPE,
  CONNECT_ANY_PORT,
  HTTPD_CONNECTTO_DOMAINS,
  HTTPD_SOCKET_FILE_TYPES,
  NIS_ENABLED,
  SITE_PORT_BOOLEAN,
  SITE_PORT_TYPE,
  SITE_SOCKET_TYPE,
  cilModule,
  connectRulesFor,
} from './policy.js';

export type HttpdNeed = { kind: 'tcp'; host: string; port: number } | { kind: 'socket'; path: string; folder: string };

export type DatabaseNeed =
  | { kind: 'postgres-tcp'; host: string; port: number }
  | { kind: 'postgres-socket'; folder: string; port: number }
  | { kind: 'sqlite'; path: string; folder: string };

export interface AppNeeds {
  /** httpd (httpd_t) connects to the site: name_connect on its TCP port, or write + connectto on its socket */
  httpd: HttpdNeed;
  /** the site (not httpd) talks to the database */
  database: DatabaseNeed;
  /** settings people turn on that this architecture does not need, and why */
  notNeeded: { boolean: string; why: string }[];
}

const dirname = (path: string) => path.replace(/\/+[^/]*$/, '') || '/';

export function deriveNeeds(listen: SiteListen, target: DatabaseTarget): AppNeeds {
  const httpd: HttpdNeed = listen.kind === 'tcp' ? { kind: 'tcp', host: listen.host, port: listen.port } : { kind: 'socket', path: listen.path, folder: dirname(listen.path) };
  const database: DatabaseNeed =
    target.driver === 'sqlite'
      ? { kind: 'sqlite', path: target.path, folder: dirname(target.path) }
      : target.socket
        ? { kind: 'postgres-socket', folder: target.host, port: target.port }
        : { kind: 'postgres-tcp', host: target.host, port: target.port };
  const dbWords = database.kind === 'sqlite' ? `its SQLite file ${database.path}` : database.kind === 'postgres-socket' ? `PostgreSQL through ${database.folder}/.s.PGSQL.${database.port}` : `PostgreSQL at ${database.host}:${database.port}`;
  const notNeeded = [
    { boolean: 'httpd_can_network_connect_db', why: `httpd never talks to the database: the site does (${dbWords}), in its own process` },
    {
      boolean: CONNECT_ANY_PORT,
      why: httpd.kind === 'tcp' ? `it opens every TCP port to httpd; the site needs one, port ${httpd.port}` : `the site listens on a unix socket (${httpd.path}), not a TCP port`,
    },
  ];
  return { httpd, database, notNeeded };
}

export interface Verdict {
  allowed: boolean;
  summary: string;
  evidence: string[];
  fix: string[];
}

const onOff = (booleans: Map<string, BooleanValue>, name: string) => {
  const b = booleans.get(name);
  if (!b) return `${name} (unknown)`;
  return `${name} (${b.current ? 'on' : 'off'}${b.pending !== b.current ? `, pending ${b.pending ? 'on' : 'off'}: not committed` : ''})`;
};

/** The command that gives `port` the site's type: -m when a record for exactly this port exists (else semanage says "already defined"), -a otherwise. */
export function labelPortCommand(label: PortLabel, port: number, type = SITE_PORT_TYPE): string {
  return `semanage port ${label.exact ? '-m' : '-a'} -t ${type} -p tcp ${port}`;
}

/**
 * May httpd_t connect to TCP `port`? A rule of the policy (HTTPD_CONNECT_RULES) whose target set
 * holds the port's type is unconditional or has its boolean on, or not; the fix labels this one
 * port http_port_t and, when no boolean already opens http_port_t, turns on the narrowest one
 * that does (httpd_graceful_shutdown: http_port_t only), never httpd_can_network_connect.
 */
export function evaluateTcpConnect(port: number, ports: PortRecord[], local: PortRecord[], booleans: Map<string, BooleanValue>): Verdict & { label: PortLabel } {
  const label = portLabel(ports, local, 'tcp', port);
  const on = (name: string) => booleans.get(name)?.current === true;
  const policyRanges = ports.filter((r) => r.proto === 'tcp' && !local.some((l) => l.type === r.type && l.low === r.low && l.high === r.high));
  const rules = connectRulesFor(label.type, policyRanges);
  const always = rules.find((r) => r.boolean === null);
  const allowedBy = [...new Set(rules.flatMap((r) => (r.boolean && on(r.boolean) ? [r.boolean] : [])))];
  const labelled = label.record ? `semanage port -l: ${describeRecord(label.record)}${label.local ? ', a local customization' : ''}` : `no semanage record: the policy's default for ${port < 1024 ? 'ports below 1024' : 'this range'}`;
  const evidence = [`port ${port}/tcp is ${label.type} (${labelled})`];
  const httpPorts = portsOfType(ports, SITE_PORT_TYPE) || '80, 81, 443, 488, 8008, 8009, 8443, 9000';

  if (always) {
    evidence.push(`httpd_t may always connect to ${label.type} ports: ${always.rule}`);
    return { allowed: true, label, summary: `httpd may connect to port ${port} (${label.type}, always)`, evidence, fix: [] };
  }
  if (allowedBy.length > 0) {
    evidence.push(`httpd_t may connect to ${label.type} ports: ${allowedBy.map((b) => onOff(booleans, b)).join(', ')}`);
    const onlyBroad = allowedBy.every((b) => b === CONNECT_ANY_PORT || b === NIS_ENABLED);
    if (onlyBroad) {
      const narrow = label.type === SITE_PORT_TYPE ? `setsebool -P ${SITE_PORT_BOOLEAN} 1` : `${labelPortCommand(label, port)} && setsebool -P ${SITE_PORT_BOOLEAN} 1`;
      evidence.push(`narrower: ${allowedBy[0]} opens ${BOOLEAN_SCOPE[allowedBy[0]!]}; the site needs port ${port} only: ${narrow} && setsebool -P ${allowedBy[0]} 0`);
    }
    return { allowed: true, label, summary: `httpd may connect to port ${port} (${label.type}, by ${allowedBy.join(', ')})`, evidence, fix: [] };
  }

  const openers = rules.map((r) => r.boolean!).filter((b, i, all) => all.indexOf(b) === i);
  const named = openers.filter((b) => b !== CONNECT_ANY_PORT);
  evidence.push(
    named.length > 0
      ? `httpd_t may connect to ${label.type} ports only with ${[...named, CONNECT_ANY_PORT].map((b) => onOff(booleans, b)).join(', ')} (sesearch -A -s httpd_t -c tcp_socket -p name_connect)`
      : `no boolean lets httpd_t connect to ${label.type} ports but ${onOff(booleans, CONNECT_ANY_PORT)}, which opens every TCP port (sesearch -A -s httpd_t -c tcp_socket -p name_connect)`,
  );
  if (on(NIS_ENABLED)) evidence.push(`${onOff(booleans, NIS_ENABLED)} does not help: it opens ${BOOLEAN_SCOPE[NIS_ENABLED]}`);
  const siteOpeners = connectRulesFor(SITE_PORT_TYPE, policyRanges).flatMap((r) => (r.boolean && r.boolean !== CONNECT_ANY_PORT && r.boolean !== NIS_ENABLED && on(r.boolean) ? [r.boolean] : []));
  let fix: string;
  if (label.type === SITE_PORT_TYPE) {
    fix = `setsebool -P ${SITE_PORT_BOOLEAN} 1`;
    evidence.push(`${SITE_PORT_BOOLEAN} opens only ports labelled ${SITE_PORT_TYPE} (${httpPorts}), not every port as ${CONNECT_ANY_PORT} would`);
  } else {
    fix = siteOpeners.length > 0 ? labelPortCommand(label, port) : `${labelPortCommand(label, port)} && setsebool -P ${SITE_PORT_BOOLEAN} 1`;
    evidence.push(
      `the fix labels port ${port} ${SITE_PORT_TYPE}${siteOpeners.length > 0 ? `, which ${siteOpeners[0]} (on) already opens` : ` and turns on ${SITE_PORT_BOOLEAN}, which opens only ports labelled ${SITE_PORT_TYPE} (${httpPorts}, and ${port})`}; not setsebool -P ${CONNECT_ANY_PORT} 1, which opens every TCP port`,
    );
    if (label.exact && label.record) evidence.push(`port ${port} has a record of its own (${describeRecord(label.record)}): semanage port -a would answer "Port tcp/${port} already defined", so -m`);
    else if (label.record) evidence.push(`port ${port} has no record of its own (${describeRecord(label.record)} is a range): semanage port -m would answer "Port tcp/${port} is not defined", so -a`);
    if (label.record && label.type !== SITE_PORT_TYPE) evidence.push(`the port stops being ${label.type} for every program: matters only if a service confined to ${label.type} uses port ${port} here`);
  }
  return { allowed: false, label, summary: `httpd may not connect to port ${port} (${label.type})`, evidence, fix: [fix] };
}

const SHARED_FOLDERS = ['/run', '/tmp', '/var/tmp', '/'];

export interface SocketFacts {
  path: string;
  /** the socket file's context (stat -c %C), null when it does not exist or cannot be read */
  socketContext: string | null;
  /** its folder's context: a new socket gets the folder's type */
  folderContext: string | null;
  /** the site's domain (the peer httpd connects to), and how it was found */
  siteDomain: { type: string; source: string } | null;
  /** how this release spells /run in a file-context rule */
  runSpelling: RunSpelling;
}

/**
 * May httpd_t connect to the site's unix socket? Two permissions: write on the socket file (its
 * type must be one httpd_t may write: httpd_var_run_t …), and connectto on the site's domain.
 */
export function evaluateSocket(facts: SocketFacts): Verdict {
  const type = (ctx: string | null) => (ctx ? ctx.split(':')[2] ?? ctx : null);
  const folder = dirname(facts.path);
  const fileType = type(facts.socketContext) ?? type(facts.folderContext);
  const evidence: string[] = [];
  const fix: string[] = [];
  const problems: string[] = [];

  if (facts.socketContext) evidence.push(`${facts.path} is ${facts.socketContext}`);
  else evidence.push(`${facts.path} does not exist now (the site creates it at start); it will get its folder's type: ${folder} is ${facts.folderContext ?? 'unknown'}`);
  if (fileType && HTTPD_SOCKET_FILE_TYPES.includes(fileType)) {
    evidence.push(`httpd_t may write ${fileType} socket files (apache.te: manage_sock_files_pattern(httpd_t, ${fileType}, …))`);
  } else {
    problems.push(`httpd may not write the socket file (${fileType ?? 'unknown type'})`);
    evidence.push(`httpd_t writes socket files only of types ${HTTPD_SOCKET_FILE_TYPES.join(', ')} (apache.te manage_sock_files_pattern); a new socket takes its folder's type, so the folder is what to label`);
    if (SHARED_FOLDERS.includes(realRunPath(folder))) {
      fix.push(`give the socket a folder of its own: RuntimeDirectory=kit-db-test in the unit and SOCKET_PATH=/run/kit-db-test/kit-db-test.sock, then ${labelFolderCommand('/run/kit-db-test', SITE_SOCKET_TYPE, facts.runSpelling)}`);
    } else fix.push(labelFolderCommand(folder, SITE_SOCKET_TYPE, facts.runSpelling));
  }

  const domain = facts.siteDomain ?? { type: 'unconfined_service_t', source: 'presumed: what systemd gives a service started from /usr/bin/node (bin_t)' };
  if (HTTPD_CONNECTTO_DOMAINS.includes(domain.type)) {
    evidence.push(`the site runs as ${domain.type} (${domain.source}): httpd_t may connectto it`);
  } else {
    problems.push(`httpd may not connect to a socket of ${domain.type}`);
    evidence.push(
      `the site runs as ${domain.type} (${domain.source}); no boolean lets httpd_t connectto ${domain.type} unix stream sockets (apache.te does not use unconfined.if's unconfined_server_stream_connectto): a local module of one rule does`,
      'or listen on TCP instead (PORT=3000, no SOCKET_PATH) and label the port: no local module needed',
    );
    fix.push(cilModule('kdt_httpd_connectto', `(allow httpd_t ${domain.type} (unix_stream_socket (connectto)))`));
  }
  if (problems.length === 0) return { allowed: true, summary: `httpd may connect to ${facts.path}`, evidence, fix };
  return { allowed: false, summary: problems.join('; '), evidence, fix };
}
