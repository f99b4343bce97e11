/**
 * `semanage port -l` (semanage-port(8)): a heading, then one line per type and protocol, its
 * ports and ranges joined by ", " (policycoreutils' seobject.py prints "%-30s %-8s %s"):
 *
 *   SELinux Port Type              Proto    Port Number
 *
 *   http_port_t                    tcp      80, 81, 443, 488, 8008, 8009, 8443, 9000
 *   ntop_port_t                    tcp      3000-3001
 *
 * `semanage port -l -C` lists only the local customizations, in the same format. Pure: no I/O.
 */

export interface PortRecord {
  type: string;
  proto: string;
  low: number;
  high: number;
}

export function parseSemanagePorts(text: string): PortRecord[] {
  const records: PortRecord[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+_t)\s+(tcp|udp|sctp|dccp)\s+(\d.*)$/.exec(line.trim());
    if (!m) continue;
    for (const item of m[3]!.split(',')) {
      const range = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(item);
      if (range) records.push({ type: m[1]!, proto: m[2]!, low: Number(range[1]), high: Number(range[2] ?? range[1]) });
    }
  }
  return records;
}

/**
 * The targeted policy's catch-all port labels (corenetwork.te.in `portcon` lines), for a port no
 * `semanage port -l` record covers: reserved (1-511), hi_reserved (512-1023), unreserved, and on
 * current policies ephemeral (32768-60999).
 */
export function defaultPortType(port: number): string {
  if (port < 512) return 'reserved_port_t';
  if (port < 1024) return 'hi_reserved_port_t';
  if (port >= 32768 && port <= 60999) return 'ephemeral_port_t';
  return 'unreserved_port_t';
}

export interface PortLabel {
  type: string;
  /** the record that decides it ("ntop_port_t tcp 3000-3001"), or the catch-all */
  record: PortRecord | null;
  /** a local customization (semanage port -a/-m) decides it */
  local: boolean;
  /** a record for exactly this one port exists, in the policy or locally: `semanage port -a` would fail with "already defined", use -m */
  exact: boolean;
}

const describeRecord = (r: PortRecord) => `${r.type} ${r.proto} ${r.low === r.high ? r.low : `${r.low}-${r.high}`}`;
export { describeRecord };

/**
 * The type the kernel gives `proto`/`port`: a local customization wins (it is what semanage was
 * asked for), then the narrowest range (the policy compiler orders portcon statements from the
 * most specific), then the policy's catch-all.
 */
export function portLabel(all: PortRecord[], local: PortRecord[], proto: string, port: number): PortLabel {
  const covers = (r: PortRecord) => r.proto === proto && r.low <= port && port <= r.high;
  const isLocal = (r: PortRecord) => local.some((l) => l.type === r.type && l.proto === r.proto && l.low === r.low && l.high === r.high);
  const candidates = [...all, ...local.filter((l) => !all.some((r) => r.type === l.type && r.proto === l.proto && r.low === l.low && r.high === l.high))]
    .filter(covers)
    .sort((a, b) => Number(isLocal(b)) - Number(isLocal(a)) || a.high - a.low - (b.high - b.low));
  const exact = candidates.some((r) => r.low === port && r.high === port);
  const winner = candidates[0];
  if (!winner) return { type: defaultPortType(port), record: null, local: false, exact };
  return { type: winner.type, record: winner, local: isLocal(winner), exact };
}

/** Every port of a type (for "http_port_t is 80, 81, 443 …"). */
export function portsOfType(all: PortRecord[], type: string, proto = 'tcp'): string {
  return all
    .filter((r) => r.type === type && r.proto === proto)
    .map((r) => (r.low === r.high ? `${r.low}` : `${r.low}-${r.high}`))
    .join(', ');
}
