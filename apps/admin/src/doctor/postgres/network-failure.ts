import type { CheckOutcome } from '../types.js';
import { fail } from '../types.js';
import type { ServerPlace } from './server-place.js';

/** One failed TCP attempt, as the probe saw it. */
export interface FailedAttempt {
  address: string;
  port: number;
  /** node's code: ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH … */
  code: string;
  /** how long until the failure */
  ms: number;
}

/** Whether the host answered ICMP echo (ping) after a connection attempt timed out; null: not tried. */
export type PingAnswer = 'answered' | 'silent' | null;

// An ICMP rejection comes back within a round trip; a failed ARP lookup on the link takes ~3 s.
const PROMPT_MS = 1000;

const FIREWALL_LISTS = 'nft list ruleset, iptables -S, firewall-cmd --list-all or ufw status (whichever the host has)';

function hostPort(a: FailedAttempt): string {
  return `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
}

function allowRule(place: ServerPlace, a: FailedAttempt): string {
  const on = place.local ? 'on this machine' : `on ${place.host}`;
  return `${on}, allow the port for the app host: firewall-cmd --add-service=postgresql --permanent && firewall-cmd --reload; ufw allow ${a.port}/tcp; or remove the nft/iptables rule that matches tcp dport ${a.port} (a cloud security group or network ACL between the hosts does the same)`;
}

/**
 * The verdict for a TCP connection that never reached the server: what the failure means on the
 * network, and the next step on the host it names. Pure, for tests.
 */
export function diagnoseNetworkFailure(attempt: FailedAttempt, place: ServerPlace, ping: PingAnswer, timeoutMs: number): CheckOutcome {
  const where = hostPort(attempt);
  const server = place.local ? 'this machine' : place.host;
  const evidence = [`${where}: ${attempt.code} after ${attempt.ms} ms`, place.why];
  switch (attempt.code) {
    case 'ECONNREFUSED':
      return fail(
        `nothing listens on ${where}: refused at once`,
        [...evidence, `the host answered with a refusal (a TCP reset): it is up, and no server listens on that address and port`],
        [
          `on ${server}: set listen_addresses = '*' (or '${attempt.address}') in postgresql.conf, then restart the server (systemctl restart postgresql): listen_addresses changes only at a restart, a reload does not apply it`,
          `on ${server}: ss -ltnp shows where PostgreSQL listens; the port must be ${attempt.port} (port in postgresql.conf, or fix the URL)`,
          ...(place.local ? ['if PostgreSQL is stopped: systemctl start postgresql'] : []),
          `a firewall rule rejecting with a TCP reset or port-unreachable looks the same: ${FIREWALL_LISTS} on ${server}`,
        ],
      );
    case 'ETIMEDOUT': {
      const pinged =
        ping === 'answered'
          ? `${attempt.address} answers ping: the host is up, so a firewall drops the packets to port ${attempt.port}`
          : ping === 'silent'
            ? `${attempt.address} does not answer ping either: the host is down, or a firewall drops everything (ICMP too)`
            : `ping ${attempt.address} tells which: an answer means the host is up and a firewall drops port ${attempt.port}`;
      return fail(
        `no answer from ${where} within ${timeoutMs} ms: a firewall drops the packets, or the host is down`,
        [...evidence, pinged],
        ping === 'silent'
          ? [`check that ${server} is running (its console or hypervisor) and that ${attempt.address} is its address`, `then its firewall: ${FIREWALL_LISTS} on ${server}`]
          : [`on ${server}: ${FIREWALL_LISTS} shows the rule that drops port ${attempt.port}`, allowRule(place, attempt)],
      );
    }
    case 'EHOSTUNREACH':
      if (attempt.ms < PROMPT_MS) {
        return fail(
          `a firewall rejects the connection to ${where} (ICMP unreachable at once)`,
          [...evidence, 'an ICMP "host unreachable" or "administratively prohibited" came back within a round trip: a firewall on the way or on the host rejects the port'],
          [`on ${server}: ${FIREWALL_LISTS} shows the reject rule for port ${attempt.port}`, allowRule(place, attempt)],
        );
      }
      return fail(
        `no host answers at ${attempt.address}: it is down, or the address is wrong`,
        [...evidence, `no host on the link answered for ${attempt.address} (ARP) within ${attempt.ms} ms`],
        [`check the address in the URL and that ${server} is running`],
      );
    case 'ENETUNREACH':
      return fail(
        `no route from this machine to ${attempt.address}`,
        [...evidence, `this machine has no route to ${attempt.address} (ip route get ${attempt.address} says so)`],
        [`check the address in the URL; if it is right, this machine needs a route (or the VPN) to that network: ip route get ${attempt.address}`],
      );
    case 'EPERM':
    case 'EACCES':
      return fail(
        `this machine's own firewall blocks connections to ${where}`,
        [...evidence, 'the connection was refused locally before any packet left (an output rule)'],
        [`on this machine: ${FIREWALL_LISTS}; allow outgoing tcp to port ${attempt.port}`],
      );
    default:
      return fail(`cannot connect to ${where} (${attempt.code})`, evidence, [`check the address and port in the URL, and ${FIREWALL_LISTS} on ${server}`]);
  }
}
