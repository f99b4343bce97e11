/**
 * IP addresses as the server reads and shows them: glibc's getaddrinfo(AI_NUMERICHOST) accepts the
 * inet_aton forms for IPv4 (`127.1`, `0x7f.0.0.1`, `010.0.0.1`), and getnameinfo shows them back
 * in canonical form (`::ffff:1.2.3.4` for a mapped address).
 */

export interface IpValue {
  family: 4 | 6;
  bits: bigint;
}

const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;

function parseAtonPart(part: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]*$/.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]*$/.test(part)) return part.length === 1 ? 0 : parseInt(part.slice(1), 8);
  if (/^[1-9][0-9]*$/.test(part)) return Number(part);
  return undefined;
}

/** IPv4 the way inet_aton reads it: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x). */
export function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const values: number[] = [];
  for (const p of parts) {
    const v = parseAtonPart(p);
    if (v === undefined || !Number.isFinite(v)) return undefined;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 0xff)) return undefined;
  const lastBits = 32 - 8 * values.length;
  if (last >= 2 ** lastBits) return undefined;
  let result = 0n;
  for (const v of values) result = (result << 8n) | BigInt(v);
  return (result << BigInt(lastBits)) | BigInt(last);
}

/** IPv6 as inet_pton reads it (an embedded dotted IPv4 tail allowed; no zone). */
export function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let head = s;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = s.slice(lastColon + 1);
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(v4)) return undefined;
    const octets = v4.split('.').map(Number);
    if (octets.some((o) => o > 255) || v4.split('.').some((o) => o.length > 1 && o.startsWith('0'))) return undefined;
    tail = [(octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!];
    head = s.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const doubles = head.split('::');
  if (doubles.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groups(doubles[0]!);
  const right = doubles.length === 2 ? groups(doubles[1]!) : [];
  if (!left || !right) return undefined;
  const known = left.length + right.length + tail.length;
  let words: number[];
  if (doubles.length === 2) {
    if (known > 7) return undefined;
    words = [...left, ...new Array<number>(8 - known).fill(0), ...right, ...tail];
  } else {
    if (known !== 8) return undefined;
    words = [...left, ...tail];
  }
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

/** A numeric host as getaddrinfo(AI_NUMERICHOST, AF_UNSPEC) reads it; undefined: not numeric. */
export function parseNumericHost(s: string): IpValue | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return { family: 4, bits: v4 };
  const v6 = parseIpv6(s);
  if (v6 !== undefined) return { family: 6, bits: v6 };
  return undefined;
}

/** An address as the client's IP is written by Node (dotted quad or IPv6); a zone is ignored. */
export function parseClientAddress(s: string): IpValue | undefined {
  const noZone = s.replace(/%.*$/, '');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(noZone)) return parseNumericHost(noZone);
  const v6 = parseIpv6(noZone);
  return v6 === undefined ? undefined : { family: 6, bits: v6 };
}

/** The server's CIDR suffix check (strtol then range): `/24`, `/+8` and `/024` are fine, `/33` is not. */
export function cidrMask(suffix: string, family: 4 | 6): bigint | undefined {
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(suffix)) return undefined;
  const n = Number(suffix.trim());
  const width = family === 4 ? 32 : 128;
  if (!Number.isFinite(n) || n < 0 || n > width) return undefined;
  const max = family === 4 ? V4_MAX : V6_MAX;
  return n === 0 ? 0n : (max << BigInt(width - n)) & max;
}

export function allOnes(family: 4 | 6): bigint {
  return family === 4 ? V4_MAX : V6_MAX;
}

/** The address as getnameinfo(NI_NUMERICHOST) writes it (glibc's inet_ntop). */
export function formatIp(ip: IpValue): string {
  if (ip.family === 4) {
    const b = ip.bits;
    return [24n, 16n, 8n, 0n].map((s) => String((b >> s) & 0xffn)).join('.');
  }
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((ip.bits >> BigInt(i * 16)) & 0xffffn));
  // Longest run of zero words (at least two), the first one on a tie.
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  words.forEach((w, i) => {
    if (w === 0) {
      cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
      if (cur.len > best.len) best = cur;
    } else {
      cur = { base: -1, len: 0 };
    }
  });
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      const v4 = (ip.bits & V4_MAX);
      out += formatIp({ family: 4, bits: v4 });
      break;
    }
    out += words[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}

/** Whether `client` is in the range `addr`/`mask` (same family only, as PostgreSQL 12+ compares). */
export function inRange(client: IpValue, family: 4 | 6, addr: bigint, mask: bigint): boolean {
  return client.family === family && ((client.bits ^ addr) & mask) === 0n;
}
