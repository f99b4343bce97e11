// httpd's own map of its virtual hosts (`httpd -S`, `apache2ctl -S`: "VirtualHost configuration:")
// and the choice it makes for a request, following
// https://httpd.apache.org/docs/2.4/vhosts/details.html:
//   1. the address: the virtual hosts listed for the exact IP:port the request arrived on win;
//      only without any, those listed for *:port (or _default_:port) are considered;
//   2. the name: among those, the first (in configuration order) whose ServerName or ServerAlias
//      matches the Host header (or the TLS SNI name);
//   3. none matches: the first one listed for that address, its "default server".
// A <VirtualHost> without a ServerName takes the main server's, which Debian leaves to the
// machine's own name: that is how 000-default takes requests meant for a site of that name.
// Pure: it reads the program's output and answers from it.

export interface VhostEntry {
  /** the ServerName httpd uses for it (its own, or the one it inherits) */
  name: string;
  aliases: string[];
  file: string;
  /** the line of <VirtualHost …> */
  line: number;
}

export interface AddressSet {
  /** "*" or an IP address */
  address: string;
  /** a port number, or "*" */
  port: number | '*';
  /** in httpd's order: the first is the default server of the address */
  vhosts: VhostEntry[];
}

export type VhostChoice =
  | { kind: 'vhost'; set: AddressSet; vhost: VhostEntry; reason: 'only' | 'name' | 'alias' | 'default'; matched: string | null }
  | { kind: 'main-server'; reason: string };

const ENTRY = /^(\S+)\s+\((.+):(\d+)\)$/;

function parseAddress(text: string): { address: string; port: number | '*' } | null {
  const m = /^(\[[^\]]+\]|[^:\s]+|_default_):(\d+|\*)$/.exec(text);
  if (!m) return null;
  const address = m[1] === '_default_' ? '*' : m[1]!.replace(/^\[|\]$/g, '');
  return { address, port: m[2] === '*' ? '*' : Number(m[2]) };
}

/** Reads `httpd -S`'s virtual host part. Null when the output has none (no "VirtualHost configuration:"). */
export function parseVhostDump(output: string): AddressSet[] | null {
  const lines = output.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === 'VirtualHost configuration:');
  if (start < 0) return null;
  const sets: AddressSet[] = [];
  let current: AddressSet | null = null;
  let last: VhostEntry | null = null;
  for (const raw of lines.slice(start + 1)) {
    if (/^\S+:\s/.test(raw) && !/^\S+:(\d+|\*)\s/.test(raw)) break; // "ServerRoot: …": the end of the map
    const line = raw.trim();
    if (line === '') continue;
    const header = /^(\S+)\s+(.*)$/.exec(line);
    if (!raw.startsWith(' ') && !raw.startsWith('\t') && header) {
      const address = parseAddress(header[1]!);
      if (!address) continue;
      current = { ...address, vhosts: [] };
      sets.push(current);
      last = null;
      // "127.0.0.1:8080   name (file:line)": one virtual host on that address.
      const single = ENTRY.exec(header[2]!);
      if (single) {
        last = { name: single[1]!, aliases: [], file: single[2]!, line: Number(single[3]) };
        current.vhosts.push(last);
      }
      continue;
    }
    if (!current) continue;
    const alias = /^(?:wild )?alias\s+(\S+)$/.exec(line);
    if (alias && last) {
      last.aliases.push(alias[1]!);
      continue;
    }
    // "default server NAME (file:line)" repeats the first namevhost: the list below has them all.
    const named = /^port\s+\S+\s+namevhost\s+(.+)$/.exec(line);
    const entry = named ? ENTRY.exec(named[1]!) : null;
    if (entry) {
      last = { name: entry[1]!, aliases: [], file: entry[2]!, line: Number(entry[3]) };
      current.vhosts.push(last);
    }
  }
  return sets;
}

/** fnmatch-style, as ServerAlias takes * and ?; names compare case-insensitively. */
function nameMatches(pattern: string, host: string): boolean {
  const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(host);
}

const portMatches = (set: AddressSet, port: number) => set.port === '*' || set.port === port;

/** The virtual host httpd gives a request for `host` arriving on `address`:`port`. */
export function chooseVhost(sets: AddressSet[], request: { addresses: string[]; port: number; host: string }): VhostChoice {
  const host = request.host.toLowerCase().replace(/\.$/, '');
  const exact = sets.filter((s) => s.address !== '*' && request.addresses.includes(s.address) && portMatches(s, request.port));
  const wildcard = sets.filter((s) => s.address === '*' && portMatches(s, request.port));
  // An exact address:port beats address:*, which beats the wildcards.
  const candidates = exact.length ? [...exact.filter((s) => s.port !== '*'), ...exact.filter((s) => s.port === '*')] : [...wildcard.filter((s) => s.port !== '*'), ...wildcard.filter((s) => s.port === '*')];
  const set = candidates[0];
  if (!set || set.vhosts.length === 0) return { kind: 'main-server', reason: `no <VirtualHost> is listed for port ${request.port}` };
  if (set.vhosts.length === 1) return { kind: 'vhost', set, vhost: set.vhosts[0]!, reason: 'only', matched: null };
  for (const vhost of set.vhosts) {
    if (nameMatches(vhost.name, host)) return { kind: 'vhost', set, vhost, reason: 'name', matched: vhost.name };
    const alias = vhost.aliases.find((a) => nameMatches(a, host));
    if (alias) return { kind: 'vhost', set, vhost, reason: 'alias', matched: alias };
  }
  return { kind: 'vhost', set, vhost: set.vhosts[0]!, reason: 'default', matched: null };
}

export const describeSet = (set: AddressSet) => `${set.address.includes(':') ? `[${set.address}]` : set.address}:${set.port}`;
export const vhostWhere = (v: { file: string; line: number }) => `${v.file}:${v.line}`;
