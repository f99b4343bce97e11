import { describe, expect, it } from 'vitest';
import { visitorOf } from './visitor.js';

const XFF = { header: 'x-forwarded-for', depth: null };

describe('visitorOf: who sent the request', () => {
  it('a peer on another host is the visitor, whatever its headers claim', () => {
    expect(visitorOf('198.18.0.2', { 'x-forwarded-for': '127.0.0.1' }, XFF)).toEqual({ address: '198.18.0.2', local: false });
    expect(visitorOf('::ffff:198.18.0.2', {}, XFF)).toEqual({ address: '::ffff:198.18.0.2', local: false });
  });

  it('a loopback peer without the header is a visitor on this machine', () => {
    expect(visitorOf('127.0.0.1', {}, XFF)).toEqual({ address: '127.0.0.1', local: true });
    expect(visitorOf('::1', {}, XFF)).toEqual({ address: '::1', local: true });
    expect(visitorOf('::ffff:127.0.0.1', {}, XFF)).toEqual({ address: '::ffff:127.0.0.1', local: true });
  });

  it('a unix-socket peer (only local processes open it) is on this machine unless it forwards for someone', () => {
    expect(visitorOf(undefined, {}, XFF)).toEqual({ address: null, local: true });
    expect(visitorOf(undefined, { 'x-forwarded-for': '203.0.113.9' }, XFF)).toEqual({ address: '203.0.113.9', local: false });
  });

  it("behind httpd on loopback: the address httpd appended, not what the client wrote before it", () => {
    expect(visitorOf('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, XFF)).toEqual({ address: '203.0.113.9', local: false });
    expect(visitorOf('127.0.0.1', { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' }, XFF)).toEqual({ address: '203.0.113.9', local: false });
    expect(visitorOf('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }, XFF)).toEqual({ address: '127.0.0.1', local: true });
  });

  it('loopback entries of further proxies on this machine are skipped', () => {
    expect(visitorOf('127.0.0.1', { 'x-forwarded-for': '127.0.0.1, 203.0.113.9, 127.0.0.1, ::1' }, XFF)).toEqual({ address: '203.0.113.9', local: false });
  });

  it('XFF_DEPTH takes the entry that far from the right, and no entry there is nobody', () => {
    const depth2 = { header: 'x-forwarded-for', depth: 2 };
    expect(visitorOf('127.0.0.1', { 'x-forwarded-for': '127.0.0.1, 192.0.2.1, 10.0.0.5' }, depth2)).toEqual({ address: '192.0.2.1', local: false });
    expect(visitorOf('127.0.0.1', { 'x-forwarded-for': '10.0.0.5' }, depth2)).toEqual({ address: null, local: false });
  });

  it('another header (ADDRESS_HEADER) is read whole, from a local proxy only', () => {
    const realIp = { header: 'x-real-ip', depth: null };
    expect(visitorOf('127.0.0.1', { 'x-real-ip': ' 192.0.2.1 ' }, realIp)).toEqual({ address: '192.0.2.1', local: false });
    expect(visitorOf('192.0.2.50', { 'x-real-ip': '127.0.0.1' }, realIp)).toEqual({ address: '192.0.2.50', local: false });
  });

  it('a header that holds no address vouches for nobody', () => {
    expect(visitorOf('127.0.0.1', { 'x-forwarded-for': 'unknown' }, XFF)).toEqual({ address: null, local: false });
    expect(visitorOf('127.0.0.1', { 'x-forwarded-for': '' }, XFF)).toEqual({ address: null, local: false });
    expect(visitorOf('127.0.0.1', { 'x-forwarded-for': '203.0.113.9:4711' }, XFF)).toEqual({ address: null, local: false });
  });
});
