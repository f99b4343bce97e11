import { isIP } from 'node:net';
import type { PostgresTarget } from '@kit-db-test/schema';
import type { DoctorContext } from '../context.js';
import { localFiles } from '../system-files.js';
import { fail, pass, warn, type Check, type CheckOutcome } from '../types.js';
import { locateServer } from './locate-server.js';
import { diagnoseNetworkFailure, type PingAnswer } from './network-failure.js';
import { probe, resolveAll } from './probe-socket.js';
import type { ServerPlace } from './server-place.js';

/** Where distributions put the socket: Debian and RHEL's packages, and the source build's default. */
const KNOWN_SOCKET_DIRS = ['/var/run/postgresql', '/run/postgresql', '/tmp'];

function socketFile(dir: string, port: number): string {
  return `${dir.replace(/\/$/, '')}/.s.PGSQL.${port}`;
}

// The server's live socket is on this machine, whatever --root says.
const exists = (path: string) => localFiles.exists(path);

function socketsIn(dir: string): number[] {
  return localFiles
    .list(dir)
    .map((f) => /^\.s\.PGSQL\.(\d+)$/.exec(f)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number);
}

async function socketReachable(target: PostgresTarget, timeoutMs: number): Promise<CheckOutcome> {
  const path = socketFile(target.host, target.port);
  if (exists(path)) {
    const result = await probe({ path }, timeoutMs);
    if (result.ok) return pass(`socket ${path} accepts connections`);
    return fail(`socket ${path} exists but refuses connections (${result.code})`, [`${path}: ${result.code}: a server that stopped without removing it, or no permission to connect`], [
      'systemctl status postgresql; then systemctl restart postgresql',
    ]);
  }
  const evidence: string[] = [];
  const fix: string[] = [];
  if (!exists(target.host)) evidence.push(`the socket directory ${target.host} does not exist`);
  else evidence.push(`${target.host} holds no .s.PGSQL.${target.port}`);
  const otherPorts = socketsIn(target.host).filter((p) => p !== target.port);
  if (otherPorts.length) {
    evidence.push(`a server listens in ${target.host} on port ${otherPorts.join(', ')}, not ${target.port}`);
    fix.push(`set the port in the URL: ?host=${target.host}&port=${otherPorts[0]} (or the server's port in postgresql.conf)`);
  }
  for (const dir of KNOWN_SOCKET_DIRS.filter((d) => d !== target.host)) {
    if (exists(socketFile(dir, target.port))) {
      evidence.push(`found ${socketFile(dir, target.port)}: this server puts its socket in ${dir} (distributions differ: Debian and RHEL use /var/run/postgresql, a source build /tmp)`);
      fix.push(`point the URL at it: ?host=${dir} (or set unix_socket_directories = '${target.host}' in postgresql.conf and restart)`);
    }
  }
  if (fix.length === 0) fix.push('start the server (systemctl start postgresql) and check unix_socket_directories in postgresql.conf matches the URL');
  return fail(`no PostgreSQL socket at ${path}`, evidence, fix);
}

/** Does the host answer ICMP echo? Tells a firewall that drops the port from a host that is down. */
async function pingHost(context: DoctorContext, address: string): Promise<PingAnswer> {
  const result = await context.commands.run('ping', [address.includes(':') ? '-6' : '-4', '-c', '1', '-W', '1', address], 3000);
  if (result.error) return null;
  return result.code === 0 ? 'answered' : 'silent';
}

async function tcpReachable(target: PostgresTarget, timeoutMs: number, context: DoctorContext, place: ServerPlace): Promise<CheckOutcome> {
  const addresses = isIP(target.host) ? [target.host] : await resolveAll(target.host, timeoutMs);
  if (!Array.isArray(addresses)) {
    return fail(
      `the name ${target.host} does not resolve (${addresses.code})`,
      [`getaddrinfo("${target.host}") on this machine: ${addresses.code}: no DNS record and no /etc/hosts entry`],
      [`check the name in the URL (getent hosts ${target.host} shows what this machine resolves); add it to DNS or /etc/hosts, or use the server's address`],
    );
  }
  const results = await Promise.all(addresses.map(async (address) => ({ address, result: await probe({ host: address, port: target.port }, timeoutMs) })));
  const open = results.filter((r) => r.result.ok);
  const shut = results.filter((r) => !r.result.ok);
  const describe = (r: (typeof results)[number]) =>
    `${r.address.includes(':') ? `[${r.address}]` : r.address}:${target.port} ${r.result.ok ? 'open' : `(${r.result.ok === false ? r.result.code : ''})`}`;
  const first = open[0];
  if (first && first.result.ok) context.clientAddress = first.result.localAddress;
  if (open.length === results.length) return pass(`${results.map(describe).join(', ')}`);
  if (open.length > 0) {
    // Node tries each address in turn, but other clients (and the site's pool timeouts) may not.
    const names = target.host === 'localhost' ? 'localhost resolves to ' + addresses.join(' and ') + '; ' : '';
    return warn(`${names}only ${open.map((r) => r.address).join(', ')} answers`, shut.map(describe), [
      `use ${open[0]!.address} in the URL instead of ${target.host}, or make the server listen on every address: listen_addresses = 'localhost' in postgresql.conf`,
    ]);
  }
  const failed = shut[0]!;
  if (failed.result.ok) throw new Error('unreachable: a failed probe');
  const attempt = { address: failed.address, port: target.port, code: failed.result.code, ms: failed.result.ms };
  const ping = attempt.code === 'ETIMEDOUT' ? await pingHost(context, attempt.address) : null;
  const outcome = diagnoseNetworkFailure(attempt, place, ping, timeoutMs);
  const others = shut.slice(1).map(describe);
  return others.length ? { ...outcome, evidence: [...(outcome.evidence ?? []), ...others] } : outcome;
}

export const reachableCheck: Check<DoctorContext> = {
  id: 'pg.reachable',
  title: 'Server reachable',
  needs: ['config.valid'],
  async run(context) {
    const target = context.config.target as PostgresTarget;
    const place = await locateServer(context);
    context.serverPlace = place;
    return target.socket ? socketReachable(target, context.timeoutMs) : tcpReachable(target, context.timeoutMs, context, place);
  },
};
