// What SELinux (the targeted policy, enforcing, as on RHEL and its rebuilds) needs for the rendered
// layout, and why. Port types and entry points are those of the Fedora/RHEL policy:
// http_port_t 80 81 443 488 8008 8009 8443 9000; ntop_port_t 3000-3001; unconfined_service_t is
// entered from bin_t (and shell) programs only; httpd_t connects to other ports only with
// httpd_can_network_connect (any port), or httpd_can_network_relay (web ports) — httpd_graceful_shutdown,
// which also allows web ports, is off by default since Fedora 27.
import type { DatabaseFacts } from './database-facts.js';
import type { Listen } from './render-request.js';

export interface SelinuxStep {
  /** why the commands are needed, in one or two sentences */
  why: string;
  commands: string[];
  /** a narrower way to the same end, instead of `commands` */
  alternative?: { why: string; commands: string[] };
}

const HTTP_PORTS = new Set([80, 81, 443, 488, 8008, 8009, 8443, 9000]);
const NTOP_PORTS = new Set([3000, 3001]);
// Programs here are bin_t already.
const BIN_DIRS = ['/usr/bin/', '/bin/', '/usr/local/bin/', '/usr/sbin/', '/sbin/', '/usr/local/sbin/'];

export const SOCKET_MODULE = 'kit_db_test_socket';

/** `semanage fcontext` takes a regular expression: a literal path needs its dots escaped. */
function pathRegex(path: string): string {
  return path.replace(/[.+]/g, '\\$&');
}

/** Labels `port` http_port_t: -m when the policy already gives it another type, -a otherwise. */
function labelHttpPort(port: number): { commands: string[]; note: string } {
  if (HTTP_PORTS.has(port)) return { commands: [], note: `${port} is already http_port_t` };
  if (NTOP_PORTS.has(port)) {
    return { commands: [`semanage port -m -t http_port_t -p tcp ${port}`], note: `${port} is already ntop_port_t in the targeted policy, so -m (modify), not -a` };
  }
  return { commands: [`semanage port -a -t http_port_t -p tcp ${port}`], note: `if semanage answers that ${port} is already defined, use -m instead of -a` };
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
      why: `systemd starts the site with ${nodePath}: only a program labelled bin_t enters unconfined_service_t, as programs in /usr/bin do; a copy under ${input.installDir} keeps var_t or usr_t, which no service domain is entered from.`,
      commands: [`semanage fcontext -a -t bin_t '${pathRegex(nodePath)}'`, `restorecon -v ${nodePath}`],
    });
  }

  if (listen.kind === 'tcp') {
    const label = labelHttpPort(listen.port);
    steps.push({
      why: `httpd (httpd_t) connects to the site on 127.0.0.1:${listen.port}; the policy lets httpd_t connect to a few port types only, and only when a boolean allows it.`,
      commands: ['setsebool -P httpd_can_network_connect 1'],
      alternative: {
        why: `narrower: httpd may connect to web ports only, and ${listen.port} becomes one (${label.note})`,
        commands: [...label.commands, 'setsebool -P httpd_can_network_relay 1'],
      },
    });
  } else {
    steps.push({
      why: 'the socket folder /run/kit-db-test: labelled httpd_var_run_t, httpd may write to the socket in it; systemd labels the RuntimeDirectory from this rule each time the site starts.',
      commands: [`semanage fcontext -a -t httpd_var_run_t '/run/kit-db-test(/.*)?'`],
    });
    const mod = `${input.moduleDir}/${SOCKET_MODULE}`;
    steps.push({
      why: `httpd connects to the site's socket ${listen.path}; the site runs as unconfined_service_t and no boolean lets httpd_t connect to its sockets: a local module with that one rule does (${SOCKET_MODULE}.te).`,
      commands: [`checkmodule -M -m -o ${mod}.mod ${mod}.te`, `semodule_package -o ${mod}.pp -m ${mod}.mod`, `semodule -i ${mod}.pp`],
    });
  }

  if (input.httpPort !== 80 && input.httpPort !== 443) {
    const label = labelHttpPort(input.httpPort);
    if (label.commands.length) {
      steps.push({ why: `httpd listens on port ${input.httpPort} for the public URL: httpd_t binds only http_port_t ports (${label.note}).`, commands: label.commands });
    }
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
