import { describe, expect, it } from 'vitest';
import { parseDetailsPolicy } from './details-policy.js';

const LOCAL = { address: '127.0.0.1', local: true };
const SOCKET = { address: null, local: true };
const ADMIN = { address: '10.1.2.3', local: false };
const ADMIN6 = { address: '2001:db8::7', local: false };
const PUBLIC = { address: '203.0.113.9', local: false };
const UNKNOWN = { address: null, local: false };

const shown = (value: string | undefined) => {
  const policy = parseDetailsPolicy(value);
  return [LOCAL, SOCKET, ADMIN, ADMIN6, PUBLIC, UNKNOWN].map((v) => policy.shows(v));
};

describe('KDT_DETAILS', () => {
  it('unset or local: visitors on this machine only', () => {
    expect(shown(undefined)).toEqual([true, true, false, false, false, false]);
    expect(shown('')).toEqual([true, true, false, false, false, false]);
    expect(shown('local')).toEqual([true, true, false, false, false, false]);
    expect(parseDetailsPolicy(undefined).describe).toBe('loopback clients');
  });

  it('all and none', () => {
    expect(shown('all')).toEqual([true, true, true, true, true, true]);
    expect(shown('none')).toEqual([false, false, false, false, false, false]);
  });

  it('networks, with or without local', () => {
    expect(shown('local,10.0.0.0/8, 2001:db8::/32')).toEqual([true, true, true, true, false, false]);
    expect(shown('10.1.2.3')).toEqual([false, false, true, false, false, false]);
    expect(parseDetailsPolicy('local,10.0.0.0/8').describe).toBe('loopback clients and 10.0.0.0/8');
  });

  it('matches an IPv4 network for an IPv4-mapped IPv6 address', () => {
    expect(parseDetailsPolicy('10.0.0.0/8').shows({ address: '::ffff:10.9.9.9', local: false })).toBe(true);
  });

  it.each(['everyone', 'true', '10.0.0.0/33', '10.0.0/8', 'local;10.0.0.0/8', '2001:db8::/129', '10.0.0.0/8/8', 'local,'])(
    '"%s" is refused with one line naming the variable and what it takes',
    (value) => {
      expect(() => parseDetailsPolicy(value)).toThrow(
        new Error(`KDT_DETAILS: expected all, none, local, or a comma-separated list of local and networks (e.g. local,10.0.0.0/8), got "${value}"`),
      );
    },
  );
});
