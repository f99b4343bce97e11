import { Secret, type PostgresTarget } from '@kit-db-test/schema';
import { describe, expect, it } from 'vitest';
import { hbaName, lineForRefusal, parseHbaRefusal } from './hba-refusal.js';

const tcp: PostgresTarget = { driver: 'postgresql', host: 'db', socket: false, port: 5432, user: 'kdt app', database: 'all', password: new Secret('x'), sslmode: 'require' };

describe('the address and TLS state the server saw', () => {
  it('reads them from PostgreSQL 14+ and older refusals, and from a reject line', () => {
    expect(parseHbaRefusal('no pg_hba.conf entry for host "10.1.2.3", user "kdt", database "kdt", SSL encryption')).toEqual({ address: '10.1.2.3', user: 'kdt', database: 'kdt', ssl: true });
    expect(parseHbaRefusal('no pg_hba.conf entry for host "2001:db8::7", user "kdt", database "kdt", no encryption')).toMatchObject({ address: '2001:db8::7', ssl: false });
    expect(parseHbaRefusal('no pg_hba.conf entry for host "10.1.2.3", user "kdt", database "kdt", SSL off')).toMatchObject({ ssl: false });
    expect(parseHbaRefusal('pg_hba.conf rejects connection for host "10.1.2.3", user "kdt", database "kdt", SSL encryption')).toMatchObject({ address: '10.1.2.3', ssl: true });
    expect(parseHbaRefusal('password authentication failed for user "kdt"')).toBeNull();
  });
  it('the line uses that address (/32, /128), hostssl for a TLS client, and quotes names pg_hba.conf would misread', () => {
    expect(lineForRefusal(tcp, parseHbaRefusal('no pg_hba.conf entry for host "10.1.2.3", user "kdt app", database "all", SSL encryption'))).toBe('hostssl   "all"   "kdt app"   10.1.2.3/32   scram-sha-256');
    expect(lineForRefusal({ ...tcp, user: 'kdt', database: 'kdt' }, parseHbaRefusal('no pg_hba.conf entry for host "2001:db8::7", user "kdt", database "kdt", no encryption'))).toBe('host   kdt   kdt   2001:db8::7/128   scram-sha-256');
    expect(hbaName('+staff')).toBe('"+staff"');
    expect(hbaName('Kdt_App')).toBe('Kdt_App');
  });
});
