import { describe, expect, it } from 'vitest';
import { cidrMask, formatIp, parseNumericHost } from './address.js';

describe('addresses', () => {
  it('reads the inet_aton forms glibc accepts', () => {
    const show = (s: string) => {
      const ip = parseNumericHost(s);
      return ip && formatIp(ip);
    };
    expect(['127.1', '0x7f.0.0.1', '010.0.0.1', '10', '300.1.1.1', '1.2.3.4.5', '08.1.1.1'].map(show)).toEqual([
      '127.0.0.1',
      '127.0.0.1',
      '8.0.0.1',
      '0.0.0.10',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('writes IPv6 as glibc does', () => {
    const show = (s: string) => formatIp(parseNumericHost(s)!);
    expect(['0::0', '::1', '::ffff:1.2.3.4', '::1.2.3.4', '2001:db8:0:0:1:0:0:1', 'fe80::'].map(show)).toEqual([
      '::',
      '::1',
      '::ffff:1.2.3.4',
      '::1.2.3.4',
      '2001:db8::1:0:0:1',
      'fe80::',
    ]);
  });

  it('reads CIDR suffixes as strtol does', () => {
    expect([cidrMask('24', 4), cidrMask('+8', 4), cidrMask('33', 4), cidrMask('', 4), cidrMask('0', 6)]).toEqual([
      0xffffff00n,
      0xff000000n,
      undefined,
      undefined,
      0n,
    ]);
  });
});
