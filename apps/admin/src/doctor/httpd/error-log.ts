// Reading httpd's error log for proxy failures, and saying what they mean.
//
// httpd 2.4's default ErrorLogFormat (https://httpd.apache.org/docs/2.4/mod/core.html#errorlogformat):
//   [Wed Nov 25 12:45:53.083644 2026] [proxy:error] [pid 4501:tid 4501] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:3000 (127.0.0.1:3000) failed
// the "(errno)text: " prefix is the operating system's error. The message texts are httpd's own
// (modules/proxy/proxy_util.c, mod_proxy.c, mod_proxy_http.c); older releases (RHEL 7/8's 2.4.6 and
// 2.4.37) print the worker as "(127.0.0.1)" where newer ones print "(127.0.0.1:3000)".

import type { SiteListen } from '../site/site-settings.js';

export interface ErrorLogEntry {
  raw: string;
  /** the line number in the file (1-based) */
  line: number;
  timestamp: string | null;
  /** "proxy", "proxy_http" … */
  module: string | null;
  level: string | null;
  /** the operating system's error number and text: 111 "Connection refused" */
  errno: number | null;
  errnoText: string | null;
  /** "AH00957" */
  code: string | null;
  /** the text after the code */
  message: string;
}

/** httpd logs this when it (re)starts: "AH00489: Apache/2.4.62 () configured -- resuming normal operations". */
const RESTART = /AH0(0489|0163|0292): .*configured -- resuming normal operations/;

/** Parses one error log line in the default format; other formats still yield the AH code and message. */
export function parseErrorLogLine(raw: string, line: number): ErrorLogEntry {
  const ts = /^\[([^\]]+)\]/.exec(raw);
  const mod = /\[(\w+):(\w+)\]/.exec(raw);
  const err = /\((-?\d+)\)([^:]+): (AH\d{5}):/.exec(raw);
  const code = /\b(AH\d{5}): ?(.*)$/.exec(raw);
  return {
    raw,
    line,
    timestamp: ts?.[1] ?? null,
    module: mod?.[1] ?? null,
    level: mod?.[2] ?? null,
    errno: err ? Number(err[1]) : null,
    errnoText: err?.[2]?.trim() ?? null,
    code: code?.[1] ?? null,
    message: code?.[2]?.trim() ?? raw,
  };
}

/**
 * The lines that tell about the running configuration: those after httpd's last (re)start notice,
 * and at most the last `max` of them.
 */
export function recentEntries(text: string, max = 200): { entries: ErrorLogEntry[]; since: string | null } {
  const lines = text.split(/\r?\n/);
  let start = 0;
  let since: string | null = null;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (RESTART.test(lines[i]!)) {
      start = i;
      since = lines[i]!.trim();
      break;
    }
  }
  start = Math.max(start, lines.length - max);
  const entries: ErrorLogEntry[] = [];
  for (let i = start; i < lines.length; i++) if (lines[i]!.trim()) entries.push(parseErrorLogLine(lines[i]!, i + 1));
  return { entries, since };
}

export type ProxyProblemKind =
  | 'refused'
  | 'selinux'
  | 'socket-permission'
  | 'socket-missing'
  | 'timeout'
  | 'connect-failed'
  | 'worker-disabled'
  | 'no-handler'
  | 'backend-closed';

export interface ProxyProblem {
  kind: ProxyProblemKind;
  /** how many lines of this kind, and the latest one */
  count: number;
  last: ErrorLogEntry;
  /** where httpd tried to connect: "127.0.0.1:3000" or "/run/kit-db-test/site.sock" */
  target: string | null;
  /** the short version, for the check's line */
  title: string;
  /** the explanation */
  meaning: string;
  fix: string[];
  /** true when the log shows a fault of the configuration, not a site that was briefly down */
  configurationFault: boolean;
}

