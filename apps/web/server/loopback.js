import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4'); // also matches ::ffff:127.x (IPv4-mapped)
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether an IP address is this machine's loopback: 127.0.0.0/8, ::1, or 127.x mapped into IPv6.
 * @param {string} address
 */
export function isLoopbackAddress(address) {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Whether a Host header names this machine by a loopback name: localhost, 127.x.x.x or [::1],
 * with or without a port. A browser sends another name only when it resolved one, which a
 * DNS-rebinding page can make point here.
 * @param {string | undefined} host
 */
export function isLoopbackHost(host) {
  if (!host) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d{1,5})?$/.exec(host);
  if (!match) return false;
  const name = /** @type {string} */ (match[1]).toLowerCase();
  if (name === 'localhost') return true;
  if (name === '[::1]') return true;
  return isIP(name) === 4 && isLoopbackAddress(name);
}
