/** Whether one pg_hba.conf line takes every connection a later one would: the lint's shadow test. */
import type { ConnectionType, HbaAddress, HbaNameToken, HbaRule } from './types.js';

/** Which kinds of TCP/IP connection a host line takes: SSL, GSSAPI-encrypted, unencrypted. */
export const CONNECTIONS: Record<ConnectionType, string[]> = {
  local: ['local'],
  host: ['ssl', 'gss', 'plain'],
  hostssl: ['ssl'],
  hostnossl: ['gss', 'plain'],
  hostgssenc: ['gss'],
  hostnogssenc: ['ssl', 'plain'],
};

export const DATABASE_KEYWORDS = ['all', 'sameuser', 'samerole', 'samegroup', 'replication'];

export function kw(t: HbaNameToken, k: string): boolean {
  return !t.quoted && t.text === k;
}

function sameRegex(a: HbaNameToken, b: HbaNameToken): boolean {
  return a.regex !== undefined && b.regex !== undefined && a.regex.source === b.regex.source;
}

/** Every database a `later` token matches, an `earlier` token matches too. */
function databaseCovered(later: HbaNameToken, earlier: HbaNameToken[]): boolean {
  if (kw(later, 'replication')) return earlier.some((e) => kw(e, 'replication'));
  if (earlier.some((e) => kw(e, 'all'))) return true;
  if (kw(later, 'all')) return false;
  if (kw(later, 'sameuser')) return earlier.some((e) => kw(e, 'sameuser'));
  if (kw(later, 'samerole') || kw(later, 'samegroup')) return earlier.some((e) => kw(e, 'samerole') || kw(e, 'samegroup'));
  if (later.regex) return earlier.some((e) => sameRegex(e, later));
  return earlier.some((e) => (e.regex ? e.regex.test(later.text) === true : !DATABASE_KEYWORDS.some((k) => kw(e, k)) && e.text === later.text));
}

function userCovered(later: HbaNameToken, earlier: HbaNameToken[]): boolean {
  if (earlier.some((e) => kw(e, 'all'))) return true;
  if (kw(later, 'all')) return false;
  const laterGroup = !later.quoted && later.text.startsWith('+');
  if (laterGroup) return earlier.some((e) => !e.quoted && e.text === later.text);
  if (later.regex) return earlier.some((e) => sameRegex(e, later));
  return earlier.some((e) => {
    if (!e.quoted && e.text.startsWith('+')) return e.text.slice(1) === later.text;
    // A regex whose evaluation was stopped covers nothing: no finding rather than a wrong one.
    return e.regex ? e.regex.test(later.text) === true : e.text === later.text;
  });
}

function addressCovered(later: HbaAddress | null, earlier: HbaAddress | null): boolean {
  if (!earlier || !later) return earlier === later;
  if (earlier.kind === 'all') return true;
  if (earlier.kind === 'samenet') return later.kind === 'samenet' || later.kind === 'samehost';
  if (earlier.kind === 'samehost') return later.kind === 'samehost';
  if (earlier.kind === 'hostname') {
    if (later.kind !== 'hostname') return false;
    const e = earlier.name.toLowerCase();
    const l = later.name.toLowerCase();
    return e === l || (e.startsWith('.') && l.endsWith(e));
  }
  if (later.kind !== 'ip' || later.family !== earlier.family) return false;
  // later's range is inside earlier's: earlier's mask bits are all in later's, on the same values.
  return (earlier.maskBits & ~later.maskBits) === 0n && ((later.bits ^ earlier.bits) & earlier.maskBits) === 0n;
}

/** Whether every connection `later` would match is taken by `earlier` first. */
export function covers(earlier: HbaRule, later: HbaRule): boolean {
  if (earlier.viewError !== undefined) return false; // a line that can never match shadows nothing
  const connections = CONNECTIONS[earlier.type];
  if (!CONNECTIONS[later.type].every((c) => connections.includes(c))) return false;
  if (!addressCovered(later.address, earlier.address)) return false;
  if (!later.databases.every((t) => databaseCovered(t, earlier.databases))) return false;
  return later.users.every((t) => userCovered(t, earlier.users));
}