/** The address an AH00957 / AH02454 / AH00959 line names. */
function connectTarget(entry: ErrorLogEntry): string | null {
  const tcp = /attempt to connect to (\S+?) \(/.exec(entry.message);
  if (entry.code === 'AH02454') return /Unix domain socket (\S+)/.exec(entry.message)?.[1] ?? null;
  if (tcp) return tcp[1]!;
  return /\(([^()]+)\) for \d+s/.exec(entry.message)?.[1] ?? /backend: (\S+)/.exec(entry.message)?.[1] ?? null;
}

function describeSite(listen: SiteListen): string {
  return listen.kind === 'socket' ? listen.path : `${listen.host}:${listen.port}`;
}

/** Whether httpd's connect target is where the site listens ("127.0.0.1:3000", "[::1]:3000", a socket path). */
export function targetIsSite(target: string, listen: SiteListen): boolean {
  if (listen.kind === 'socket') return target === listen.path;
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  if (!m) return false;
  const [host, port] = [m[1]!, Number(m[2])];
  if (port !== listen.port) return false;
  const any = ['0.0.0.0', '::', ''].includes(listen.host);
  const loopback = (h: string) => h === 'localhost' || h.startsWith('127.') || h === '::1';
  return any || host === listen.host || (loopback(host) && loopback(listen.host) && (host === listen.host || listen.host === 'localhost'));
}

/** Classifies the proxy errors among recent entries and explains each kind, newest-relevant first. */
export function explainProxyErrors(entries: ErrorLogEntry[], listen: SiteListen): ProxyProblem[] {
  const found = new Map<ProxyProblemKind, ProxyProblem>();
  const site = describeSite(listen);
  const note = (kind: ProxyProblemKind, entry: ErrorLogEntry, build: (target: string | null) => Omit<ProxyProblem, 'kind' | 'count' | 'last' | 'target'>) => {
    const target = connectTarget(entry);
    const prior = found.get(kind);
    found.set(kind, { kind, count: (prior?.count ?? 0) + 1, last: entry, target, ...build(target) });
  };
  for (const entry of entries) {
    switch (entry.code) {
      case 'AH00957':
      case 'AH02454': {
        const socket = entry.code === 'AH02454';
        if (entry.errno === 13) {
          if (socket) {
            note('socket-permission', entry, (t) => ({
              title: `httpd may not connect to the socket ${t ?? ''}`,
              meaning: `httpd may not connect to the socket ${t ?? ''}: (13) Permission denied. The site creates it with mode 660, so httpd's user must be in the site's group; on SELinux systems the policy must also allow httpd to connect to it`,
              fix: ["add httpd's user (apache on RHEL, www-data on Debian) to the site's group (usermod -a -G GROUP apache), then restart httpd", 'on SELinux: see the selinux.* checks (ausearch -m avc -c httpd shows the denial)'],
              configurationFault: true,
            }));
          } else {
            note('selinux', entry, (t) => ({
              title: `SELinux denied httpd's connection to ${t ?? 'the backend'}`,
              meaning: `httpd was refused permission to open a network connection to ${t ?? 'the backend'}: (13) Permission denied on connect() is SELinux denying name_connect to httpd_t (RHEL's policy lets httpd connect only to web ports unless httpd_can_network_connect is on)`,
              fix: ['setsebool -P httpd_can_network_connect 1', 'see the selinux.* checks; ausearch -m avc -c httpd shows the denial'],
              configurationFault: true,
            }));
          }
        } else if (entry.errno === 2 && socket) {
          note('socket-missing', entry, (t) => ({
            title: `the socket ${t ?? ''} does not exist`,
            meaning: `the socket ${t ?? ''} does not exist: the site is not running, or listens elsewhere (its SOCKET_PATH is ${listen.kind === 'socket' ? listen.path : 'not set: it listens on TCP'})`,
            fix: t && listen.kind === 'socket' && t !== listen.path ? [`point ProxyPass at unix:${listen.path}|http://localhost/… (the site's SOCKET_PATH)`] : ['systemctl status kit-db-test.service'],
            configurationFault: t !== null && (listen.kind !== 'socket' || t !== listen.path),
          }));
        } else if (entry.errno === 110 || /timed out/i.test(entry.errnoText ?? '')) {
          note('timeout', entry, (t) => ({
            title: `connecting to ${t ?? 'the backend'} timed out`,
            meaning: `connecting to ${t ?? 'the backend'} timed out: a firewall drops the packets, or the address is not this machine`,
            fix: [`proxy to the address the site listens on (${site})`],
            configurationFault: true,
          }));
        } else {
          note('refused', entry, (t) => {
            const isSite = t !== null && targetIsSite(t, listen);
            return {
              title: isSite ? `the site was not running at ${t}` : `httpd connects to ${t ?? 'another address'}, the site listens on ${site}`,
              meaning: isSite
                ? `nothing accepted httpd's connection at ${t}, where the site should listen: the site was not running then (${entry.errnoText ?? 'connection refused'})`
                : `httpd connects to ${t ?? 'an address'}, but the site listens on ${site}: ${entry.errnoText ?? 'connection refused'}`,
              fix: isSite ? ['systemctl status kit-db-test.service (see the service.* checks)'] : [`point ProxyPass at ${listen.kind === 'socket' ? `unix:${listen.path}|http://localhost/…` : `http://${site}/…`} (see httpd.proxy)`],
              configurationFault: !isSite && t !== null,
            };
          });
        }
        break;
      }
      case 'AH01114':
        note('connect-failed', entry, (t) => ({
          title: 'httpd could not connect to the backend (503)',
          meaning: `requests failed with 503 Service Unavailable: httpd could not connect to the backend ${t ?? ''} (the line before it says why)`,
          fix: [],
          configurationFault: false,
        }));
        break;
      case 'AH00959':
      case 'AH00940':
        // "… disabling worker for (127.0.0.1:3000) for 0s": with retry=0 there is no waiting minute.
        if (/ for 0s\b/.test(entry.message)) break;
        note('worker-disabled', entry, () => ({
          title: 'httpd stopped trying the backend for a while after a failure',
          meaning:
            'after a failed connection httpd puts the backend in an error state and stops trying it for 60 seconds (ProxyPass retry=60, the default): during that minute every request gets 503 at once, so a correct fix (starting the site, fixing SELinux) looks like it failed until the minute is over',
          fix: ['add retry=0 to the ProxyPass line (httpd then retries the backend on the next request), and reload httpd'],
          configurationFault: false,
        }));
        break;
      case 'AH01144':
        note('no-handler', entry, () => ({
          title: 'mod_proxy_http is not loaded: no handler for http:// backends',
          meaning: 'mod_proxy has no handler for the http:// URL: mod_proxy_http is not loaded, so every proxied request fails (500)',
          fix: ['load mod_proxy_http (see httpd.modules)'],
          configurationFault: true,
        }));
        break;
      case 'AH01102':
      case 'AH00898':
        note('backend-closed', entry, () => ({
          title: 'the site closed the connection or did not answer in time (502)',
          meaning: 'the site closed the connection or did not answer in time (it crashed or restarted mid-request, or ProxyTimeout is shorter than the request): httpd answered 502 Bad Gateway',
          fix: ['journalctl -u kit-db-test.service around that time'],
          configurationFault: false,
        }));
        break;
      default:
        break;
    }
  }
  const order: ProxyProblemKind[] = ['no-handler', 'selinux', 'socket-permission', 'socket-missing', 'timeout', 'refused', 'connect-failed', 'backend-closed', 'worker-disabled'];
  return order.flatMap((k) => (found.has(k) ? [found.get(k)!] : []));
}
