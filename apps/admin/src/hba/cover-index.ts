import { CONNECTIONS, covers, kw } from './covers.js';
import type { ConnectionType, HbaAddress, HbaNameToken, HbaRule } from './types.js';

/** Earlier lines by one key of one field; positions ascend because lines are added in file order. */
type Postings = Map<string, number[]>;

interface TypeIndex {
  databases: Postings;
  users: Postings;
  addresses: Postings;
  /** The prefix lengths earlier IP lines use, per family: the only ones worth looking up. */
  prefixes: Record<4 | 6, Set<number>>;
}

const TYPES = Object.keys(CONNECTIONS) as ConnectionType[];

/** For each type of a later line, the types of earlier lines that take all its kinds of connection. */
const COVERING_TYPES = Object.fromEntries(
  TYPES.map((later) => [later, TYPES.filter((earlier) => CONNECTIONS[later].every((c) => CONNECTIONS[earlier].includes(c)))]),
) as Record<ConnectionType, ConnectionType[]>;

function post(map: Postings, key: string, position: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [position]);
  else if (list.at(-1) !== position) list.push(position);
}

function databaseKeys(t: HbaNameToken): string[] {
  if (kw(t, 'all')) return ['all'];
  if (kw(t, 'replication')) return ['kw:replication'];
  if (kw(t, 'sameuser')) return ['kw:sameuser'];
  if (kw(t, 'samerole') || kw(t, 'samegroup')) return ['kw:samerole'];
  if (t.regex) return ['re', `r:${t.regex.source}`];
  return [`t:${t.text}`];
}

/** Keys under which an earlier line that covers the later token `t` must be. */
function databaseLookups(t: HbaNameToken): string[] {
  if (kw(t, 'replication')) return ['kw:replication'];
  if (kw(t, 'all')) return ['all'];
  if (kw(t, 'sameuser')) return ['all', 'kw:sameuser'];
  if (kw(t, 'samerole') || kw(t, 'samegroup')) return ['all', 'kw:samerole'];
  if (t.regex) return ['all', `r:${t.regex.source}`];
  return ['all', `t:${t.text}`, 're'];
}

function userKeys(t: HbaNameToken): string[] {
  if (kw(t, 'all')) return ['all'];
  if (!t.quoted && t.text.startsWith('+')) return [`g:${t.text}`, `t:${t.text.slice(1)}`];
  if (t.regex) return ['re', `r:${t.regex.source}`];
  return [`t:${t.text}`];
}

function userLookups(t: HbaNameToken): string[] {
  if (kw(t, 'all')) return ['all'];
  if (!t.quoted && t.text.startsWith('+')) return ['all', `g:${t.text}`];
  if (t.regex) return ['all', `r:${t.regex.source}`];
  return ['all', `t:${t.text}`, 're'];
}

function width(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function prefixMask(family: 4 | 6, length: number): bigint {
  const w = BigInt(width(family));
  return ((1n << BigInt(length)) - 1n) << (w - BigInt(length));
}

/** The mask's prefix length, or null for a mask that is not contiguous (255.0.255.0). */
function prefixLength(family: 4 | 6, mask: bigint): number | null {
  const ones = leadingOnes(family, mask);
  return prefixMask(family, ones) === mask ? ones : null;
}

function leadingOnes(family: 4 | 6, mask: bigint): number {
  const bits = mask.toString(2);
  // Fewer digits than the width: the top bit is 0.
  if (bits.length < width(family)) return 0;
  const zero = bits.indexOf('0');
  return zero < 0 ? bits.length : zero;
}

function ipKey(family: 4 | 6, length: number, bits: bigint): string {
  return `ip:${family}:${length}:${(bits & prefixMask(family, length)).toString(16)}`;
}

function addressKey(a: HbaAddress | null, prefixes: TypeIndex['prefixes']): string {
  if (!a) return 'local';
  switch (a.kind) {
    case 'all':
    case 'samehost':
    case 'samenet':
      return a.kind;
    case 'hostname':
      return `h:${a.name.toLowerCase()}`;
    case 'ip': {
      const length = prefixLength(a.family, a.maskBits);
      if (length === null) return 'ip:odd';
      prefixes[a.family].add(length);
      return ipKey(a.family, length, a.bits);
    }
  }
}

function addressLookups(a: HbaAddress | null, prefixes: TypeIndex['prefixes']): string[] {
  if (!a) return ['local'];
  switch (a.kind) {
    case 'all':
      return ['all'];
    case 'samenet':
      return ['all', 'samenet'];
    case 'samehost':
      return ['all', 'samehost', 'samenet'];
    case 'hostname': {
      const name = a.name.toLowerCase();
      const keys = ['all', `h:${name}`];
      // `.example.org` covers every name ending in it.
      for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) if (dot > 0) keys.push(`h:${name.slice(dot)}`);
      return keys;
    }
    case 'ip': {
      const longest = leadingOnes(a.family, a.maskBits);
      const keys = ['all', 'ip:odd'];
      for (const length of prefixes[a.family]) if (length <= longest) keys.push(ipKey(a.family, length, a.bits));
      return keys;
    }
  }
}

/**
 * The lines read so far, indexed by type, database, user and address, so that the first earlier
 * line covering a later one is found among the few that could, not by trying every earlier line:
 * the lint of a 20 000-line file is then about linear instead of quadratic.
 */
export class CoverIndex {
  #rules: HbaRule[] = [];
  #byType = new Map<ConnectionType, TypeIndex>();

  add(rule: HbaRule): void {
    const position = this.#rules.push(rule) - 1;
    // A line that can never match shadows nothing.
    if (rule.viewError !== undefined) return;
    let index = this.#byType.get(rule.type);
    if (!index) {
      index = { databases: new Map(), users: new Map(), addresses: new Map(), prefixes: { 4: new Set(), 6: new Set() } };
      this.#byType.set(rule.type, index);
    }
    for (const t of rule.databases) for (const key of databaseKeys(t)) post(index.databases, key, position);
    for (const t of rule.users) for (const key of userKeys(t)) post(index.users, key, position);
    post(index.addresses, addressKey(rule.address, index.prefixes), position);
  }

  /** The first line added that takes every connection `later` would (as `covers` decides). */
  firstCovering(later: HbaRule): HbaRule | undefined {
    let best = Infinity;
    for (const type of COVERING_TYPES[later.type]) {
      const index = this.#byType.get(type);
      if (!index) continue;
      for (const list of this.#candidates(later, index)) {
        for (const position of list) {
          if (position >= best) break;
          if (covers(this.#rules[position]!, later)) {
            best = position;
            break;
          }
        }
      }
    }
    return best === Infinity ? undefined : this.#rules[best];
  }

  /**
   * A covering line must be posted under one of a field's lookup keys, for every field and every
   * token of the later line: the smallest of those sets is enough to search.
   */
  #candidates(later: HbaRule, index: TypeIndex): number[][] {
    const sets: number[][][] = [
      ...later.databases.map((t) => databaseLookups(t).map((k) => index.databases.get(k) ?? [])),
      ...later.users.map((t) => userLookups(t).map((k) => index.users.get(k) ?? [])),
      addressLookups(later.address, index.prefixes).map((k) => index.addresses.get(k) ?? []),
    ];
    let smallest = sets[0]!;
    let size = Infinity;
    for (const lists of sets) {
      const n = lists.reduce((sum, list) => sum + list.length, 0);
      if (n < size) {
        smallest = lists;
        size = n;
      }
    }
    return smallest;
  }
}
