import { BlockList, isIP } from 'node:net';

/**
 * @typedef {object} DetailsPolicy
 * @property {string} describe for the start-up line, e.g. "loopback clients"
 * @property {(visitor: import('./visitor.js').Visitor) => boolean} shows whether this visitor
 *   sees who answered (server version, database, user, socket, profile, files) and the server's
 *   own messages; everyone else sees the verdicts, the timings and what kind of failure it is
 */

const EXPECTED = 'expected all, none, local, or a comma-separated list of local and networks (e.g. local,10.0.0.0/8)';

/**
 * KDT_DETAILS, read once at start-up: `all`, `none`, or a list of `local` (this machine) and
 * networks (`10.0.0.0/8`, `2001:db8::/32`, or one address). Unset: `local`.
 * @param {string | undefined} value
 * @returns {DetailsPolicy}
 */
export function parseDetailsPolicy(value) {
  const text = (value ?? '').trim();
  if (text === '' || text === 'local') return { describe: 'loopback clients', shows: (v) => v.local };
  if (text === 'all') return { describe: 'every client', shows: () => true };
  if (text === 'none') return { describe: 'no client', shows: () => false };
  const networks = new BlockList();
  let local = false;
  /** @type {string[]} */
  const named = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === 'local') {
      local = true;
      continue;
    }
    const network = parseNetwork(item);
    if (!network) throw new Error(`KDT_DETAILS: ${EXPECTED}, got "${value}"`);
    if (network.prefix === null) networks.addAddress(network.address, network.family);
    else networks.addSubnet(network.address, network.prefix, network.family);
    named.push(item);
  }
  return {
    describe: [local ? 'loopback clients' : null, named.join(', ')].filter(Boolean).join(' and '),
    shows: (v) => v.local ? local : v.address !== null && networks.check(v.address, isIP(v.address) === 4 ? 'ipv4' : 'ipv6'),
  };
}

/**
 * "10.0.0.0/8", "2001:db8::/32" or "192.0.2.7".
 * @param {string} item
 * @returns {{ address: string, family: 'ipv4' | 'ipv6', prefix: number | null } | null}
 */
function parseNetwork(item) {
  const [address = '', prefixText, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return null;
  if (prefixText === undefined) return { address, family: family === 4 ? 'ipv4' : 'ipv6', prefix: null };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > (family === 4 ? 32 : 128)) return null;
  return { address, family: family === 4 ? 'ipv4' : 'ipv6', prefix: Number(prefixText) };
}
