import { describe, expect, it } from 'vitest';
import type { PostgresTarget } from '../config/database-url.js';
import { tlsOptions } from './tls-options.js';

const target = (over: Partial<PostgresTarget>): PostgresTarget => ({
  driver: 'postgresql', host: '10.0.0.5', socket: false, port: 5432, user: 'kdt', database: 'kdt', password: undefined, sslmode: 'verify-full', ...over,
});
const read = (path: string) => Buffer.from(`contents of ${path}`);
const fakeCert = (names: string) => ({ subject: { CN: 'x' }, subjectaltname: names }) as never;

describe('tlsOptions: libpq\'s sslmode for node-postgres', () => {
  it('disable and a unix socket: no TLS; require: encrypted, nothing checked', () => {
    expect(tlsOptions(target({ sslmode: 'disable' }), read)).toBeUndefined();
    expect(tlsOptions(target({ socket: true, host: '/run/postgresql' }), read)).toBeUndefined();
    expect(tlsOptions(target({ sslmode: 'require' }), read)).toEqual({ rejectUnauthorized: false });
  });
  it('require with a root certificate checks the chain, as libpq does', () => {
    const o = tlsOptions(target({ sslmode: 'require', sslrootcert: '/ca.crt' }), read)!;
    expect(o).toMatchObject({ rejectUnauthorized: true, ca: read('/ca.crt') });
    expect(o.checkServerIdentity!('10.0.0.5', fakeCert('DNS:other.example'))).toBeUndefined();
  });
  it('verify-ca: the chain, not the name; verify-full: the name too, an IP address against IP SANs', () => {
    expect(tlsOptions(target({ sslmode: 'verify-ca' }), read)!.checkServerIdentity!('10.0.0.5', fakeCert('DNS:other.example'))).toBeUndefined();
    const full = tlsOptions(target({ sslmode: 'verify-full', sslrootcert: '/ca.crt' }), read)!;
    expect(full.checkServerIdentity!('ignored', fakeCert('IP Address:10.0.0.5'))).toBeUndefined();
    expect(full.checkServerIdentity!('ignored', fakeCert('DNS:10.0.0.5'))).toBeInstanceOf(Error);
    expect(full.checkServerIdentity!('ignored', fakeCert('DNS:other.example'))).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
  it('a name gets SNI; sslrootcert=system uses the system CAs; a client certificate and key are sent', () => {
    const o = tlsOptions(target({ host: 'db.example', sslrootcert: 'system', sslcert: '/c.crt', sslkey: '/c.key' }), read)!;
    expect(o).toMatchObject({ servername: 'db.example', cert: read('/c.crt'), key: read('/c.key'), rejectUnauthorized: true });
    expect(o.ca).toBeUndefined();
  });
});
