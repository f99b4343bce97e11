import { isIP } from 'node:net';
import { isLoopbackAddress } from './loopback.js';

/**
 * @typedef {object} Visitor
 * @property {string | null} address the visitor's IP address; null when it cannot be known
 * @property {boolean} local whether the visitor is on this machine
 */

/**
 * @typedef {object} ForwardedFrom
 * @property {string} header the header a proxy on this machine puts the client's address in (lower case)
 * @property {number | null} depth x-forwarded-for only: take the entry this far from the right
 *   (XFF_DEPTH); null: the rightmost entry that is not a loopback address
 */

/**
 * Who sent a request. The connection's peer is the visitor, unless the peer is a proxy on this
 * machine (a loopback address, or a unix socket, which only local processes can open): then the
 * proxy's header says who its client was. httpd appends the address it sees to X-Forwarded-For,
 * so whatever a client wrote there itself stays on the left, and a header from any other peer is
 * ignored: nobody can claim to be local from outside.
 * @param {string | undefined} peer the socket's remote address (undefined on a unix socket)
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {ForwardedFrom} from
 * @returns {Visitor}
 */
export function visitorOf(peer, headers, from) {
  const viaLocalProxy = peer === undefined || isLoopbackAddress(peer);
  if (!viaLocalProxy) return { address: peer, local: false };
  const raw = headers[from.header];
  if (raw === undefined) return { address: peer ?? null, local: true };
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  const claimed = from.header === 'x-forwarded-for' ? fromForwardedFor(value, from.depth) : value.trim();
  // A header the proxy filled with something other than an address: nobody is vouched for.
  if (claimed === undefined || isIP(claimed) === 0) return { address: null, local: false };
  return { address: claimed, local: isLoopbackAddress(claimed) };
}

/**
 * @param {string} value
 * @param {number | null} depth
 */
function fromForwardedFor(value, depth) {
  const entries = value.split(',').map((entry) => entry.trim());
  if (depth !== null) return entries.length >= depth ? entries[entries.length - depth] : undefined;
  // Proxies on this machine (e.g. a TLS terminator in front of httpd) add loopback entries: skip them.
  for (let i = entries.length - 1; i > 0; i--) {
    if (!isLoopbackAddress(/** @type {string} */ (entries[i]))) return entries[i];
  }
  return entries[0];
}
