import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { PostgresTarget } from '@kit-db-test/schema';

/**
 * Whether the server runs on this machine. Its files (pg_hba.conf, the server log) are this
 * machine's to read only then: a remote server's are on its own host.
 */
export type ServerPlace = { local: true; why: string } | { local: false; host: string; why: string };

const plain = (address: string) => address.replace(/^::ffff:/, '');
const isLoopback = (address: string) => /^127\./.test(plain(address)) || address === '::1';

/**
 * Decides from facts: a unix socket, or a host whose every address is loopback or one of this
 * machine's own, is local; any other address is another host (a name resolving partly to this
 * machine is taken as local: the doctor then reads this machine's files, as the server would be here).
 */
export function placeServer(target: PostgresTarget, resolved: readonly string[], ownAddresses: readonly string[]): ServerPlace {
  if (target.socket) return { local: true, why: `the unix socket ${target.host} is on this machine` };
  const own = new Set(ownAddresses.map(plain));
  const here = resolved.filter((a) => isLoopback(a) || own.has(plain(a)));
  if (here.length > 0) return { local: true, why: `${target.host} is ${here.join(', ')}, an address of this machine` };
  const shown = isIP(target.host) || resolved.length === 0 ? target.host : `${target.host} (${resolved.join(', ')})`;
  return {
    local: false,
    host: target.host,
    why: resolved.length === 0 ? `${target.host} does not resolve here: not taken as this machine` : `${shown} is not an address of this machine: the server runs on another host`,
  };
}

/** This machine's own addresses (in the network namespace the doctor runs in). */
export function ownAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address.replace(/%.*$/, ''));
}
