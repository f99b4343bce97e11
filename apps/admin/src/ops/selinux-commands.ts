// What SELinux (the targeted policy, enforcing, as on RHEL and its rebuilds) needs for the rendered
// layout, and why. The policy facts are the doctor's (doctor/selinux/policy.ts), so the rendered
// script and the doctor's fixes agree: label the site's port http_port_t and turn on
// httpd_graceful_shutdown (off by default on RHEL 8 and 9), which opens http_port_t only.
import { fcontextRuleCommand, literalPathRegex } from '../doctor/selinux/fcontext-rule.js';
import { labelPortCommand } from '../doctor/selinux/needs.js';
import { portLabel } from '../doctor/selinux/parse-semanage-ports.js';
import { BOOLEAN_SCOPE, CONNECT_ANY_PORT, HTTPD_BIND_TYPES, SITE_PORT_BOOLEAN, SITE_PORT_TYPE, SITE_SOCKET_TYPE, policyPortRecords } from '../doctor/selinux/policy.js';
import type { DatabaseFacts } from './database-facts.js';
import type { Listen } from './render-request.js';

export interface SelinuxStep {
  /** why the commands are needed, in one or two sentences */
  why: string;
  commands: string[];
  /** another way to the same end, instead of `commands` */
  alternative?: { why: string; commands: string[] };
}

// Programs here are bin_t already (matchpathcon).
const BIN_DIRS = ['/usr/bin/', '/bin/', '/usr/local/bin/', '/usr/sbin/', '/sbin/', '/usr/local/sbin/'];

export const SOCKET_MODULE = 'kit_db_test_socket';

/** The policy's own label of a TCP port (no machine to ask at render time). */
function policyLabel(port: number) {
  return portLabel(policyPortRecords(), [], 'tcp', port);
}

/** Labels `port` http_port_t, unless it is already: -m when the policy has a record for exactly this port, -a otherwise. */
function labelHttpPort(port: number): { commands: string[]; note: string } {
  const label = policyLabel(port);
  if (label.type === SITE_PORT_TYPE) return { commands: [], note: `${port} is already ${SITE_PORT_TYPE}` };
  const how = label.exact
    ? `${port} has a record of its own (${label.type}), so -m: -a would answer "already defined"`
    : `${port} is ${label.type}${label.record ? ' by a range' : ' by the catch-all'}, with no record of its own, so -a: -m would answer "not defined"`;
  return { commands: [labelPortCommand(label, port)], note: how };
}

export interface SelinuxInput {
  listen: Listen;
  nodePath: string;
  installDir: string;
  /** the port httpd listens on for the public URL */
  httpPort: number;
  database: DatabaseFacts;
  /** the folder holding kit_db_test_socket.te, as the commands should name it */
  moduleDir: string;
}

/** The SELinux steps for this layout, in the order they should run (before the services start). */
export function selinuxSteps(input: SelinuxInput): SelinuxStep[] {
  const steps: SelinuxStep[] = [];
  const { listen, nodePath } = input;

  if (!BIN_DIRS.some((dir) => nodePath.startsWith(dir))) {
    steps.push({
      why: `systemd starts the site with ${nodePath}, which takes the label of where it lies: under ${input.installDir} that is var_t, which systemd may not execute at all (the unit fails with status 203/EXEC); labelled bin_t, as programs in /usr/bin are, it runs as unconfined_service_t.`,
      commands: [`semanage fcontext -a -t bin_t '${literalPathRegex(nodePath)}'`, `restorecon -v ${nodePath}`],
    });
  }

  if (listen.kind === 'tcp') {
    const label = labelHttpPort(listen.port);
    steps.push({
      why: `httpd (httpd_t) connects to the site on 127.0.0.1:${listen.port}; the policy lets httpd_t connect to a port only when a boolean opens its type: ${label.commands.length ? `port ${listen.port} becomes ${SITE_PORT_TYPE} (${label.note}), and ` : `${label.note}; `}${SITE_PORT_BOOLEAN} opens ${BOOLEAN_SCOPE[SITE_PORT_BOOLEAN]}.`,
      commands: [...label.commands, `setsebool -P ${SITE_PORT_BOOLEAN} 1`],
      alternative: {
        why: `broader, no port label: ${CONNECT_ANY_PORT} opens ${BOOLEAN_SCOPE[CONNECT_ANY_PORT]}`,
        commands: [`setsebool -P ${CONNECT_ANY_PORT} 1`],
      },
    });
  } else {
    steps.push({
      why: `the socket folder /run/kit-db-test: labelled ${SITE_SOCKET_TYPE}, httpd may write to the socket in it; systemd labels the RuntimeDirectory from this rule each time the site starts. RHEL 8 and 9 take the rule only as /var/run/… (their file_contexts.subs_dist makes /run an alias of /var/run), Fedora 40 and RHEL 10 only as /run/…: the command reads which.`,
      commands: [fcontextRuleCommand('/run/kit-db-test', SITE_SOCKET_TYPE, null)],
    });
    const mod = `${input.moduleDir}/${SOCKET_MODULE}`;
    steps.push({
      why: `httpd connects to the site's socket ${listen.path}; the site runs as unconfined_service_t and no boolean lets httpd_t connect to its sockets: a local module with that one rule does (${SOCKET_MODULE}.te).`,
      commands: [`checkmodule -M -m -o ${mod}.mod ${mod}.te`, `semodule_package -o ${mod}.pp -m ${mod}.mod`, `semodule -i ${mod}.pp`],
    });
  }

  const publicPort = policyLabel(input.httpPort);
  if (!HTTPD_BIND_TYPES.includes(publicPort.type)) {
    const label = labelHttpPort(input.httpPort);
    steps.push({ why: `httpd listens on port ${input.httpPort} for the public URL: httpd_t may bind ports of ${HTTPD_BIND_TYPES.join(', ')} only (${label.note}).`, commands: label.commands });
  }
  return steps;
}

/** Facts that need no command, said so the operator does not go looking. */
export function selinuxNotes(input: SelinuxInput): string[] {
  const notes: string[] = [];
  if (input.database.driver === 'sqlite') {
    const folder = input.database.path.replace(/\/[^/]*$/, '');
    notes.push(
      `the SQLite folder ${folder} needs no label: the site runs unconfined (unconfined_service_t); the unit's ProtectSystem=strict and ReadWritePaths= are what keep its writes to that folder.`,
    );
  } else {
    notes.push('the site reaches PostgreSQL as unconfined_service_t: no boolean needed (httpd_can_network_connect_db is for httpd itself, which never talks to the database).');
  }
  return notes;
}
